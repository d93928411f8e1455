/**
 * The diagnostics bundle: one zip an operator can attach to a bug report.
 *
 * Contents: `README.txt`; `versions.json` (console, node, Node.js, Electron/Chromium when
 * present, OS); `node-status.json` (`node.status`); `metrics.txt` (a `/metrics` snapshot);
 * `peers.json` (`net.peers`); `supervisor.json` (state and recent crashes with their last
 * lines); `config/` (node flags, TB_* environment, the TOML config and .env files, console
 * settings); `logs/` (the newest node log files, last 2 MiB each). Every text goes through the
 * {@link Redactor}: secret values known to the console (environment, settings token, config
 * file, key files' fields) and secret-named assignments are replaced by `[redacted]`.
 * Wallet and key files (`keys/`) are never added; they are only read to learn what to hide.
 *
 * Written atomically to `<data dir>/diagnostics/tb-diagnostics-<UTC time>.zip`.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { CrashInfo, SupervisorState } from '../../shared/api/app.js';
import { NODE_VERSION } from '../../node-core/version.js';
import { writeFileAtomic } from '../../node-core/storage/atomic.js';
import { flagValue } from '../network-switch.js';
import { isSecretName, Redactor, SECRET_ENV } from './redact.js';

export interface DiagnosticsInput {
  dataDir: string;
  /** Node flags the console starts the node with. */
  nodeArgs: string[];
  /** Node environment (the console's own when undefined). */
  env: NodeJS.ProcessEnv;
  /** Working directory of the node (relative config paths). */
  cwd: string;
  supervisor: SupervisorState;
  crashes: CrashInfo[];
  /** Node calls (null when the node is not running). */
  call: ((method: string, params?: unknown) => Promise<unknown>) | null;
  metricsPort: number | null | undefined;
  /** Console settings file and the token it holds (to hide). */
  settingsFile?: string;
  settingsToken?: string;
  mode: string;
  now?: () => number;
}

const LOG_TAIL_BYTES = 2 * 1024 * 1024;
const MAX_LOG_FILES = 5;

/** String leaves of a parsed JSON/TOML value whose key names a secret, or that are long hex/base64 blobs under keys/. */
function secretValues(v: unknown, all: boolean, out: string[] = [], name = ''): string[] {
  if (typeof v === 'string') {
    if (all ? v.length >= 16 : isSecretName(name)) out.push(v);
  } else if (Array.isArray(v)) v.forEach((x) => secretValues(x, all, out, name));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) secretValues(x, all, out, k);
  return out;
}

async function readText(file: string, tail?: number): Promise<string | undefined> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return undefined;
    if (tail && st.size > tail) {
      const fh = await fs.open(file, 'r');
      try {
        const buf = Buffer.alloc(tail);
        await fh.read(buf, 0, tail, st.size - tail);
        const s = buf.toString('utf8');
        return `[… first ${st.size - tail} bytes left out …]\n${s.slice(s.indexOf('\n') + 1)}`;
      } finally {
        await fh.close();
      }
    }
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Collects every secret the bundle must not contain. */
async function knownSecrets(i: DiagnosticsInput, configText: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const env of [i.env, process.env]) for (const name of SECRET_ENV) if (env[name]) out.push(env[name]!);
  for (const [k, v] of Object.entries(i.env)) if (v && isSecretName(k) && /^TB_/.test(k)) out.push(v);
  if (i.settingsToken) out.push(i.settingsToken);
  if (configText) {
    try {
      secretValues(parseToml(configText), false, out);
    } catch {
      /* unparsable config: the line-based net still applies */
    }
  }
  // Key and wallet files: every long string in them is secret material (seeds, keys).
  const keysDir = path.join(i.dataDir, 'keys');
  if (existsSync(keysDir)) {
    for (const f of await fs.readdir(keysDir, { recursive: true })) {
      const t = await readText(path.join(keysDir, String(f)));
      if (!t) continue;
      try {
        secretValues(JSON.parse(t), true, out);
      } catch {
        out.push(...t.split(/\s+/).filter((w) => w.length >= 16));
      }
    }
  }
  return out;
}

async function nodeJson(i: DiagnosticsInput, method: string): Promise<string> {
  if (!i.call)
    return JSON.stringify({ unavailable: `the node is not running (${i.supervisor.state})` }, null, 2);
  try {
    return JSON.stringify(await i.call(method), null, 2);
  } catch (e) {
    return JSON.stringify({ unavailable: (e as Error).message }, null, 2);
  }
}

async function metricsText(port: number | null | undefined): Promise<string> {
  if (!port) return '# metrics unavailable: telemetry is off or the node is not ready\n';
  try {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    return await r.text();
  } catch (e) {
    return `# metrics unavailable: ${(e as Error).message}\n`;
  }
}

/** Builds the bundle; returns its path, name, size, entry names and bytes. */
export async function writeDiagnostics(
  i: DiagnosticsInput,
): Promise<{ path: string; file_name: string; bytes: number; entries: string[]; zip: Uint8Array }> {
  const now = (i.now ?? Date.now)();
  const configFile =
    flagValue(i.nodeArgs, '--config') ?? i.env.TB_CONFIG ?? path.join(i.cwd, 'config', 'node.toml');
  const envFile = flagValue(i.nodeArgs, '--env-file') ?? path.join(i.cwd, '.env');
  const configText = await readText(path.resolve(i.cwd, configFile));
  const envText = await readText(path.resolve(i.cwd, envFile));
  const red = new Redactor(await knownSecrets(i, configText));
  const files: Record<string, string> = {};

  files['README.txt'] = [
    'The Block Operator Console — diagnostics bundle',
    `created ${new Date(now).toISOString()} by the ${i.mode === 'electron' ? 'desktop app' : 'console server'}`,
    `data directory: ${i.dataDir}`,
    'Secrets (RPC tokens, node and wallet keys, TB_NODE_KEY_HEX) are replaced by [redacted]; key and wallet files are not included.',
    '',
  ].join('\n');
  files['versions.json'] = JSON.stringify(
    {
      console: NODE_VERSION,
      node: NODE_VERSION,
      versions: process.versions,
      platform: process.platform,
      arch: process.arch,
      os_release: os.release(),
      cpus: os.cpus().length,
      total_memory: os.totalmem(),
    },
    null,
    2,
  );
  files['node-status.json'] = await nodeJson(i, 'node.status');
  files['peers.json'] = await nodeJson(i, 'net.peers');
  files['metrics.txt'] = await metricsText(i.metricsPort);
  files['supervisor.json'] = JSON.stringify({ state: i.supervisor, recent_crashes: i.crashes }, null, 2);
  files['config/node-args.json'] = JSON.stringify(i.nodeArgs, null, 2);
  files['config/env.json'] = JSON.stringify(red.env(i.env), null, 2);
  if (configText !== undefined) files[`config/${path.basename(configFile)}`] = configText;
  if (envText !== undefined) files['config/dotenv.txt'] = envText;
  if (i.settingsFile) {
    const s = await readText(i.settingsFile);
    if (s !== undefined) files['config/console-settings.json'] = s;
  }
  const logsDir = path.join(i.dataDir, 'logs');
  if (existsSync(logsDir)) {
    const names = (await fs.readdir(logsDir)).filter((n) => !n.startsWith('.'));
    // `node.log` is a symlink to the active `node.<n>.log`: take the files themselves, once each.
    const stats = await Promise.all(
      names.map(async (n) => ({ n, st: await fs.lstat(path.join(logsDir, n)).catch(() => null) })),
    );
    const logFiles = stats.filter((x) => x.st?.isFile()).map((x) => ({ n: x.n, t: x.st!.mtimeMs }));
    for (const { n } of logFiles.sort((a, b) => b.t - a.t).slice(0, MAX_LOG_FILES)) {
      const t = await readText(path.join(logsDir, n), LOG_TAIL_BYTES);
      if (t !== undefined) files[`logs/${n}`] = t;
    }
  }
  const zippable: Zippable = {};
  for (const [name, text] of Object.entries(files))
    zippable[name] = [strToU8(red.text(text)), { mtime: now }];
  const zip = zipSync(zippable, { level: 6 });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const fileName = `tb-diagnostics-${stamp}.zip`;
  const out = path.join(i.dataDir, 'diagnostics', fileName);
  await writeFileAtomic(out, zip, { mode: 0o600 });
  return { path: out, file_name: fileName, bytes: zip.byteLength, entries: Object.keys(files), zip };
}
