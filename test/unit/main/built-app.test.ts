/**
 * The BUILT desktop app, run as a packaged app would be: the files electron-builder.yml ships
 * (scripts/package-files.mjs: out/, package.json, the production node_modules — no src/, no tsx)
 * are copied into `<tmp>/The Block Console ü/resources/app/`, the resources (genesis/, networks/)
 * beside them as `extraResources` puts them, and `out/main/index.js` runs under plain Node with an
 * `electron` stand-in (fixtures/electron-standin: utilityProcess = a real forked child with
 * `process.parentPort` emulated over its IPC channel). Walk: the node starts from the built bundle
 * with the resources directory passed explicitly; node.status ready; the built-in networks are
 * listed from the resources directory; snapshot create (workers in the node) → restore (workers in
 * main); a kill -9 of the node is restarted; closing the window stops the node, then the window,
 * then quits. Plus production hardening: DevTools off, no menu, shortcuts swallowed, and a
 * remote-debugging switch refused before anything starts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { genesisHash } from '../../../src/node-core/chain/genesis.js';
import { keysFromSeed } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { networkFileOf, writeNetworkFile } from '../../../src/node-core/net/network-file.js';
// @ts-expect-error plain ESM script without type declarations
import { packagedFiles } from '../../../scripts/package-files.mjs';
import { ensureBuilt, ROOT } from './built-output.js';

const REGISTER = fileURLToPath(new URL('./fixtures/electron-standin/register.mjs', import.meta.url));
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

let base: string;
let resources: string;
let appDir: string;
let data: string;

interface Running {
  cp: ChildProcess;
  events: { event: string; [k: string]: any }[];
  stderr: string[];
  exit: Promise<number | null>;
  call(method: string, params?: unknown): Promise<any>;
  request(op: string, extra: Record<string, unknown>): Promise<any>;
  waitEvent(event: string, pred?: (e: any) => boolean, timeoutMs?: number): Promise<any>;
}

/** Starts the staged, built app with the stand-in. `flags` go to the app (before `--`), `nodeFlags` to the node. */
function startApp(flags: string[], nodeFlags: string[]): Running {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TB_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  const cp = fork(path.join(appDir, 'out/main/index.js'), [...flags, '--', ...nodeFlags], {
    cwd: base,
    execArgv: ['--import', REGISTER],
    env: { ...env, STANDIN_PACKAGED: '1', STANDIN_RESOURCES_PATH: resources, STANDIN_APP_PATH: appDir },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const events: Running['events'] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const replies = new Map<number, (v: any) => void>();
  let nextId = 1;
  cp.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
  cp.stdout!.on('data', () => {});
  cp.on('message', (m: any) => {
    if (m?.op === 'event') {
      events.push(m);
      for (const w of waiters) w();
    } else if (m?.op === 'reply') replies.get(m.id)?.(m.value);
  });
  const exit = new Promise<number | null>((resolve) => cp.on('exit', (code) => resolve(code)));
  const request = (op: string, extra: Record<string, unknown>) =>
    new Promise<any>((resolve, reject) => {
      const id = nextId++;
      replies.set(id, resolve);
      if (!cp.connected || !cp.send({ op, id, ...extra })) reject(new Error('the app is gone'));
    });
  const call = async (method: string, params: unknown = {}) => {
    const r = await request('call', { method, params });
    if (!r?.ok) throw Object.assign(new Error(`${method}: ${r?.error?.message ?? JSON.stringify(r)}`), { rpc: r?.error });
    return r.result;
  };
  const waitEvent = (event: string, pred: (e: any) => boolean = () => true, timeoutMs = 60_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const e = events.find((x) => x.event === event && pred(x));
        if (e) {
          waiters.delete(check);
          clearTimeout(t);
          resolve(e);
        }
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${event} event within ${timeoutMs} ms; events: ${events.map((x) => x.event).join(', ')}; stderr: ${stderr.join('')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { cp, events, stderr, exit, call, request, waitEvent };
}

/** Polls `f` until it returns a truthy value (liveness waits are generous: the machine is shared). */
async function until<T>(f: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const NODE_FLAGS = () => ['--data-dir', data, '--rpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--block-time-ms', '600000', '--log-level', 'warn'];

beforeAll(async () => {
  await ensureBuilt();
  base = mkdtempSync(path.join(os.tmpdir(), 'tb-built-app-'));
  // A path with a space and non-ASCII characters, as an installed app may have.
  resources = path.join(base, 'The Block Console ü', 'resources');
  appDir = path.join(resources, 'app');
  data = path.join(base, 'dåta dir');
  const { files } = packagedFiles(ROOT, 'linux') as { files: string[] };
  for (const f of files) {
    mkdirSync(path.dirname(path.join(appDir, f)), { recursive: true });
    copyFileSync(path.join(ROOT, f), path.join(appDir, f));
  }
  // extraResources: genesis templates, and a built-in network file made for this test.
  mkdirSync(path.join(resources, 'genesis'), { recursive: true });
  for (const f of readdirSync(path.join(ROOT, 'resources/genesis')).filter((x) => x.endsWith('.json'))) copyFileSync(path.join(ROOT, 'resources/genesis', f), path.join(resources, 'genesis', f));
  const v = keysFromSeed(new Uint8Array(32).fill(7));
  const body = { network: 'bundled-test', chain_id: 4242, block_time_ms: 1000, timestamp_ms: 1_790_000_000_000, validators: [{ address: addressOf(v.publicKey), public_key: toHex(v.publicKey), stake: '1000' }], accounts: [] };
  await writeNetworkFile(path.join(resources, 'networks', 'bundled-test.json'), networkFileOf({ ...body, hash: genesisHash(body) }, [], 'a network shipped in the resources directory'));
}, 300_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('the built app, packaged layout', () => {
  it('holds no src/ and no tsx: the app directory is only the shipped files', () => {
    expect(existsSync(path.join(appDir, 'src'))).toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/esbuild'))).toBe(false);
    expect(existsSync(path.join(appDir, 'out/node/node-entry.js'))).toBe(true);
  });

  it('starts the node from its bundle, lists networks from the resources dir, snapshots and restores, survives a crash, quits in order', async () => {
    const a = startApp([], NODE_FLAGS());
    try {
      // The node runs from the built entry, with the resources directory passed explicitly.
      const forked = await a.waitEvent('utility.fork');
      expect(forked.modulePath).toMatch(/[/\\]resources[/\\]app[/\\]out[/\\]node[/\\]node-entry\.js$/);
      expect(forked.modulePath.startsWith(appDir)).toBe(true);
      expect(forked.args[0]).toBe('--tb-node');
      expect(forked.resources).toBe(resources);
      // Production window: sandboxed, DevTools off; no application menu (Linux).
      const win = await a.waitEvent('window.create');
      expect(win.webPreferences).toMatchObject({ devTools: false, sandbox: true, contextIsolation: true, nodeIntegration: false });
      expect(win.webPreferences.preload.startsWith(appDir)).toBe(true);
      expect(a.events.find((e) => e.event === 'Menu.setApplicationMenu')?.menu).toBeNull();

      const info = await until(async () => {
        const i = await a.call('app.info');
        return i.supervisor.state === 'running' && i.supervisor.node_phase?.phase === 'ready' && i;
      }, 'the node to be ready');
      expect(info).toMatchObject({ mode: 'electron', version: VERSION, supervisor: { launcher: 'utility', restarts: 0 } });
      const status = await a.call('node.status', []);
      expect(status).toMatchObject({ phase: 'ready', version: VERSION, network: 'dev' });
      expect(info.supervisor.pid).toBe(forked.pid);
      // The p2p network starts from the bundle too: libp2p-quic's JavaScript is bundled and its
      // native binding loads from the shipped package (electron.vite.config.ts, quicBindingFromPackage).
      const net = await until(async () => (await a.call('node.status', [])).net === 'up' && a.call('net.info', []), 'the p2p network');
      expect(net.listen.filter((m: string) => /\/udp\/\d+\/quic-v1(\/|$)/.test(m)).length).toBeGreaterThan(0);
      expect(net.listen.filter((m: string) => /\/tcp\/\d+(\/|$)/.test(m)).length).toBeGreaterThan(0);

      // The renderer is served from the shipped files over app://, with the CSP header.
      const page = await a.request('fetch', { url: 'app://console/index.html' });
      expect(page.status).toBe(200);
      expect(page.csp).toMatch(/default-src 'self'/);
      expect(page.body).toMatch(/<div id="root">/);

      // Built-in networks come from <resources>/networks.
      const nets = await a.call('app.networks');
      expect(nets.current).toBe('dev');
      const builtin = nets.networks.find((n: any) => n.name === 'bundled-test');
      expect(builtin).toMatchObject({ source: 'builtin', chain_id: 4242, file: path.join(resources, 'networks', 'bundled-test.json') });

      // Snapshot (worker threads of the node's bundle) → restore (worker threads of main's bundle).
      for (let i = 0; i < 3; i++) await a.call('dev.mine_one', []);
      const { job_id } = await a.call('snapshots.create', { path: path.join(base, 'backups') });
      const job = await until(async () => {
        const j = await a.call('snapshots.job', { job_id });
        return j.state !== 'running' && j;
      }, 'the snapshot');
      expect(job.error ?? null).toBeNull();
      expect(job.state).toBe('done');
      const snap = job.create as { path: string; height: number };
      expect(snap.height).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < 2; i++) await a.call('dev.mine_one', []);
      expect((await a.call('chain.tip', [])).height).toBe(snap.height + 2);
      expect(await a.call('app.restoreSnapshot', { path: snap.path })).toEqual({ started: true });
      const restored = await until(async () => {
        const p = await a.call('app.restoreStatus');
        return (p.state === 'done' || p.state === 'failed') && p;
      }, 'the restore', 120_000);
      expect(restored.error ?? null).toBeNull();
      expect(restored).toMatchObject({ state: 'done', phase: 'ready', height: snap.height });
      expect((await a.call('chain.tip', [])).height).toBe(snap.height);

      // A crash (kill -9 of the node) is restarted by the supervisor.
      const before = (await a.call('app.info')).supervisor;
      process.kill(before.pid, 'SIGKILL');
      const after = await until(async () => {
        const s = (await a.call('app.info')).supervisor;
        return s.state === 'running' && s.node_phase?.phase === 'ready' && s.pid !== before.pid && s;
      }, 'the restarted node');
      expect(after.restarts).toBe(before.restarts + 1);
      expect(after.last_crash).not.toBeNull();
      expect((await a.call('chain.tip', [])).height).toBe(snap.height);

      // Closing the window: the node stops first (cleanly), then the window goes, then the app quits.
      const nodePid = after.pid;
      const mark = a.events.length;
      a.cp.send({ op: 'close' });
      expect(await a.exit).toBe(0);
      const order = a.events.slice(mark).map((e) => (e.event === 'utility.exit' ? `utility.exit:${e.pid}:${e.code}` : e.event));
      const iNode = order.indexOf(`utility.exit:${nodePid}:0`);
      expect(iNode).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('window.destroy')).toBeGreaterThan(iNode);
      expect(order.indexOf('app.quit')).toBeGreaterThan(order.indexOf('window.destroy'));
      expect(order.at(-1)).toBe('app.exit');
      expect(() => process.kill(nodePid, 0)).toThrow();
    } finally {
      if (a.cp.exitCode === null) a.cp.kill('SIGKILL');
    }
  }, 300_000);

  it('swallows DevTools and reload shortcuts in production', async () => {
    const a = startApp([], NODE_FLAGS());
    try {
      await a.waitEvent('window.create');
      const press = (key: string, mods: Record<string, boolean> = {}) =>
        a.request('input', { input: { type: 'keyDown', key, control: false, meta: false, shift: false, alt: false, ...mods } });
      expect(await press('F12')).toEqual({ prevented: true });
      expect(await press('I', { control: true, shift: true })).toEqual({ prevented: true });
      expect(await press('r', { control: true })).toEqual({ prevented: true });
      expect(await press('a')).toEqual({ prevented: false });
      await until(async () => (await a.call('app.info')).supervisor.state === 'running', 'the node');
      a.cp.send({ op: 'close' });
      expect(await a.exit).toBe(0);
    } finally {
      if (a.cp.exitCode === null) a.cp.kill('SIGKILL');
    }
  }, 180_000);

  it('refuses a remote-debugging switch before anything starts', async () => {
    const a = startApp(['--remote-debugging-port=9222'], NODE_FLAGS());
    expect(await a.exit).toBe(1);
    expect(a.stderr.join('')).toMatch(/--remote-debugging-port is refused/);
    expect(a.events.map((e) => e.event)).not.toContain('utility.fork');
    expect(a.events.map((e) => e.event)).not.toContain('window.create');
  }, 60_000);
});
