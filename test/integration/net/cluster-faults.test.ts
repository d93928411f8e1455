// Byzantine and network faults on a 4-validator testnet (+ a full node), real processes on 127.0.0.1.
// Four, not three: BFT finality is safe while faulty stake is below 1/3, and one double-signer of
// three is exactly 1/3 (honest nodes that count its vote before they see the equivocation can
// then finalize a block the others do not).
// - v4 double-signs (TB_TEST_FAULT=double_sign): every honest node detects the equivocation,
//   holds the two signed votes as proof, excludes v4's stake, and finality continues;
// - partition drill (v1+v2 | v3+f1 via the net.chaos hook, v4 excluded): no conflicting finalized
//   blocks, the minority does not finalize, and after healing every node converges on one chain;
// - gossip chaos (10 % message loss + 80 ms jitter on every node): the nodes keep finalizing and
//   converge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyVote, decodeVote } from '../../../src/node-core/chain/vote.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { fromHex } from '../../../src/node-core/crypto/hash.js';
import { readFileSync } from 'node:fs';
import { assertSameFinalizedChain, blockAt, startCluster, tips, type Cluster } from './cluster.js';
import { livenessFactor } from './burn.js';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ validators: 4, fullNodes: 1, blockTimeMs: 400, env: { v4: { TB_TEST_FAULT: 'double_sign' } } });
}, 90_000);
afterAll(async () => {
  await c?.cleanup();
});

const ALL = ['v1', 'v2', 'v3', 'v4', 'f1'];
const HONEST = ['v1', 'v2', 'v3', 'f1'];

describe('faults on a 3-validator testnet', () => {
  it('detects a double-signing validator everywhere, keeps the proof, excludes its stake and keeps finalizing', { timeout: 120_000 * livenessFactor() }, async () => {
    const v4 = c.byName('v4').spec.address;
    await c.until('every honest node saw the equivocation', async () => {
      const views = await Promise.all(HONEST.map((n) => c.rpc(n, 'consensus.finality')));
      return views.every((v) => v.equivocated_validators.includes(v4));
    });
    for (const n of HONEST) {
      const f = await c.rpc(n, 'consensus.finality');
      expect(f).toMatchObject({ equivocated_stake: '1000', effective_total_stake: '3000', finality_threshold: '2000' });
      expect(f.validators.find((v: { address: string }) => v.address === v4).equivocated).toBe(true);
      // The proof: two votes signed by v3 for different blocks at one height, each verifying.
      const e = f.equivocations[0];
      expect(e.validator).toBe(v4);
      expect(e.votes[0].block_hash).not.toBe(e.votes[1].block_hash);
      const nf = JSON.parse(readFileSync(c.plan.network_file, 'utf8')) as { genesis: { validators: { address: string; public_key: string }[] } };
      const pk = nf.genesis.validators.find((x) => x.address === v4)!.public_key;
      for (const v of e.votes) {
        const bytes = encodeCanonical([c.plan.chain_id, v.height, fromHex(v.block_hash, 32), fromHex(v4.slice(3), 20), fromHex(v.signature, 64)]);
        expect(verifyVote(decodeVote(bytes), pk)).toBe(true);
      }
    }
    const f0 = Math.min(...(await tips(c, HONEST)).map((t) => t.finalized));
    await c.until('finality continues with the honest 2/3', async () => (await tips(c, HONEST)).every((t) => t.finalized >= f0 + 10));
    const m = await fetch(`http://127.0.0.1:${c.byName('v1').metricsPort}/metrics`).then((r) => r.text());
    expect(m).toMatch(/^equivocated_stake 1000$/m);
    expect(m).toMatch(/^effective_total_stake 3000$/m);
    expect(m).toMatch(/^finality_threshold 2000$/m);
    await assertSameFinalizedChain(c, HONEST, (a, b, what) => expect(a, what).toEqual(b));
  });

  it('partition drill: no conflicting finality, the minority does not finalize, all converge after healing', { timeout: 180_000 * livenessFactor() }, async () => {
    // Effective stake is v1 + v2 + v3 (v4 equivocated): v1 + v2 hold 2/3 of it and keep
    // finalizing; v3 (+ the excluded v4) and f1 cannot.
    const id = (n: string) => c.byName(n).spec.peer_id;
    const f1Id = (await c.rpc('f1', 'net.info')).peer_id as string;
    const minority = [id('v3'), id('v4'), f1Id];
    const majority = [id('v1'), id('v2')];
    const side = { v1: minority, v2: minority, v3: majority, v4: majority, f1: majority };
    await Promise.all(Object.entries(side).map(([n, cut]) => c.rpc(n, 'net.chaos', { partition: cut })));
    const before = await tips(c, ALL);
    const minorityFin = Math.max(before[2].finalized, before[3].finalized, before[4].finalized);
    await c.until('the majority finalizes 10 more blocks during the partition', async () => (await tips(c, ['v1', 'v2'])).every((t) => t.finalized >= before[0].finalized + 10));
    await c.until('the minority keeps producing on its side', async () => (await tips(c, ['v3']))[0].height >= before[2].height + 3);
    const during = await tips(c, ALL);
    // The minority side has v3 (1/3 of the effective stake) and the excluded v4: nothing new is final there.
    expect(during[2].finalized).toBeLessThanOrEqual(minorityFin + 1);
    expect(during[4].finalized).toBeLessThanOrEqual(minorityFin + 1);
    // The minority's own block at its head height (v3 proposed alone on its side of the cut).
    const minorityHead = await blockAt(c, 'v3', during[2].height);
    // Heal.
    await Promise.all(ALL.map((n) => c.rpc(n, 'net.chaos', { clear: true })));
    // (Convergence is asked of the honest nodes: the double-signer counts its own votes, so its
    // view of finality is its own business.)
    await c.until('all honest nodes converge on one head and finalize past the partition', async () => {
      const t = await tips(c, HONEST);
      return t.every((x) => x.finalized >= during[0].finalized + 3) && new Set(t.map((x) => x.hash)).size === 1;
    }, 90_000);
    await assertSameFinalizedChain(c, HONEST, (a, b, what) => expect(a, what).toEqual(b));
    // v3 reverted its minority branch (fork choice) and follows the majority's blocks.
    expect(await blockAt(c, 'v3', during[2].height)).not.toEqual(minorityHead);
    expect(await blockAt(c, 'v3', during[2].height)).toEqual(await blockAt(c, 'v1', during[2].height));
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
