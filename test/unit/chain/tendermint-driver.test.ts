// The consensus driver with real timers and real state files: 4 validators and a full node over an
// in-memory network agree on blocks; a validator stopped and restarted from its state file never
// signs twice; a missing proposer shows up as propose timeouts, round logs and metrics.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type pino from 'pino';
import type { CoreConfig } from '../../../src/node-core/chain/tendermint/core.js';
import { ConsensusDriver } from '../../../src/node-core/chain/tendermint/driver.js';
import { PrivValidatorStateFile } from '../../../src/node-core/chain/tendermint/privval.js';
import type { ConsensusMessage, Input } from '../../../src/node-core/chain/tendermint/types.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

interface Val {
  id: string;
}
const VALS = ['a', 'b', 'c', 'd'];
const codec = { encode: (v: Val) => Buffer.from(v.id).toString('hex'), decode: (h: string) => ({ id: Buffer.from(h, 'hex').toString() }) };

const dirs: string[] = [];
const drivers: ConsensusDriver<Val>[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function config(self: string | undefined): CoreConfig<Val> {
  let n = 0;
  return {
    validators: new Map(VALS.map((v) => [v, 10n])),
    self,
    proposer: (h, r) => VALS[(h + r) % 4],
    getValue: (h, r) => ({ id: `${h}.${r}.${self}.${n++}` }),
    valid: (v) => typeof v.id === 'string',
    idOf: (v) => v.id,
    // Generous: the machine running the tests is shared and loaded (liveness only, never safety).
    timeout: (step, r) => (step === 'commit' ? 20 : (step === 'propose' ? 400 : 200) + 100 * r),
  };
}

function logger(lines: string[]): pino.Logger {
  const rec = (_o: unknown, msg?: string) => void lines.push(String(msg));
  return { info: rec, warn: rec, error: rec, debug: () => {} } as unknown as pino.Logger;
}

describe('consensus driver', () => {
  it('agrees on blocks, resumes a validator from its state file without signing twice, and reports round changes', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tb-driver-'));
    dirs.push(root);
    const nodes = new Map<string, ConsensusDriver<Val> | undefined>();
    const decided = new Map<string, string[]>();
    const signed = new Map<string, string>();
    const doubleSigns: string[] = [];
    const lines: string[] = [];
    const metrics = createMetrics();
    const certs = new Map<number, Input<Val>>();
    const deliver = (from: string, msgs: Input<Val>[]) => {
      for (const [to, d] of nodes) if (to !== from && d) for (const m of msgs) setTimeout(() => nodes.get(to)?.receive(m), Math.floor(Math.random() * 15));
    };
    const start = async (id: string) => {
      const dec = decided.get(id) ?? [];
      decided.set(id, dec);
      const d = await ConsensusDriver.start<Val>({
        config: config(id === 'full' ? undefined : id),
        height: dec.length + 1,
        state: id === 'full' ? undefined : new PrivValidatorStateFile<Val>(path.join(root, id), codec),
        send: (msgs: ConsensusMessage<Val>[]) => {
          for (const m of msgs) {
            const key = `${m.from}/${m.height}/${m.round}/${m.type}`;
            const what = m.type === 'proposal' ? m.value.id : String(m.id);
            if (signed.has(key) && signed.get(key) !== what) doubleSigns.push(key);
            signed.set(key, what);
          }
          deliver(id, msgs);
        },
        onDecision: (x) => {
          dec.push(x.value.id);
          certs.set(x.height, x.certificate);
          // a node behind gets the certificate (catch-up)
          deliver(id, [x.certificate]);
        },
        logger: id === 'b' ? logger(lines) : undefined,
        metrics: id === 'b' ? metrics : undefined,
      });
      nodes.set(id, d);
      drivers.push(d);
      // block sync: a node that starts behind gets the certificates of the heights it missed
      for (const [h, c] of [...certs].sort((x, y) => x[0] - y[0])) if (h > dec.length) d.receive(c);
      return d;
    };
    for (const id of [...VALS, 'full']) await start(id);
    const until = async (pred: () => boolean, what: string) => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => [...decided.values()].every((d) => d.length >= 3), '3 heights everywhere');
    // a stops (crash-like: its timers die with it) and comes back from its state file
    await nodes.get('a')!.stop();
    nodes.set('a', undefined);
    const roundLine = /^consensus round [1-9]\d* at height \d+: /;
    const target = Math.max(...[...decided.values()].map((d) => d.length)) + 4;
    // until a's proposer turn has come up at least once while it is away (a round change at b)
    await until(() => (decided.get('b')?.length ?? 0) >= target - 2 && lines.some((l) => roundLine.test(l)), 'progress without a, past one of its proposer turns');
    const target2 = Math.max(target, (decided.get('b')?.length ?? 0) + 2);
    await start('a');
    await until(() => [...decided.values()].every((d) => d.length >= target2), `${target2} heights everywhere`);
    // agreement: every node's decisions are a prefix of the longest
    const longest = [...decided.values()].sort((x, y) => y.length - x.length)[0];
    for (const [id, d] of decided) expect(d, id).toEqual(longest.slice(0, d.length));
    expect(doubleSigns).toEqual([]);
    // while a was away its proposer turns timed out: a round-change line and the metrics say so
    expect(lines.some((l) => roundLine.test(l))).toBe(true);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/consensus_round_timeouts_total\{step="propose"\} [1-9]/);
    expect(text).toMatch(/^consensus_round \d+$/m);
    expect(text).toMatch(/^finality_lag_blocks \d+$/m);
    expect(nodes.get('b')!.status()).toMatchObject({ height: expect.any(Number), step: expect.any(String), proposer: expect.stringMatching(/^[abcd]$/) });
  }, 120_000);
});
