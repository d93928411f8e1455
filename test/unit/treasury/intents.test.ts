/**
 * The executor's intent queue (treasury/executor.ts) over a real file and a scripted chain: the
 * intent is on disk before its tx is submitted; a nonce taken meanwhile re-signs once; another
 * refusal removes it; reconciliation re-submits a lost tx, keeps a pending one and retires intents
 * whose disbursement left Timelocked; a file that does not parse is moved aside.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcError } from '../../../src/shared/api/errors.js';
import { IntentQueue, type IntentChain, type IntentResult } from '../../../src/node-core/treasury/executor.js';
import { EMPTY_TREASURY, type Disbursement, type TreasuryState } from '../../../src/node-core/treasury/state.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});
async function file(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-intents-'));
  dirs.push(d);
  return path.join(d, 'treasury', 'intents.json');
}
const LEASE = { id: 3, holder: 'tb1' + 'aa'.repeat(20), acquired_height: 1, expires_height: 90, renewals: 2 };
const meta = (id = 1) => ({ disbursement_id: id, signer: LEASE.holder, staged_height: 10, staged_at_ms: 1, lease: LEASE });
const tx = (n: number) => ({ hash: n.toString(16).padStart(64, '0'), bytes: new Uint8Array([n]), nonce: BigInt(n) });

class FakeChain implements IntentChain {
  s: TreasuryState = { ...EMPTY_TREASURY, disbursements: [{ id: 1, status: 'Timelocked', tx_hash: null } as unknown as Disbursement] };
  status = new Map<string, 'pending' | 'included' | 'unknown'>();
  submitted: number[] = [];
  refuse: RpcError[] = [];
  onSubmit: () => void = () => undefined;
  state = () => this.s;
  txStatus = async (h: string) => ({ status: this.status.get(h) ?? ('unknown' as const) });
  submit = (b: Uint8Array) => {
    this.onSubmit();
    const e = this.refuse.shift();
    if (e) throw e;
    this.submitted.push(b[0]!);
  };
}

describe('executor intent queue', () => {
  it('persists the intent (with its lease) before submitting; re-signs once when the nonce was taken', async () => {
    const f = await file();
    const c = new FakeChain();
    const q = new IntentQueue(f, c);
    let onDisk: unknown;
    c.onSubmit = () => void (onDisk = JSON.parse(readFileSync(f, 'utf8'))); // what is on disk when the tx goes out
    c.refuse = [RpcError.app('duplicate', 'nonce 7 pending')];
    let n = 7;
    const hash = await q.stage(meta(), () => tx(n++));
    expect(hash).toBe(tx(8).hash);
    expect(c.submitted).toEqual([8]);
    expect(onDisk).toMatchObject({ version: 1, intents: [{ disbursement_id: 1 }] });
    const saved = JSON.parse(await fs.readFile(f, 'utf8'));
    expect(saved.intents).toEqual([{ ...meta(), lease: { id: 3, holder: LEASE.holder, expires_height: 90, renewals: 2 }, tx_hash: tx(8).hash, tx_hex: '08', nonce: '8', submissions: 1 }]);
  });

  it('another refusal removes the intent and is reported', async () => {
    const f = await file();
    const c = new FakeChain();
    const q = new IntentQueue(f, c);
    c.refuse = [RpcError.app('lease_not_held', 'no live lease')];
    await expect(q.stage(meta(), () => tx(1))).rejects.toThrow(/no live lease/);
    expect(q.intents).toEqual([]);
    expect(q.lastError).toMatch(/no live lease/);
    expect(JSON.parse(await fs.readFile(f, 'utf8')).intents).toEqual([]);
  });

  it('after a restart: reloads, re-submits a lost tx, keeps a pending one, retires a settled one', async () => {
    const f = await file();
    const c = new FakeChain();
    c.s = { ...EMPTY_TREASURY, disbursements: [1, 2].map((id) => ({ id, status: 'Timelocked', tx_hash: null }) as unknown as Disbursement) };
    const first = new IntentQueue(f, c);
    await first.stage(meta(1), () => tx(1));
    await first.stage(meta(2), () => tx(2));
    const results: IntentResult[] = [];
    const q = new IntentQueue(f, c, (r) => results.push(r)); // a new process
    await q.load();
    expect(q.intents.map((i) => i.disbursement_id)).toEqual([1, 2]);
    c.status.set(tx(2).hash, 'pending'); // tx 1 was lost with the mempool
    c.submitted = [];
    await q.reconcile();
    expect(c.submitted).toEqual([1]);
    expect(q.intents.map((i) => [i.disbursement_id, i.submissions])).toEqual([[1, 2], [2, 1]]);
    c.s = { ...c.s, disbursements: [{ id: 1, status: 'Executed', tx_hash: tx(1).hash } as unknown as Disbursement, { id: 2, status: 'RolledBack', tx_hash: null } as unknown as Disbursement] };
    await q.reconcile();
    expect(q.intents).toEqual([]);
    expect(results).toEqual(['success', 'superseded']);
    expect(JSON.parse(await fs.readFile(f, 'utf8')).intents).toEqual([]);
  });

  it('a lost tx the chain now refuses is dropped with the reason', async () => {
    const f = await file();
    const c = new FakeChain();
    const q = new IntentQueue(f, c, () => undefined);
    await q.stage(meta(), () => tx(5));
    c.refuse = [RpcError.app('nonce_too_low', 'nonce 5 was already used')];
    await q.reconcile();
    expect(q.intents).toEqual([]);
    expect(q.lastError).toMatch(/dropped: nonce 5 was already used/);
  });

  it('a file that does not parse is moved aside and the queue starts empty', async () => {
    const f = await file();
    await fs.mkdir(path.dirname(f), { recursive: true });
    await fs.writeFile(f, '{"version":1,"intents":[{"disbursement_id":');
    const q = new IntentQueue(f, new FakeChain());
    await q.load();
    expect(q.intents).toEqual([]);
    expect(q.lastError).toMatch(/did not parse/);
    expect((await fs.readdir(path.dirname(f))).some((x) => x.startsWith('intents.json.unreadable-'))).toBe(true);
  });
});
