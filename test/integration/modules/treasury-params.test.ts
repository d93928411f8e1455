/**
 * Bad params of the treasury methods over real HTTP JSON-RPC (an in-process node on a free port):
 * a malformed disbursement payload is a −32602 with field-level `data.issues` like every other
 * method (not a −32000 `malformed_tx` sentence), while refusals that depend on the chain or the
 * keys keep their application codes; `gov.param.history` and `gov.param.show` answer an unknown
 * param name with the same error, and a known name without proposals is [].
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_MAX_CHARS } from '../../../src/shared/api/treasury-payload.js';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

let dir: string;
let node: Node | undefined;
let port: number;
const DEST = 'tb1' + '7e'.repeat(20);
const good = (over: Record<string, unknown> = {}, title = 'grant') => ({
  proposal: { title, summary: 'params test', quorum: { operators_ppm: 670000, builders_ppm: 670000 } },
  disbursement: { destination: DEST, amount: 5, memo: '', scheduled_epoch: 1, ...over },
});
const paths = (issues: { path: (string | number)[] }[]) => issues.map((i) => i.path.join('.'));

beforeAll(async () => {
  dir = await tempDir('tb-treasury-params');
  const { config } = loadConfig({ cwd: os.tmpdir(), env: {}, flags: { data_dir: path.join(dir, 'node'), rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '600000', log_level: 'warn', rpc_tokens_per_sec: '100000' } });
  node = await Node.start(config, { stdout: false });
  port = node.rpcPort!;
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await removeTemp(dir);
});

describe('gov.treasury.submit_disbursement params', () => {
  it('a malformed payload is −32602 naming each field', async () => {
    const r = await rpc(port, 'gov.treasury.submit_disbursement', { payload: { disbursement: { destination: 'ct1x', amount: 0, memo: '', scheduled_epoch: 1 } } });
    expect(r.error?.code).toBe(-32602);
    expect(r.error?.data?.reason).toBeUndefined();
    expect(paths(r.error!.data!.issues)).toEqual(expect.arrayContaining(['payload.disbursement.destination', 'payload.disbursement.amount']));
    for (const i of r.error!.data!.issues) expect(i.message).toEqual(expect.any(String));
    // positional form (operations guide): the same issues
    const pos = await rpc(port, 'gov.treasury.submit_disbursement', [{ disbursement: { destination: DEST, memo: '', scheduled_epoch: 1 } }]);
    expect(pos.error?.code).toBe(-32602);
    expect(paths(pos.error!.data!.issues)).toEqual(['payload.disbursement.amount']);
  });

  it('a missing payload, unknown keys and the rules after the schema are field issues too', async () => {
    const none = await rpc(port, 'gov.treasury.submit_disbursement', {});
    expect(none.error?.code).toBe(-32602);
    expect(paths(none.error!.data!.issues)).toEqual(['payload']);
    const extra = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good({ colour: 'red' }) });
    expect(extra.error?.code).toBe(-32602);
    expect(paths(extra.error!.data!.issues)).toEqual(['payload.disbursement']);
    const sum = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good({ expected_receipts: [{ account: DEST, amount: 2 }] }) });
    expect(sum.error?.code).toBe(-32602);
    expect(sum.error!.data!.issues).toEqual([{ path: ['payload', 'disbursement', 'expected_receipts'], message: 'expected receipts sum to 2, amount is 5' }]);
    const blank = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good({}, '   ') });
    expect(paths(blank.error!.data!.issues)).toEqual(['payload.proposal.title']);
    const long = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good({}, 't'.repeat(70_000)) });
    expect(long.error?.code).toBe(-32602);
    expect(paths(long.error!.data!.issues)).toContain('payload.proposal.title');
    // each text under the limit, the whole payload over it
    const big = await rpc(port, 'gov.treasury.submit_disbursement', { payload: { ...good(), proposal: { ...good().proposal, title: 't'.repeat(40_000), summary: 's'.repeat(40_000) } } });
    expect(big.error?.code).toBe(-32602);
    expect(big.error!.data!.issues).toEqual([{ path: ['payload'], message: expect.stringContaining(`(max ${PAYLOAD_MAX_CHARS})`) }]);
  });

  it('a well-formed payload is accepted even when the treasury cannot cover it yet; chain and key refusals keep their app errors', async () => {
    // the node key holds nothing on a fresh dev chain: mempool admission refuses the fee
    const poor = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good() });
    expect(poor.error).toMatchObject({ code: -32000, data: { reason: 'insufficient_balance' } });
    const ok = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good({ amount: 10 ** 12 }), from: 'faucet' });
    expect(ok.error).toBeUndefined();
    expect(ok.result.tx_hash).toMatch(/^[0-9a-f]{64}$/);
    const nobody = await rpc(port, 'gov.treasury.submit_disbursement', { payload: good(), from: 'nobody' });
    expect(nobody.error?.code).toBe(-32010);
    expect(nobody.error?.data?.reason).toBe('not_found');
    // preview still lists problems as a result (not an error), the size limit included
    const pv = await rpc(port, 'gov.treasury.preview', { payload: { ...good(), proposal: { ...good().proposal, title: 't'.repeat(40_000), summary: 's'.repeat(40_000) } } });
    expect(pv.result).toMatchObject({ ok: false, issues: [{ path: '(root)', code: 'PayloadTooLarge', severity: 'error' }] });
  });
});

describe('gov.param.history / gov.param.show with a param name', () => {
  it('an unknown name is the same error from both, listing the known names', async () => {
    const show = await rpc(port, 'gov.param.show', ['no_such_param']);
    const history = await rpc(port, 'gov.param.history', ['no_such_param']);
    expect(show.error).toMatchObject({ code: -32010, data: { reason: 'not_found' } });
    expect(history.error).toEqual(show.error);
    expect(history.error!.message).toMatch(/unknown governance param no_such_param \(known: .*treasury_fee_share_bps/);
  });

  it('a known name with no proposals is []', async () => {
    const r = await rpc(port, 'gov.param.history', { name: 'treasury_fee_share_bps' });
    expect(r.error).toBeUndefined();
    expect(r.result).toEqual([]);
    expect((await rpc(port, 'gov.param.history', [])).result).toEqual([]);
  });
});
