/**
 * Paired idle-RSS probe of the BUILT node (issue 17, target < 100 MB): not one of `npm run bench`'s
 * modules (bench/console.ts reports the official figure, one sample), a tool to compare two
 * variants A and B on the same machine load:
 *
 *   node --import tsx bench/node-idle.ts [--samples 5] [--idle 10]
 *        [--a-out DIR] [--b-out DIR] [--a-flag F]… [--b-flag F]… [--a-env K=V]… [--b-env K=V]…
 *        [--a-bare-env] [--b-bare-env]
 *
 * Each variant is a build directory (default: `out/`, the one `npx electron-vite build` writes;
 * e.g. a copy of main's build for "before") plus extra node flags and environment. Samples
 * alternate A B A B…, each a fresh data dir, forked exactly as bench/console.ts forks the node
 * (`out/node/node-entry.js`, the `--tb-node` marker, NODE_V8_FLAGS and the NODE_ENV_DEFAULTS environment
 * unless `--x-bare-env`, JSON IPC). Per sample, `idle`
 * seconds after `ready`, from Linux /proc: VmRSS, RssAnon, RssFile (kB → MB, 1 MB = 1024 kB),
 * thread count and names, the node's CPU at ready (user + system, ms) and fork → ready wall ms.
 * Prints every sample and the medians; Linux only.
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NODE_V8_FLAGS, nodeEnv } from '../src/host/node-flags.js';
import { NODE_ARGS_MARKER } from '../src/node-core/entry-args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Variant {
  name: 'A' | 'B';
  out: string;
  flags: string[];
  env: Record<string, string>;
  /** Without the launchers' environment defaults (NODE_ENV_DEFAULTS): as main forked the node before them. */
  bareEnv: boolean;
}

interface Sample {
  rss: number;
  anon: number;
  file: number;
  threads: number;
  readyMs: number;
  cpuMs: number;
  threadNames: string;
}

/** kB field of /proc/PID/status, in MB. */
function statusMb(status: string, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

/** user + system CPU ms (fields 14/15 of /proc/PID/stat, 100 Hz clock ticks). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function sample(v: Variant, idleS: number): Promise<Sample> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-node-idle-'));
  const flags = ['--data-dir', dataDir, '--rpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0'];
  const t0 = performance.now();
  const cp = fork(path.join(v.out, 'node', 'node-entry.js'), [NODE_ARGS_MARKER, ...flags], {
    execArgv: [...NODE_V8_FLAGS, ...v.flags],
    env: v.bareEnv ? { ...process.env, TB_RESOURCES_DIR: path.join(ROOT, 'resources'), ...v.env } : nodeEnv({ ...process.env, TB_RESOURCES_DIR: path.join(ROOT, 'resources'), ...v.env }),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      cp.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve(performance.now() - t0));
      cp.once('exit', (c) => reject(new Error(`variant ${v.name}: the node exited (${c}) before ready`)));
    });
    const cpu = cpuMs(cp.pid!);
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const status = readFileSync(`/proc/${cp.pid}/status`, 'utf8');
    const names = readdirSync(`/proc/${cp.pid}/task`).map((t) => readFileSync(`/proc/${cp.pid}/task/${t}/comm`, 'utf8').trim());
    return {
      rss: statusMb(status, 'VmRSS'),
      anon: statusMb(status, 'RssAnon'),
      file: statusMb(status, 'RssFile'),
      threads: names.length,
      readyMs: Math.round(readyMs),
      cpuMs: cpu,
      threadNames: [...new Set(names)].map((n) => `${n}×${names.filter((x) => x === n).length}`).join(' '),
    };
  } finally {
    if (cp.exitCode === null) {
      const exited = new Promise((r) => cp.once('exit', r));
      cp.send({ type: 'stop' });
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function variantOf(name: 'A' | 'B', out: string | undefined, flags: string[] | undefined, env: string[] | undefined, bareEnv = false): Variant {
  return {
    name,
    bareEnv,
    out: path.resolve(out ?? path.join(ROOT, 'out')),
    flags: flags ?? [],
    env: Object.fromEntries((env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
}

async function main(): Promise<void> {
  const { values: o } = parseArgs({
    options: {
      samples: { type: 'string', default: '5' },
      idle: { type: 'string', default: '10' },
      'a-out': { type: 'string' },
      'b-out': { type: 'string' },
      'a-flag': { type: 'string', multiple: true },
      'b-flag': { type: 'string', multiple: true },
      'a-env': { type: 'string', multiple: true },
      'b-env': { type: 'string', multiple: true },
      'a-bare-env': { type: 'boolean', default: false },
      'b-bare-env': { type: 'boolean', default: false },
    },
  });
  const variants = [variantOf('A', o['a-out'], o['a-flag'], o['a-env'], o['a-bare-env']), variantOf('B', o['b-out'], o['b-flag'], o['b-env'], o['b-bare-env'])];
  for (const v of variants) console.log(`${v.name}: ${v.out} flags [${v.flags.join(' ')}] env ${JSON.stringify(v.env)}${v.bareEnv ? ' (no NODE_ENV_DEFAULTS)' : ''}`);
  const results: Record<string, Sample[]> = { A: [], B: [] };
  for (let i = 0; i < Number(o.samples); i++) {
    for (const v of i % 2 ? [...variants].reverse() : variants) {
      const s = await sample(v, Number(o.idle));
      results[v.name].push(s);
      console.log(
        `${v.name}#${i + 1} rss ${s.rss.toFixed(1)} anon ${s.anon.toFixed(1)} file ${s.file.toFixed(1)} MB, threads ${s.threads} (${s.threadNames}), ready ${s.readyMs} ms, cpu@ready ${s.cpuMs} ms, load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
  }
  for (const v of variants) {
    const r = results[v.name];
    const m = (k: keyof Omit<Sample, 'threadNames'>) => median(r.map((s) => s[k]));
    console.log(`median ${v.name}: rss ${m('rss').toFixed(1)} anon ${m('anon').toFixed(1)} file ${m('file').toFixed(1)} MB, threads ${m('threads')}, ready ${m('readyMs')} ms, cpu@ready ${m('cpuMs')} ms`);
  }
}

await main();
