/**
 * Crash safety (issue 2): a node takes transfers continuously and is killed with SIGKILL at
 * random instants, 10 times. After each kill:
 * - the chain DB opens without repair and a from-genesis replay matches the stored state root
 *   at every height (`replayChain`: replay from genesis with the node's modules, the code behind `contract-cli chain replay`);
 * - the restarted node reaches `ready` (Chain.open checks the stored state against the head),
 *   its head is at or after the last height seen before the kill, its block at the replayed
 *   height carries the replayed state root, and every transaction seen included before the kill
 *   is still included.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayChain } from '../../../src/node-core/node-modules.js';
import { call, removeTemp, rpc, spawnNode, tempDir } from './helpers.js';

const KILLS = 10;
let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-crash');
});
afterAll(async () => {
  await removeTemp(dir);
});

const randomAddress = () => 'tb1' + randomBytes(20).toString('hex');

// Eleven node starts and ten from-genesis replays: 60 s quiet, 150–240 s at load 12–20 (liveness
// only: every safety check in it stays strict).
describe('crash safety', () => {
  it(`survives ${KILLS} kill -9 at random instants under load`, { timeout: 600_000 }, async () => {
    let lastSeen = 0;
    const included = new Set<string>();
    let submitted = 0;

    for (let round = 0; round <= KILLS; round++) {
      const node = spawnNode({
        dataDir: dir,
        args: ['--block-time-ms', '100', '--log-level', 'warn', '--rpc-tokens-per-sec', '100000'],
      });
      const ready = await node.ready;
      const port = ready.rpc_port;

      // Invariants after the previous kill.
      try {
        const tip = await call(port, 'chain.tip');
        expect(tip.height).toBeGreaterThanOrEqual(lastSeen);
        for (const h of included) expect((await call(port, 'tx.status', [h])).status).toBe('included');
      } catch (e) {
        const state = node.child.exitCode ?? node.child.signalCode ?? 'running';
        throw new Error(`round ${round} (node ${state}, rpc port ${port}): ${(e as Error).message}\n--- stderr\n${node.stderr().slice(-4000)}\n--- stdout\n${node.stdout().slice(-4000)}`, { cause: e });
      }
      if (round === KILLS) {
        node.child.kill('SIGINT');
        expect((await node.exited).code).toBe(0);
        break;
      }

      // Load: sequential transfers from the faucet; a tip read and an inclusion check now and then.
      let alive = true;
      const pending: string[] = [];
      const load = (async () => {
        while (alive) {
          try {
            const r = await rpc(port, 'wallet.transfer', {
              from: 'faucet',
              to: randomAddress(),
              amount: '1',
            });
            if (r.result) {
              submitted++;
              pending.push(r.result.hash);
            }
            const t = await rpc(port, 'chain.tip');
            if (t.result && alive) lastSeen = Math.max(lastSeen, t.result.height);
            const h = pending[0];
            if (h) {
              const s = await rpc(port, 'tx.status', [h]);
              if (s.result?.status === 'included' && alive) {
                included.add(h);
                pending.shift();
              }
            }
          } catch {
            return; // the node is gone
          }
        }
      })();

      // A random instant: 150–1200 ms of load after ready.
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 1050)));
      // Values observed from here on may postdate the kill: stop recording first.
      alive = false;
      node.child.kill('SIGKILL');
      const exit = await node.exited;
      expect(exit.signal).toBe('SIGKILL');
      await load;

      const r = await replayChain(path.join(dir, 'chain'));
      expect(
        r.ok,
        `round ${round}: replay mismatch ${JSON.stringify(r.firstMismatch)} ${r.error ?? ''}`,
      ).toBe(true);
      expect(r.height).toBeGreaterThanOrEqual(lastSeen);

      // The restarted node must agree with the replay at that height.
      const check = spawnNode({ dataDir: dir, args: ['--block-time-ms', '600000', '--log-level', 'warn'] });
      const cr = await check.ready;
      const b = await call(cr.rpc_port, 'chain.block', [r.height]);
      expect(b.state_root).toBe(r.stateRoot);
      expect((await call(cr.rpc_port, 'chain.tip')).height).toBe(r.height);
      check.child.kill('SIGTERM');
      expect((await check.exited).code).toBe(0);
    }
    expect(submitted).toBeGreaterThan(KILLS);
    expect(included.size).toBeGreaterThan(0);
  });
});
