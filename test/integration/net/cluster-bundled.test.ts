// Two validators and a full node from the BUILT bundle (out/node/node-entry.js, as the desktop app
// and console server mode run the node), on 127.0.0.1: the bundle's libp2p (QUIC's JavaScript
// bundled, its native binding loaded from its package; one copy of each package version,
// electron.vite.config.ts) listens on QUIC and TCP, the validators commit blocks together (two equal
// stakes: every block needs both votes, so gossip works both ways) and the full node syncs the same
// finalized blocks and state roots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../unit/main/built-output.js';
import { assertSameFinalizedChain, startCluster, tips, type Cluster } from './cluster.js';
import { livenessFactor, stopAllBurners } from './burn.js';

let c: Cluster;
beforeAll(async () => {
  await ensureBuilt();
  c = await startCluster({ validators: 2, fullNodes: 1, built: true });
}, 300_000 * livenessFactor());
afterAll(async () => {
  await c?.cleanup();
  stopAllBurners();
});

describe('a testnet of built nodes', () => {
  it('listens on QUIC and TCP, commits blocks with both validators, and the full node syncs them', { timeout: 120_000 * livenessFactor() }, async () => {
    for (const n of ['v1', 'v2', 'f1']) {
      const info = await c.until(`${n}'s p2p network`, async () => {
        const i = await c.rpc(n, 'net.info');
        return i.enabled && i;
      });
      expect(info.listen.filter((m: string) => /\/udp\/\d+\/quic-v1(\/|$)/.test(m)).length).toBeGreaterThan(0);
      expect(info.listen.filter((m: string) => /\/tcp\/\d+(\/|$)/.test(m)).length).toBeGreaterThan(0);
    }
    await c.until('height 10 finalized on every node', async () => (await tips(c, ['v1', 'v2', 'f1'])).every((t) => t.finalized >= 10));
    const compared = await assertSameFinalizedChain(c, ['v1', 'v2', 'f1'], (a, b, what) => expect(a, what).toEqual(b));
    expect(compared).toBeGreaterThanOrEqual(10);
    const peers = await c.rpc('v1', 'net.peers');
    expect(peers.length).toBe(2);
    expect(peers.every((p: { transport: string }) => ['quic', 'tcp'].includes(p.transport))).toBe(true);
  });
});
