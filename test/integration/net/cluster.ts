/**
 * A local testnet for integration tests: N validator processes (+ optional full nodes) started
 * from a `createLocalnet` plan with real ports on 127.0.0.1, real libp2p, real chain DBs, each a
 * child with an IPC channel (lifecycle awaited, no sleeps). Helpers wait on conditions by polling
 * the nodes' JSON-RPC (bounded by a deadline; failures print the nodes' last log lines).
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createLocalnet, freePort, nodeArgs, type LocalnetNode, type LocalnetPlan } from '../../../src/node-core/net/localnet.js';
import { call, removeTemp, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';
import { livenessFactor, startBurners } from './burn.js';

export interface ClusterNode {
  name: string;
  spec: LocalnetNode;
  proc?: NodeProc;
  env: Record<string, string>;
  /** RPC and metrics ports of the running process (any free port at each start: a restart must not race other tests for a fixed one). */
  rpcPort: number;
  metricsPort: number;
}

export interface Cluster {
  dir: string;
  plan: LocalnetPlan;
  nodes: ClusterNode[];
  byName(name: string): ClusterNode;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  rpc(name: string, method: string, params?: unknown): Promise<any>;
  /** Polls `cond` every 150 ms until it returns a truthy value; throws with node logs after `timeoutMs`. */
  until<T>(what: string, cond: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  cleanup(): Promise<void>;
}

/** Sleep-free wait primitive: re-checks a condition against the nodes (not a timing assert). */
async function poll<T>(cond: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch {
      /* node restarting: try again */
    }
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** `built`: the nodes run from the built bundle (spawnNode `built`), not from source. */
export async function startCluster(o: { validators: number; fullNodes?: number; blockTimeMs?: number; stakes?: string[]; env?: Record<string, Record<string, string>>; built?: boolean }): Promise<Cluster> {
  const dir = await tempDir('tb-net');
  const stopBurners = startBurners();
  const plan = await createLocalnet({ dir, validators: o.validators, blockTimeMs: o.blockTimeMs ?? 300, stakes: o.stakes });
  const nodes: ClusterNode[] = plan.nodes.map((spec) => ({ name: spec.name, spec, env: { TB_P2P_TEST_HOOKS: '1', ...(o.env?.[spec.name] ?? {}) }, rpcPort: 0, metricsPort: 0 }));
  for (let i = 1; i <= (o.fullNodes ?? 0); i++) {
    const name = `f${i}`;
    nodes.push({
      name,
      env: { TB_P2P_TEST_HOOKS: '1', ...(o.env?.[name] ?? {}) },
      rpcPort: 0,
      metricsPort: 0,
      spec: { name, data_dir: path.join(dir, name), address: '', peer_id: '', rpc_port: await freePort(), metrics_port: await freePort(), quic_port: await freePort('udp'), tcp_port: await freePort(), pid: null },
    });
  }
  const c: Cluster = {
    dir,
    plan,
    nodes,
    byName(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name}`);
      return n;
    },
    async start(name) {
      const n = c.byName(name);
      await fs.mkdir(n.spec.data_dir, { recursive: true });
      const drop = new Set(['--data-dir', '--rpc-addr', '--metrics-addr']);
      const args = nodeArgs(n.spec, plan.network_file).filter((_, i, a) => !drop.has(a[i]) && !drop.has(a[i - 1]));
      n.proc = spawnNode({ dataDir: n.spec.data_dir, args, env: n.env, cwd: dir, built: o.built });
      const ready = await n.proc.ready;
      n.rpcPort = ready.rpc_port;
      n.metricsPort = ready.metrics_port ?? 0;
    },
    async stop(name) {
      const n = c.byName(name);
      if (n.proc) await stopNode(n.proc);
      n.proc = undefined;
    },
    rpc(name, method, params = []) {
      return call(c.byName(name).rpcPort, method, params);
    },
    async until(what, cond, timeoutMs = 45_000) {
      const v = await poll(cond, timeoutMs * livenessFactor());
      if (v) return v;
      const logs = nodes
        .filter((n) => n.proc)
        .map((n) => `--- ${n.name}\n${n.proc!.stdout().split('\n').filter((l) => !l.includes('"msg":"block"')).slice(-15).join('\n')}`)
        .join('\n');
      throw new Error(`timed out waiting for: ${what}\n${logs}`);
    },
    async cleanup() {
      stopBurners();
      await Promise.all(nodes.map((n) => (n.proc ? stopNode(n.proc) : undefined)));
      await removeTemp(dir);
    },
  };
  await Promise.all(nodes.map((n) => c.start(n.name)));
  return c;
}

/** The Tendermint state of a node (`consensus.finality` → consensus). */
export async function consensusOf(c: Cluster, name: string): Promise<{ height: number; round: number; step: string; proposer: string }> {
  return (await c.rpc(name, 'consensus.finality')).consensus;
}

/** Heads and finalized heights of running nodes. */
export async function tips(c: Cluster, names: string[]): Promise<{ name: string; height: number; finalized: number; hash: string }[]> {
  return Promise.all(
    names.map(async (name) => {
      const t = await c.rpc(name, 'chain.tip');
      return { name, height: t.height, finalized: t.finalized_height, hash: t.hash };
    }),
  );
}

/** Block hash and state root at a height on a node. */
export async function blockAt(c: Cluster, name: string, height: number): Promise<{ hash: string; state_root: string }> {
  const b = await c.rpc(name, 'chain.block', [height]);
  return { hash: b.hash, state_root: b.state_root };
}

/**
 * Checks there is no conflicting finality: at every height up to the lowest finalized height of
 * the nodes, all nodes have the same block and state root. @returns the compared height.
 */
export async function assertSameFinalizedChain(c: Cluster, names: string[], expect: (a: unknown, b: unknown, what: string) => void): Promise<number> {
  const t = await tips(c, names);
  const upTo = Math.min(...t.map((x) => x.finalized));
  for (let h = 1; h <= upTo; h++) {
    const [first, ...rest] = await Promise.all(names.map((n) => blockAt(c, n, h)));
    for (const r of rest) expect(r, first, `block ${h}`);
  }
  return upTo;
}
