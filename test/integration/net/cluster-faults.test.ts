// Byzantine and network faults on a 4-validator testnet (+ a full node), real processes on 127.0.0.1,
// Tendermint consensus (commit on more than 2/3 of the stake; 4 × 1000 tolerates one fault).
// - v4 double-signs (TB_TEST_FAULT=double_sign: a second, conflicting prevote/precommit for every
//   vote): every honest node detects the equivocation and holds the two signed messages as proof
//   (gossiped as evidence); the proof is committed in a block, every node excludes v4 from the
//   same height on (its stake no longer counts: quorums need > 2/3 of the 3000 left), and blocks
//   keep committing with v1+v2+v3;
// - partition drill (v1+v2+v3 | v4+f1 via the net.chaos hook; v4 is excluded by then): no
//   conflicting committed blocks, the minority commits nothing new, and after healing every node
//   converges on one chain;
// - gossip chaos (10 % message loss + 80 ms jitter on every node): the nodes keep committing and
//   converge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/node-core/chain/tendermint/wire.js';
import { fromHex } from '../../../src/node-core/crypto/hash.js';
import { readFileSync } from 'node:fs';
import { assertSameFinalizedChain, startCluster, tips, type Cluster } from './cluster.js';
import { livenessFactor, stopAllBurners } from './burn.js';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ validators: 4, fullNodes: 1, blockTimeMs: 400, env: { v4: { TB_TEST_FAULT: 'double_sign' } } });
}, 90_000 * livenessFactor());
afterAll(async () => {
  await c?.cleanup();
  stopAllBurners();
});

const ALL = ['v1', 'v2', 'v3', 'v4', 'f1'];
const HONEST = ['v1', 'v2', 'v3', 'f1'];

describe('faults on a 4-validator testnet', () => {
  it('detects a double-signing validator everywhere, keeps the proof, reports its stake and keeps committing', { timeout: 120_000 * livenessFactor() }, async () => {
    const v4 = c.byName('v4').spec.address;
    await c.until('every honest node saw the equivocation', async () => {
      const views = await Promise.all(HONEST.map((n) => c.rpc(n, 'consensus.finality')));
      return views.every((v) => v.equivocated_validators.includes(v4));
    });
    const nf = JSON.parse(readFileSync(c.plan.network_file, 'utf8')) as { genesis: { validators: { address: string; public_key: string }[] } };
    const keys = { chainId: c.plan.chain_id, keyOf: (a: string) => { const v = nf.genesis.validators.find((x) => x.address.slice(3) === a); return v && fromHex(v.public_key, 32); } };
    // The proof is committed in a block: every node (v4 too) excludes v4 from the same height on.
    await c.until('every node holds the exclusion', async () => (await Promise.all(ALL.map((n) => c.rpc(n, 'consensus.finality')))).every((v) => v.excluded_validators.length > 0));
    const exclusions = await Promise.all(ALL.map(async (n) => (await c.rpc(n, 'consensus.finality')).excluded_validators));
    for (const x of exclusions) expect(x).toEqual(exclusions[0]);
    expect(exclusions[0]).toHaveLength(1);
    expect(exclusions[0][0].address).toBe(v4);
    const from = exclusions[0][0].from_height as number;
    for (const n of ALL) expect((await c.rpc(n, 'chain.block', { height: from - 1 })).evidence_count, n).toBe(1);
    for (const n of HONEST) {
      const f = await c.rpc(n, 'consensus.finality');
      expect(f).toMatchObject({ equivocated_stake: '1000', excluded_stake: '1000', effective_total_stake: '3000', finality_threshold: '2001' });
      expect(f.validators.find((v: { address: string }) => v.address === v4)).toMatchObject({ equivocated: true, excluded_from_height: from });
      // The proof: two messages signed by v4 in one (height, round, step) slot for different values, each verifying.
      const e = f.equivocations[0];
      expect(e.validator).toBe(v4);
      expect(e.votes[0].block_hash).not.toBe(e.votes[1].block_hash);
      const [a, b] = e.votes.map((v: { signed_message: string }) => decodeMessage(fromHex(v.signed_message), keys).msg);
      expect(a.from).toBe(v4.slice(3));
      expect([b.from, b.type, b.height, b.round]).toEqual([a.from, a.type, a.height, a.round]);
    }
    const f0 = Math.max(from, Math.min(...(await tips(c, HONEST)).map((t) => t.finalized)));
    await c.until('blocks keep committing with the honest validators', async () => (await tips(c, HONEST)).every((t) => t.finalized >= f0 + 10), 90_000);
    // v4 builds no block from the exclusion on (proposer(h, r) runs over v1, v2, v3).
    for (let h = from; h <= f0 + 10; h++) expect((await c.rpc('f1', 'chain.block', { height: h })).proposer, `block ${h}`).not.toBe(v4);
    const m = await fetch(`http://127.0.0.1:${c.byName('v1').metricsPort}/metrics`).then((r) => r.text());
    expect(m).toMatch(/^equivocated_stake 1000$/m);
    expect(m).toMatch(/^consensus_excluded_stake 1000$/m);
    expect(m).toMatch(/^consensus_validators_excluded 1$/m);
    expect(m).toMatch(/^effective_total_stake 3000$/m);
    expect(m).toMatch(/^finality_threshold 2001$/m);
    expect(m).toMatch(/^equivocations_total [1-9]/m);
    await assertSameFinalizedChain(c, HONEST, (a, b, what) => expect(a, what).toEqual(b));
  });

  it('partition drill: no conflicting blocks, the minority commits nothing, all converge after healing', { timeout: 180_000 * livenessFactor() }, async () => {
    // v4 is excluded (first test): v1 + v2 + v3 hold all 3000 of the active stake and keep
    // committing; the excluded v4 and the full node f1 cannot.
    const id = (n: string) => c.byName(n).spec.peer_id;
    const f1Id = (await c.rpc('f1', 'net.info')).peer_id as string;
    const minority = [id('v4'), f1Id];
    const majority = [id('v1'), id('v2'), id('v3')];
    const side = { v1: minority, v2: minority, v3: minority, v4: majority, f1: majority };
    await Promise.all(Object.entries(side).map(([n, cut]) => c.rpc(n, 'net.chaos', { partition: cut })));
    const before = await tips(c, ALL);
    const minorityFin = Math.max(before[3].finalized, before[4].finalized);
    await c.until('the majority commits 10 more blocks during the partition', async () => (await tips(c, ['v1', 'v2'])).every((t) => t.finalized >= before[0].finalized + 10));
    const during = await tips(c, ALL);
    // A height in flight when the cut came may still commit on the minority side; nothing beyond it.
    expect(during[3].finalized).toBeLessThanOrEqual(minorityFin + 1);
    expect(during[4].finalized).toBeLessThanOrEqual(minorityFin + 1);
    await assertSameFinalizedChain(c, ALL, (a, b, what) => expect(a, what).toEqual(b));
    // Heal.
    await Promise.all(ALL.map((n) => c.rpc(n, 'net.chaos', { clear: true })));
    await c.until('all honest nodes converge on one head and commit past the partition', async () => {
      const t = await tips(c, HONEST);
      return t.every((x) => x.finalized >= during[0].finalized + 3) && new Set(t.map((x) => x.hash)).size === 1;
    }, 90_000);
    await assertSameFinalizedChain(c, ALL, (a, b, what) => expect(a, what).toEqual(b));
  });

  it('gossip chaos: 10 % loss and 80 ms jitter on every node, the nodes still converge', { timeout: 180_000 * livenessFactor() }, async () => {
    await Promise.all(ALL.map((n) => c.rpc(n, 'net.chaos', { loss_percent: 10, jitter_ms: 80 })));
    const g = await c.rpc('v1', 'net.gossip_status');
    expect(g.chaos).toMatchObject({ loss_percent: 10, jitter_ms: 80 });
    const f0 = Math.max(...(await tips(c, HONEST)).map((t) => t.finalized));
    await c.until('every honest node finalizes 15 more blocks under loss and jitter', async () => (await tips(c, HONEST)).every((t) => t.finalized >= f0 + 15), 120_000);
    await Promise.all(ALL.map((n) => c.rpc(n, 'net.chaos', { clear: true })));
    await c.until('converged on one head', async () => new Set((await tips(c, HONEST)).map((x) => x.hash)).size === 1, 60_000);
    await assertSameFinalizedChain(c, HONEST, (a, b, what) => expect(a, what).toEqual(b));
  });
});
