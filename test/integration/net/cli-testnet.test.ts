// The operator flow of issue 6 through the real CLIs: `contract-cli testnet up` starts detached
// validator processes, `testnet status` reports them, a full node joins with
// `contract-cli node start --network <dir>/network.json`, `mesh status`, `diagnostics gossip` and
// `probe gossip-check` answer, `mesh reseed` purges the peer store, `testnet down` stops everything.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../../src/node-core/net/localnet.js';
import { call, removeTemp, runCli, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';

let dir = '';
let home = '';
let full: NodeProc | undefined;
afterAll(async () => {
  if (full) await stopNode(full);
  if (dir && existsSync(path.join(dir, 'tn', 'testnet.json'))) await runCli('contract-cli', ['testnet', 'down', '--dir', path.join(dir, 'tn')], { env: { HOME: home } });
  if (dir) await removeTemp(dir);
});

describe('contract-cli testnet / mesh / diagnostics and probe gossip-check', () => {
  it('runs a local testnet that a full node joins', { timeout: 240_000 }, async () => {
    dir = await tempDir('tb-cli-net');
    home = path.join(dir, 'home');
    const tn = path.join(dir, 'tn');
    const env = { HOME: home };
    const up = await runCli('contract-cli', ['testnet', 'up', '--validators', '2', '--dir', tn, '--block-time-ms', '300'], { env });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^testnet localnet \(chain id 31338, 300 ms blocks\)/m);
    expect(up.stdout).toMatch(/^v1\s+\d+\s+ready/m);
    expect(up.stdout).toMatch(/join with: npx contract-cli node start --network .*network\.json/);
    // Registered for the console's network selector.
    expect(JSON.parse(readFileSync(path.join(home, '.the_block', 'local-testnets', 'localnet.json'), 'utf8'))).toMatchObject({ name: 'localnet', dir: tn });

    const plan = readPlan(tn);
    // Both validators finalize (watched over RPC; each CLI run costs a process start).
    for (;;) {
      const st = await Promise.all(plan.nodes.map((n) => call(n.rpc_port, 'node.status')));
      if (st.every((s) => s.finalized_height >= 5 && s.peers === 1)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const st = JSON.parse((await runCli('contract-cli', ['testnet', 'status', '--dir', tn, '--format', 'json'], { env })).stdout);
    expect(st.nodes.map((n: { name: string; running: boolean; phase: string }) => [n.name, n.running, n.phase])).toEqual([
      ['v1', true, 'ready'],
      ['v2', true, 'ready'],
    ]);
    expect(st.nodes.every((n: { finalized_height: number }) => n.finalized_height >= 5)).toBe(true);

    // A full node joins by network file.
    const fdir = path.join(dir, 'full node');
    full = spawnNode({ dataDir: fdir, args: ['--network', plan.network_file], viaCli: true, env });
    const ready = await full.ready;
    expect(ready.network).toBe('localnet');
    for (;;) {
      const s = await call(ready.rpc_port, 'net.sync_status');
      if (s.phase === 'following' && s.finalized_height >= 8) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const url = `http://127.0.0.1:${ready.rpc_port}`;
    const mesh = await runCli('contract-cli', ['mesh', 'status', '--rpc', url]);
    expect(mesh.code).toBe(0);
    expect(mesh.stdout).toMatch(/^network\s+localnet \(chain id 31338\)/m);
    expect(mesh.stdout).toMatch(/^peers\s+2$/m);
    expect(mesh.stdout).toMatch(/\s(quic|tcp)\s+outbound\s/);
    const diag = await runCli('contract-cli', ['diagnostics', 'gossip', '--rpc', url]);
    expect(diag.code).toBe(0);
    expect(diag.stdout).toMatch(/^tb\/31338\/[0-9a-f]{16}\/blocks\s+\d+\s+2\s+[1-9]/m);
    const probe = await runCli('probe', ['gossip-check', url, '--timeout', '5']);
    expect(probe.stdout).toMatch(/^ok\s+gossip-check: 2 peers, 2 on the block topic/);
    expect(probe.code).toBe(0);
    const probeProm = await runCli('probe', ['gossip-check', url, '--expect', '3', '--prom']);
    expect(probeProm.code).toBe(1);
    expect(probeProm.stdout).toMatch(/^probe_success 0$/m);
    expect(probeProm.stdout).toMatch(/^probe_gossip_peers 2$/m);

    // A node of another chain (a dev node statically peered with v1) is refused on both sides.
    const v1 = plan.nodes[0];
    const dev = spawnNode({ dataDir: path.join(dir, 'dev node'), args: ['--static-peers', `127.0.0.1:${v1.tcp_port}`] });
    const devReady = await dev.ready;
    try {
      const v1Log = () => readFileSync(path.join(v1.data_dir, 'node.out'), 'utf8');
      while (!/refusing peer .*: it runs chain id 31337 .*this node runs chain id 31338/.test(v1Log())) await new Promise((r) => setTimeout(r, 200));
      while (!/refusing peer .*: it runs chain id 31338 .*this node runs chain id 31337/.test(dev.stdout())) await new Promise((r) => setTimeout(r, 200));
      // The connection is closed right after the refusal (the answer goes out first).
      while ((await call(devReady.rpc_port, 'net.peers')).length > 0) await new Promise((r) => setTimeout(r, 100));
      expect((await call(devReady.rpc_port, 'net.info')).banned.map((b: { peer_id: string }) => b.peer_id)).toContain(v1.peer_id);
      const peersOfV1 = await call(v1.rpc_port, 'net.peers');
      expect(peersOfV1.map((p: { node_address?: string }) => p.node_address)).not.toContain(devReady.node_address);
    } finally {
      await stopNode(dev);
    }

    // Runbook: reseed purges the remembered peers and redials the bootstrap peers.
    // (The peer store is written at most every 2 s: wait for the file to list both validators.)
    const store = path.join(fdir, 'overlay', 'overlay_peers.json');
    while (!existsSync(store) || JSON.parse(readFileSync(store, 'utf8')).length < 2) await new Promise((r) => setTimeout(r, 200));
    expect(JSON.parse(readFileSync(store, 'utf8')).map((p: { peer_id: string }) => p.peer_id).sort()).toEqual(plan.nodes.map((n) => n.peer_id).sort());
    const reseed = await runCli('contract-cli', ['mesh', 'reseed', '--rpc', url, '--format', 'json']);
    expect(JSON.parse(reseed.stdout)).toMatchObject({ purged: 2 });
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual([]);

    const down = await runCli('contract-cli', ['testnet', 'down', '--dir', tn], { env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/^stopped v[12], v[12]$/m);
    const after = JSON.parse((await runCli('contract-cli', ['testnet', 'status', '--dir', tn, '--format', 'json'], { env })).stdout);
    expect(after.nodes.every((n: { running: boolean }) => !n.running)).toBe(true);
  });
});
