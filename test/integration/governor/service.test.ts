// The governor service on a real chain (classic-level in a temp dir, real block production at
// 50 ms): the operational gate enters from real chain signals; two gates deciding in the same
// epoch are both kept in one decision file; pending intents survive a restart (store reloaded,
// the lost mempool transaction re-submitted) and are applied at epoch_apply; a tampered file is
// caught before submission; shadow mode never submits.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EPOCH_BLOCKS } from '../../../src/node-core/chain/block.js';
import type { Verdict } from '../../../src/node-core/governor/gates.js';
import { governorChainModule, governorState } from '../../../src/node-core/governor/chain-module.js';
import { governorMetrics, type GovernorMetrics } from '../../../src/node-core/governor/metrics.js';
import { Governor, type GovernorOptions } from '../../../src/node-core/governor/service.js';
import { signingKeyFromHex } from '../../../src/node-core/governor/snapshots.js';
import type { GateChanged } from '../../../src/shared/api/governor.js';
import { customGenesis, openTestChain, type TestChain } from '../../unit/chain/helpers.js';

const BLOCK_MS = 50;
const EPOCH_SECS = (EPOCH_BLOCKS * BLOCK_MS) / 1000; // 6 s
const WINDOW = 1; // → streak required 6

let t: TestChain | undefined;
let gov: Governor | undefined;
afterEach(async () => {
  await gov?.stop();
  gov = undefined;
  await t?.cleanup();
  t = undefined;
});

/** Resolves when the chain reaches `height` (newHeads events, no polling). */
function heightReached(tc: TestChain, height: number): Promise<void> {
  if (tc.chain.tip().height >= height) return Promise.resolve();
  return new Promise((resolve) => {
    const off = tc.events.on('newHeads', (h) => {
      if (h.height >= height) {
        off();
        resolve();
      }
    });
  });
}

async function startChain(): Promise<TestChain> {
  const tc = await openTestChain({ genesis: (k) => customGenesis(k, { block_time_ms: BLOCK_MS }), modules: [governorChainModule] });
  // > one window of blocks, evenly spaced whatever the machine's load (the operational gate checks the
  // spacing's smoothness): block timestamps come from a fake Date advanced by BLOCK_MS per block.
  const start = Math.max(tc.chain.tip().timestamp_ms + BLOCK_MS, Date.now() - 40 * BLOCK_MS);
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (let i = 0; i < 31; i++) {
      vi.setSystemTime(start + i * BLOCK_MS);
      await tc.chain.produceBlock();
    }
  } finally {
    vi.useRealTimers();
  }
  return tc;
}

/** The governor's metrics on the test chain's registry, registered once (a restarted governor keeps them, as in the node). */
const govMetrics = new WeakMap<TestChain, GovernorMetrics>();

function options(tc: TestChain, o: Partial<GovernorOptions> = {}): GovernorOptions {
  const tip = tc.chain.tip();
  return {
    dataDir: tc.root,
    dbDir: path.join(tc.root, 'governor_db'),
    windowSecs: WINDOW,
    epochSecs: EPOCH_SECS,
    shadowOnly: false,
    signingKeys: signingKeyFromHex('22'.repeat(32)),
    chain: tc.chain,
    events: tc.events,
    metrics: govMetrics.get(tc) ?? govMetrics.set(tc, governorMetrics(tc.metrics.registry)).get(tc),
    autoTick: false,
    now: () => tip.timestamp_ms + 10,
    ...o,
  };
}

const healthy: Verdict = { signal: 'ok', enterOk: true, stayOk: true, reason: 'dns healthy (test source)', metrics: { txt_success_ratio: 1 } };
const notYet: Verdict = { signal: 'ok', enterOk: false, stayOk: true, reason: 'dns warming up (test source)', metrics: { txt_success_ratio: 0.5 } };

async function ticks(g: Governor, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await g.tick();
}

describe('governor service on a real chain', () => {
  it('two gates deciding in the same epoch are both recorded; restart keeps pending intents; applied at epoch_apply', async () => {
    t = await startChain();
    let calls = 0;
    const events: GateChanged[] = [];
    t.events.on('governor.gateChanged', (e) => events.push(e));
    // naming's source (DNS auctions) lands later in the project; here a test source turns healthy one window after the chain.
    gov = await Governor.start(options(t, { sources: { naming: () => (++calls >= 2 ? healthy : notYet) } }));
    await ticks(gov, 5);
    expect(gov.status().gates.find((g) => g.name === 'operational')).toMatchObject({ state: 'inactive', enter_streak: 5, streak_required: 6 });
    await ticks(gov, 1); // 6th window: operational enters
    await ticks(gov, 1); // 7th: naming (6 healthy windows since the 2nd) enters rehearsal
    expect(events.map((e) => `${e.gate}:${e.from}->${e.to}`)).toEqual(['operational:inactive->active', 'naming:inactive->rehearsal']);
    const decisions = gov.decisions(10);
    expect(decisions.map((d) => d.id)).toEqual([expect.stringMatching(/^naming-\d+-1$/), expect.stringMatching(/^operational-\d+-0$/)]);
    const [naming, operational] = decisions;
    expect(naming.created_epoch).toBe(operational.created_epoch);
    expect(naming.epoch_apply).toBe(operational.epoch_apply);
    expect(naming.state).toBe('pending');
    expect(operational.params_patch).toEqual({ operational: true });
    expect(naming.params_patch).toEqual({ naming_mode: 'rehearsal' });
    // one file holds both; both records name its current hash; the signature verifies
    const snap = await gov.snapshot(operational.epoch_apply);
    expect(snap.status).toBe('found');
    if (snap.status !== 'found') return;
    expect((snap.body!.decisions as { intent_id: string }[]).map((d) => d.intent_id)).toEqual([operational.id, naming.id]);
    expect(naming.snapshot_hash_hex).toBe(snap.payload_hash_hex);
    expect(operational.snapshot_hash_hex).toBe(snap.payload_hash_hex);
    expect(snap.verification).toMatchObject({ signature: 'valid', intents_match: true });
    expect(gov.status().pending).toHaveLength(2);
    expect(await t.metrics.registry.getSingleMetricAsString('governor_intent_backlog')).toMatch(/^governor_intent_backlog 2$/m);
    expect(await t.metrics.registry.getSingleMetricAsString('governor_gate_transitions_total')).toContain('governor_gate_transitions_total{gate="operational",from="inactive",to="active"} 1');

    // Restart: governor and chain closed before the intent transactions made it into a block
    // (the mempool is lost with the process).
    const txs = decisions.map((d) => d.tx_hash!);
    for (const h of txs) expect(t.chain.mempool.has(h)).toBe(true);
    await gov.stop();
    gov = undefined;
    await t.reopen();
    expect(t.chain.mempool.size).toBe(0);
    gov = await Governor.start(options(t, { sources: { naming: () => healthy } }));
    expect(gov.status().pending.map((p) => p.id).sort()).toEqual([naming.id, operational.id].sort());
    expect(gov.status().gates.find((g) => g.name === 'operational')!.state).toBe('active'); // gate memory survived too
    await gov.tick(); // follows the chain: re-submits both
    expect(t.chain.mempool.size).toBe(2);
    t.chain.startProducing();
    await heightReached(t, operational.epoch_apply * EPOCH_BLOCKS - 1);
    expect(t.chain.moduleState(governorState).params).toEqual([]); // not before epoch_apply
    await heightReached(t, operational.epoch_apply * EPOCH_BLOCKS);
    await gov.tick();
    expect(Object.fromEntries(t.chain.moduleState(governorState).params)).toEqual({ naming_mode: '"rehearsal"', operational: 'true' });
    const after = gov.decisions(10);
    expect(after.map((d) => [d.state, d.applied_epoch])).toEqual([['applied', operational.epoch_apply], ['applied', operational.epoch_apply]]);
    expect(gov.status()).toMatchObject({ params: { operational: true, naming_mode: 'rehearsal' }, pending: [] });
  });

  it('a tampered decision file is reported and its intent is not submitted', async () => {
    t = await startChain();
    gov = await Governor.start(options(t));
    await ticks(gov, 6);
    const [d] = gov.decisions(1);
    expect(d.tx_hash).toBeDefined();
    const file = path.join(t.root, 'governor', 'decisions', `epoch-${d.epoch_apply}.json`);
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"operational":true', '"operational":false'));
    const snap = await gov.snapshot(d.epoch_apply);
    expect(snap).toMatchObject({ status: 'found', verification: { signature: 'invalid', intents_match: false } });
    // After a restart the unsent intent is checked against its file before submission.
    await gov.stop();
    gov = undefined;
    await t.reopen();
    gov = await Governor.start(options(t));
    await gov.tick();
    expect(t.chain.mempool.size).toBe(0);
    expect(gov.decisions(1)[0]).toMatchObject({ state: 'pending', hold_reason: expect.stringMatching(/^decision file epoch-\d+\.json hashes to [0-9a-f]{64}, not [0-9a-f]{64}; not submitted$/) });
  });

  it('shadow mode records decisions but never submits', async () => {
    t = await startChain();
    gov = await Governor.start(options(t, { shadowOnly: true, signingKeys: undefined }));
    await ticks(gov, 6);
    const [d] = gov.decisions(5);
    expect(d).toMatchObject({ gate: 'operational', state: 'shadow' });
    expect(d.tx_hash).toBeUndefined();
    expect(t.chain.mempool.size).toBe(0);
    expect(await gov.snapshot(d.epoch_apply)).toMatchObject({ status: 'found', verification: { signature: 'unsigned', intents_match: true } });
    expect(await gov.snapshot(d.epoch_apply + 40)).toEqual({ status: 'not_found', epoch: d.epoch_apply + 40 });
    expect(await t.metrics.registry.getSingleMetricAsString('governor_intent_backlog')).toMatch(/^governor_intent_backlog 0$/m);
  });
});
