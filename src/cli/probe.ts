/**
 * `probe`: synthetic health checks of a node (spec/rpc_telemetry.md §8), for cron jobs, CI and
 * Prometheus textfile collectors. Each subcommand makes one JSON-RPC call within `--timeout`
 * seconds (default 5) and then checks `--expect <n>` when given:
 *
 *   probe ping-rpc [url]   `node.status` answers.          --expect n: the node's chain id == n
 *   probe tip [url]        `chain.tip` answers.            --expect n: head height >= n
 *   probe mine-one [url]   `dev.mine_one` mines a block.   --expect n: the new block's height >= n
 *   probe gossip-check [url]  peers, block-topic subscribers and sync following.  --expect n: at least n peers
 *
 * The URL is the positional argument, else `--rpc`, else `TB_RPC_URL`, else http://127.0.0.1:8545;
 * `TB_RPC_AUTH_TOKEN` is sent as Bearer (mine-one is a mutating method).
 * Output: one human line (`ok …` / `FAIL …`), `--format json` (an object with success,
 * duration_seconds, metrics), or `--prom`: Prometheus text with `probe_success 0|1`,
 * `probe_duration_seconds` and the probe's figures (`probe_tip_height`, `probe_tip_age_seconds`,
 * `probe_chain_id`, `probe_node_height`, `probe_node_ready`, `probe_mined_height`).
 * Exit 0 on success, 1 on failure (unreachable, error, timeout, failed expectation), 2 on usage errors.
 */
import '../node-core/polyfills.js';
import { Command, Option } from 'commander';
import type { Client } from '../shared/api/client.js';
import { NODE_VERSION } from '../node-core/version.js';
import {
  clientFor,
  errorLine,
  intFlag,
  runProgram,
  secondsFlag,
  SilentFailure,
  withCommon,
  type CommonOpts,
} from './common.js';

interface ProbeOpts extends CommonOpts {
  timeout: string;
  expect?: string;
  prom?: boolean;
}

/** Outcome of one probe run (also the `--format json` shape). */
export interface ProbeOutcome {
  probe: string;
  url: string;
  success: boolean;
  duration_seconds: number;
  /** Human summary of what was seen. */
  detail: string;
  /** Figures exported with `--prom` (name → value). */
  metrics: Record<string, number>;
  error?: string;
}

interface Check {
  detail: string;
  metrics: Record<string, number>;
  /** Why `--expect` failed, or undefined when it holds (or was not given). */
  failed?: string;
}

type ProbeFn = (client: Client, expect: number | undefined) => Promise<Check>;

const PROBES: Record<string, { summary: string; expect: string; run: ProbeFn }> = {
  'ping-rpc': {
    summary: 'check that the node answers JSON-RPC (node.status)',
    expect: 'expected chain id',
    run: async (c, expect) => {
      const s = await c.call('node.status');
      return {
        detail: `node ${s.phase}, network ${s.network}, chain id ${s.chain_id}, height ${s.height}`,
        metrics: {
          probe_chain_id: s.chain_id,
          probe_node_height: s.height,
          probe_node_ready: s.phase === 'ready' ? 1 : 0,
        },
        failed:
          expect !== undefined && s.chain_id !== expect
            ? `chain id ${s.chain_id} is not the expected ${expect}`
            : undefined,
      };
    },
  },
  tip: {
    summary: 'read the head of the chain (chain.tip)',
    expect: 'minimum head height',
    run: async (c, expect) => {
      const t = await c.call('chain.tip');
      const age = Math.max(0, (Date.now() - t.timestamp_ms) / 1000);
      return {
        detail: `height ${t.height}, hash ${t.hash.slice(0, 12)}…, ${age.toFixed(1)} s old`,
        metrics: { probe_tip_height: t.height, probe_tip_age_seconds: Math.round(age * 1000) / 1000 },
        failed:
          expect !== undefined && t.height < expect
            ? `height ${t.height} is below the expected ${expect}`
            : undefined,
      };
    },
  },
  'gossip-check': {
    summary: 'check that the node gossips with peers (net.gossip_status + net.sync_status): connected peers subscribed to the block topic and sync following',
    expect: 'minimum connected peers (default 1)',
    run: async (c, expect) => {
      const [g, s] = await Promise.all([c.call('net.gossip_status'), c.call('net.sync_status')]);
      const blocks = g.topics.find((t) => t.kind === 'blocks');
      const subs = blocks?.subscribers ?? 0;
      const need = expect ?? 1;
      const received = g.topics.reduce((n, t) => n + t.received.accept, 0);
      const detail = `${s.peers} peers, ${subs} on the block topic (mesh ${blocks?.mesh_peers ?? 0}), sync ${s.phase} at ${s.local_height}/${s.target_height}, ${received} gossip messages accepted`;
      const failed = !g.enabled
        ? 'p2p is off on this node (TB_P2P_ENABLED=0)'
        : s.peers < need
          ? `${s.peers} connected peers, fewer than the expected ${need}`
          : subs < Math.min(need, 1)
            ? 'no peer subscribes to the block topic'
            : s.phase !== 'following'
              ? `sync is ${s.phase}, not following`
              : undefined;
      return {
        detail,
        metrics: { probe_gossip_peers: s.peers, probe_gossip_block_subscribers: subs, probe_gossip_accepted: received, probe_sync_following: s.phase === 'following' ? 1 : 0 },
        failed,
      };
    },
  },
  'mine-one': {
    summary: 'mine one block now (dev.mine_one; dev network only)',
    expect: 'minimum height of the mined block',
    run: async (c, expect) => {
      const b = await c.call('dev.mine_one');
      return {
        detail: `mined block ${b.height} (${b.hash.slice(0, 12)}…)`,
        metrics: { probe_mined_height: b.height },
        failed:
          expect !== undefined && b.height < expect
            ? `mined height ${b.height} is below the expected ${expect}`
            : undefined,
      };
    },
  },
};

const HELP: Record<string, string> = {
  probe_gossip_peers: 'Connected peers (net.sync_status).',
  probe_gossip_block_subscribers: 'Peers subscribed to the block gossip topic.',
  probe_gossip_accepted: 'Gossip messages accepted since the node started.',
  probe_sync_following: 'Whether sync is following the best peer (1) or not (0).',
  probe_success: 'Whether the probe succeeded (1) or not (0).',
  probe_duration_seconds: 'Wall time the probe took, in seconds.',
  probe_chain_id: 'Chain id reported by node.status.',
  probe_node_height: 'Head height reported by node.status.',
  probe_node_ready: 'Whether node.status reports phase ready (1) or not (0).',
  probe_tip_height: 'Head height from chain.tip.',
  probe_tip_age_seconds: 'Seconds since the head block timestamp.',
  probe_mined_height: 'Height of the block mined by dev.mine_one.',
};

/** Prometheus text exposition (format 0.0.4) of an outcome. */
export function promText(o: ProbeOutcome): string {
  const all: [string, number][] = [
    ['probe_success', o.success ? 1 : 0],
    ['probe_duration_seconds', o.duration_seconds],
    ...Object.entries(o.metrics),
  ];
  return all
    .map(([name, v]) => `# HELP ${name} ${HELP[name] ?? name}\n# TYPE ${name} gauge\n${name} ${v}\n`)
    .join('');
}

/** Runs one probe; never throws for node-side problems (they become `success: false`). */
export async function runProbe(
  name: string,
  opts: { rpc?: string; timeoutS: number; expect?: number },
): Promise<ProbeOutcome> {
  const p = PROBES[name];
  const { client, url } = clientFor(opts, Math.round(opts.timeoutS * 1000));
  const t0 = performance.now();
  const done = (
    success: boolean,
    detail: string,
    metrics: Record<string, number>,
    error?: string,
  ): ProbeOutcome => ({
    probe: name,
    url,
    success,
    duration_seconds: Math.round(performance.now() - t0) / 1000,
    detail,
    metrics,
    ...(error !== undefined ? { error } : {}),
  });
  try {
    const c = await p.run(client, opts.expect);
    return c.failed ? done(false, c.detail, c.metrics, c.failed) : done(true, c.detail, c.metrics);
  } catch (err) {
    const { message } = errorLine(err);
    return done(false, '', {}, message);
  }
}

export function buildProbe(): Command {
  const program = new Command('probe')
    .description('Synthetic health checks of a node of The Block.')
    .version(NODE_VERSION);
  for (const [name, p] of Object.entries(PROBES)) {
    const cmd = withCommon(
      program
        .command(name)
        .description(`${p.summary}; --expect <n>: ${p.expect}`)
        .argument('[url]', 'node JSON-RPC URL (same as --rpc)')
        .option('--timeout <secs>', 'give up after this many seconds', '5')
        .option('--expect <n>', p.expect)
        .addOption(new Option('--prom', 'print Prometheus text (probe_success, probe_duration_seconds, …)')),
    );
    cmd.action(async (url: string | undefined, opts: ProbeOpts) => {
      const timeoutS = secondsFlag('--timeout', opts.timeout);
      const expect = opts.expect !== undefined ? intFlag('--expect', opts.expect) : undefined;
      const o = await runProbe(name, { rpc: url ?? opts.rpc, timeoutS, expect });
      if (opts.prom) process.stdout.write(promText(o));
      else if (opts.format === 'json') process.stdout.write(JSON.stringify(o, null, 2) + '\n');
      else if (o.success)
        process.stdout.write(`ok    ${name}: ${o.detail} (${(o.duration_seconds * 1000).toFixed(1)} ms)\n`);
      else process.stdout.write(`FAIL  ${name}: ${o.error}${o.detail ? ` — ${o.detail}` : ''}\n`);
      if (!o.success) throw new SilentFailure(1);
    });
  }
  return program;
}

/** Entry used by bin/probe.mjs. */
export async function main(argv: string[] = process.argv): Promise<void> {
  await runProgram(buildProbe(), argv);
}
