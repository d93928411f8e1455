/**
 * `contract-cli testnet up|status|down`: a local testnet of N validator processes on 127.0.0.1
 * (src/node-core/net/localnet.ts). `up` generates keys, genesis and `<dir>/network.json`, starts the
 * validators detached (each with its own data dir and ports; output in `<dir>/vN/node.out`) and
 * waits until each answers; `status` shows heights, finalized height and peers per validator;
 * `down` stops them in order (SIGTERM, SIGKILL after 30 s). `up` also records the testnet in
 * `~/.the_block/local-testnets/<name>.json` so the console's network selector finds it.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { createClient, httpTransport } from '../../shared/api/client.js';
import { writeFileAtomic } from '../../node-core/storage/atomic.js';
import { createLocalnet, isOurNode, readPlan, savePlan, spawnDetached, type LocalnetNode, type LocalnetPlan } from '../../node-core/net/localnet.js';
import { intFlag, output, UsageError, type Format } from '../common.js';

/** Where `testnet up` registers local testnets for the console (`<home>/.the_block/local-testnets`). */
export function localTestnetsDir(home = os.homedir()): string {
  return path.join(home, '.the_block', 'local-testnets');
}

export interface NodeRow {
  name: string;
  pid: number | null;
  running: boolean;
  rpc: string;
  address: string;
  peer_id: string;
  phase?: string;
  height?: number;
  finalized_height?: number;
  peers?: number;
  sync?: string;
  error?: string;
}

function client(n: LocalnetNode, timeoutMs = 3000) {
  return createClient(httpTransport(`http://127.0.0.1:${n.rpc_port}`, { timeoutMs }));
}

/** One status row per node of a plan (RPC node.status + net.sync_status where running). */
export async function statusRows(plan: LocalnetPlan): Promise<NodeRow[]> {
  return Promise.all(
    plan.nodes.map(async (n): Promise<NodeRow> => {
      const running = n.pid !== null && isOurNode(n.pid, n.data_dir);
      const row: NodeRow = { name: n.name, pid: running ? n.pid : null, running, rpc: `http://127.0.0.1:${n.rpc_port}`, address: n.address, peer_id: n.peer_id };
      if (!running) return row;
      try {
        const c = client(n);
        const [s, sync] = await Promise.all([c.call('node.status'), c.call('net.sync_status')]);
        return { ...row, phase: s.phase, height: s.height, finalized_height: s.finalized_height, peers: s.peers, sync: sync.phase };
      } catch (err) {
        return { ...row, error: (err as Error).message.split('\n')[0] };
      }
    }),
  );
}

async function waitReady(n: LocalnetNode, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await client(n, 1000).call('node.status')).phase === 'ready') return;
    } catch {
      /* not listening yet */
    }
    if (n.pid === null || !isOurNode(n.pid, n.data_dir)) throw new Error(`validator ${n.name} exited during start; see ${path.join(n.data_dir, 'node.out')}`);
    if (Date.now() > until) throw new Error(`validator ${n.name} did not become ready within ${timeoutMs / 1000} s; see ${path.join(n.data_dir, 'node.out')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function printRows(format: Format, plan: LocalnetPlan, rows: NodeRow[]): void {
  output(format, { name: plan.name, chain_id: plan.chain_id, network_file: plan.network_file, block_time_ms: plan.block_time_ms, nodes: rows }, (r) => {
    const head = ['node', 'pid', 'phase', 'height', 'finalized', 'peers', 'sync', 'rpc'];
    const lines = r.nodes.map((x) => [x.name, x.pid ?? '-', x.running ? (x.phase ?? x.error ?? '?') : 'stopped', x.height ?? '-', x.finalized_height ?? '-', x.peers ?? '-', x.sync ?? '-', x.rpc].map(String));
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (l: string[]) => l.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
    return [`testnet ${r.name} (chain id ${r.chain_id}, ${r.block_time_ms} ms blocks) — ${r.network_file}`, fmt(head), ...lines.map(fmt)];
  });
}

/** Stops the running nodes of a plan (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopNodes(plan: LocalnetPlan, graceMs = 30_000): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all(
    plan.nodes.map(async (n) => {
      if (n.pid === null || !isOurNode(n.pid, n.data_dir)) return;
      const pid = n.pid;
      process.kill(pid, 'SIGTERM');
      const until = Date.now() + graceMs;
      while (isOurNode(pid, n.data_dir) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (isOurNode(pid, n.data_dir)) process.kill(pid, 'SIGKILL');
      stopped.push(n.name);
    }),
  );
  for (const n of plan.nodes) n.pid = null;
  return stopped;
}

export function testnetCommand(): Command {
  const t = new Command('testnet').description('local testnets of validator processes on 127.0.0.1');
  const dirOpt = () => new Option('--dir <dir>', 'testnet directory').default('./local-testnet');
  const fmtOpt = () => new Option('--format <format>', 'output format').choices(['human', 'json']).default('human');

  t.command('up')
    .description('create (if needed) and start a local testnet: keys, genesis, network.json, N validator processes')
    .addOption(new Option('--validators <n>', 'number of validators (1-16)').default('3'))
    .addOption(dirOpt())
    .addOption(new Option('--name <name>', 'network name').default('localnet'))
    .addOption(new Option('--chain-id <id>', 'chain id').default('31338'))
    .addOption(new Option('--block-time-ms <ms>', 'block time in ms').default('1000'))
    .addOption(fmtOpt())
    .action(async (o: { validators: string; dir: string; name: string; chainId: string; blockTimeMs: string; format: Format }) => {
      const validators = intFlag('--validators', o.validators);
      const blockTimeMs = intFlag('--block-time-ms', o.blockTimeMs);
      if (blockTimeMs < 50) throw new UsageError('--block-time-ms must be at least 50');
      if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(o.name)) throw new UsageError('--name: 1-32 of a-z 0-9 _ - (starting with a letter or digit)');
      let plan: LocalnetPlan;
      try {
        plan = readPlan(o.dir);
      } catch {
        plan = await createLocalnet({ dir: o.dir, validators, name: o.name, chainId: intFlag('--chain-id', o.chainId), blockTimeMs });
      }
      for (const n of plan.nodes) if (n.pid === null || !isOurNode(n.pid, n.data_dir)) n.pid = spawnDetached(n, plan.network_file);
      await savePlan(o.dir, plan);
      try {
        await Promise.all(plan.nodes.map((n) => waitReady(n, 90_000)));
      } finally {
        await writeFileAtomic(path.join(localTestnetsDir(), `${plan.name}.json`), JSON.stringify({ name: plan.name, dir: path.resolve(o.dir), network_file: plan.network_file }, null, 2) + '\n').catch(() => {});
      }
      printRows(o.format, plan, await statusRows(plan));
      if (o.format === 'human') process.stdout.write(`join with: npx contract-cli node start --network ${path.relative(process.cwd(), plan.network_file) || plan.network_file}\n`);
    });

  t.command('status')
    .description('heights, finalized height, peers and sync phase per validator')
    .addOption(dirOpt())
    .addOption(fmtOpt())
    .action(async (o: { dir: string; format: Format }) => {
      const plan = readPlan(o.dir);
      printRows(o.format, plan, await statusRows(plan));
    });

  t.command('down')
    .description('stop the validators of a local testnet (their data stays in --dir)')
    .addOption(dirOpt())
    .addOption(fmtOpt())
    .action(async (o: { dir: string; format: Format }) => {
      const plan = readPlan(o.dir);
      const stopped = await stopNodes(plan);
      await savePlan(o.dir, plan);
      output(o.format, { stopped }, (r) => (r.stopped.length ? `stopped ${r.stopped.join(', ')}` : 'no validator was running'));
    });
  return t;
}
