// The consensus state file (priv_validator_state): durable, validated, and what a restart signs from.
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TendermintCore, type CoreConfig } from '../../../src/node-core/chain/tendermint/core.js';
import { PRIVVAL_FILE, PrivValidatorStateFile, PrivValStateError } from '../../../src/node-core/chain/tendermint/privval.js';

interface Val {
  id: string;
}
const codec = { encode: (v: Val) => Buffer.from(v.id).toString('hex'), decode: (h: string) => ({ id: Buffer.from(h, 'hex').toString() }) };
const VALS = ['a', 'b', 'c', 'd'];
const config = (self: string): CoreConfig<Val> => ({
  validators: new Map(VALS.map((v) => [v, 10n])),
  self,
  proposer: (h, r) => VALS[(h + r) % 4],
  getValue: (h, r) => ({ id: `${h}/${r}/${self}` }),
  valid: () => true,
  idOf: (v) => v.id,
  timeout: () => 1000,
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'tb privval ü '));
  dirs.push(d);
  return d;
}

describe('priv_validator_state file', () => {
  it('round-trips the state of a locked validator and a restart from it keeps the lock and the signatures', async () => {
    const dir = await tmp();
    const f = new PrivValidatorStateFile<Val>(dir, codec);
    expect(await f.load()).toBeUndefined();
    const core = new TendermintCore(config('b'), 1);
    core.start();
    core.onTimeout(1, 0, 'commit'); // b proposes and prevotes
    core.receiveMany([
      { type: 'prevote', height: 1, round: 0, id: '1/0/b', from: 'a' },
      { type: 'prevote', height: 1, round: 0, id: '1/0/b', from: 'c' },
    ]);
    core.receive({ type: 'prevote', height: 1, round: 0, id: 'other', from: 'd' });
    core.receive({ type: 'prevote', height: 1, round: 0, id: null, from: 'd' }); // equivocation
    const state = core.persistentState();
    await f.save(state);
    expect((await stat(path.join(dir, PRIVVAL_FILE))).mode & 0o777).toBe(0o600);
    const loaded = await f.load();
    expect(loaded).toEqual(state);
    const { core: again, out } = TendermintCore.restore(config('b'), loaded!);
    expect(again.lockedValue).toEqual({ id: '1/0/b' });
    expect(out.send.map((m) => m.type)).toEqual(['proposal', 'prevote', 'precommit']);
    expect(again.isFaulty('d')).toBe(true);
  });

  it('saves apply in call order (the last one wins)', async () => {
    const dir = await tmp();
    const f = new PrivValidatorStateFile<Val>(dir, codec);
    const core = new TendermintCore(config('a'), 7);
    const s = core.persistentState();
    await Promise.all([f.save({ ...s, round: 1 }), f.save({ ...s, round: 2 }), f.save({ ...s, round: 3 })]);
    expect((await f.load())?.round).toBe(3);
  });

  it('a damaged file is an error with the ways out, never a silent fresh start', async () => {
    const dir = await tmp();
    const f = new PrivValidatorStateFile<Val>(dir, codec);
    await f.save(new TendermintCore(config('a'), 3).persistentState());
    const file = path.join(dir, PRIVVAL_FILE);
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.slice(0, 40));
    await expect(f.load()).rejects.toThrow(PrivValStateError);
    await writeFile(file, good.replace('"round": 0', '"round": -4'));
    const err = (await f.load().catch((e: unknown) => e)) as PrivValStateError;
    expect(err).toBeInstanceOf(PrivValStateError);
    expect(err.reason).toBe('privval_state_corrupt');
    expect(err.message).toMatch(/round/);
    expect(err.message).toMatch(/restore it from a backup or snapshot/);
  });
});
