/**
 * Console server mode as a whole: supervisor (node in a child process via `child_process.fork`),
 * broker, HTTP/WebSocket server, the printed URL, and Chromium `--app` when one is found. Used by
 * `npm start` (where Electron cannot run) and `contract-cli console`.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { SupervisorState } from '../shared/api/app.js';
import type { FirstRunOptions } from './first-hour-handlers.js';
import { findChromium, hasDisplay, openInChromium } from './chromium.js';
import type { ConsoleServer } from './console-server.js';
import { forkLauncher } from './launcher.js';
import { nodeLaunch, rendererDir as defaultRendererDir } from './paths.js';
import { Supervisor } from './supervisor.js';

export interface ConsoleOptions {
  /** Listen address (default 127.0.0.1); a non-loopback address needs `allowRemote`. */
  host?: string;
  /** Listen port (default 0 = a free port). */
  port?: number;
  allowRemote?: boolean;
  /** Extra names accepted in the Host header (e.g. the server's DNS name when listening on 0.0.0.0). */
  allowedHosts?: string[];
  /** Open Chromium `--app` (default true). */
  open?: boolean;
  /** `node start` flags for the node process (`--data-dir`, `--rpc-addr`, …). */
  nodeArgs?: string[];
  /** The data directory when given on the command line (shown before the node reports it). */
  dataDir?: string;
  /** Built renderer directory (default `<root>/out/renderer`). */
  rendererDir?: string;
  /** Fixed token (tests only; default random per start). */
  token?: string;
  /** First run (src/host/first-run.ts): while due, the node waits for the operator's choices. */
  firstRun?: FirstRunOptions;
  /** Where human output goes (default: stdout for the URL, stderr for the rest). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export interface RunningConsole {
  server: ConsoleServer;
  supervisor: Supervisor;
  /** Ordered stop: the node first (the UI shows "stopping"), then the server. Idempotent. */
  stop(): Promise<void>;
}

/** Loopback addresses and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Starts console server mode.
 * @throws Error with an operator-facing message: a non-loopback host without `allowRemote`; the
 *   renderer not built; the port in use (names the port and the `--port` flag).
 */
export async function runConsole(o: ConsoleOptions = {}): Promise<RunningConsole> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = o.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const host = o.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    if (!o.allowRemote)
      throw new Error(`refusing to serve the console on non-loopback host ${host} without --allow-remote (it controls the node)`);
    err(`warning: the console is reachable from other machines on ${host}; the token is its only protection and travels unencrypted over HTTP — prefer an SSH tunnel to 127.0.0.1`);
  }
  const ui = path.resolve(o.rendererDir ?? defaultRendererDir());
  if (!existsSync(path.join(ui, 'index.html')))
    throw new Error(`the console UI is not built (${ui} is missing): run "npm run build", or "npm start" which builds it`);

  const launch = nodeLaunch();
  const env = launch.kind === 'built' ? { ...process.env, ...launch.env } : undefined;
  const supervisor = new Supervisor({ launcher: forkLauncher(), spec: { entry: launch.entry, leadArgs: launch.leadArgs, args: o.nodeArgs ?? [], env } });
  supervisor.onState(reportState(err));
  // The app handlers apply the console settings to the node's flags and environment
  // (desktop/index.ts), so they come first; then the node starts at once, unless the first run is
  // due, and boots on the other core while the broker and the HTTP/WebSocket server load and
  // listen (issue 17, first live height: they were on the node's critical path).
  const { createAppHandlers, desktopOf, firstHourOf } = await import('./app-handlers.js');
  const app = createAppHandlers({ mode: 'server', supervisor, dataDirHint: o.dataDir, firstRun: o.firstRun });
  const desktop = desktopOf(app);
  if (desktop?.settings.loadError) err(`warning: console settings not used (${desktop.settings.loadError}); defaults apply until Settings are saved`);
  for (const v of desktop?.overrides ?? [])
    err(`note: the console's saved ${v.setting} (Settings) replaces ${v.flag} ${v.launch}: the node uses ${v.used}`);
  const first = firstHourOf(app);
  const firstDue = first?.due() ?? false;
  if (!firstDue) supervisor.start();
  let server: ConsoleServer;
  try {
    const [{ Broker }, { startConsoleServer }] = await Promise.all([import('./broker.js'), import('./console-server.js')]);
    const broker = new Broker(supervisor, app);
    server = await startConsoleServer({ broker, rendererDir: ui, host, port: o.port, allowedHosts: o.allowedHosts, token: o.token, log: err });
  } catch (e) {
    // No console to show it: the node started above stops again (ordered stop, lock released).
    await supervisor.stop();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(`port ${o.port} is already in use (${host}:${o.port}); change it with --port`);
    throw e;
  }
  if (firstDue) err('first run: choose where data lives and which network in the console; the node starts after that');
  out(`Console: ${server.url}`);

  let browser: { cleanup(): void } | undefined;
  if (o.open !== false) {
    const chromium = findChromium();
    if (!chromium) err('no Chromium found (set TB_CHROMIUM): open the URL above in a browser');
    else if (!hasDisplay()) err('no display (DISPLAY/WAYLAND_DISPLAY unset): open the URL above in a browser');
    else browser = openInChromium(chromium, server.url);
  }

  let stopping: Promise<void> | undefined;
  return {
    server,
    supervisor,
    stop() {
      stopping ??= (async () => {
        await supervisor.stop();
        // The practice testnet's validators stop with the console unless the operator kept them.
        await first?.practice.dispose().catch((e: unknown) => err(`practice testnet: ${(e as Error).message}`));
        await server.close();
        browser?.cleanup();
      })();
      return stopping;
    },
  };
}

/**
 * One line per meaningful supervisor change, for the terminal the console runs in. A node's
 * `failed` phase prints nothing: the process exits right after it, and the exit's line (could
 * not start / crashed) says the same reason with what to do next.
 */
export function reportState(err: (l: string) => void): (s: SupervisorState) => void {
  let last = '';
  return (s) => {
    if (s.state === 'running' && s.node_phase?.phase === 'failed') return;
    let line: string;
    if (s.state === 'backoff' && s.last_crash)
      line = `node crashed (${s.last_crash.reason}); restarting in ${Math.max(0, Math.round(((s.next_restart_at_ms ?? Date.now()) - Date.now()) / 1000))} s`;
    else if (s.state === 'crash_loop') line = `node crashed 3 times within a minute (${s.last_crash?.reason ?? 'unknown'}); automatic restarts stopped — use "Restart" in the console`;
    else if (s.state === 'start_failed') line = `node could not start: ${s.start_error ?? s.last_crash?.reason ?? 'unknown'} — fix it, then use "Retry" in the console`;
    else if (s.state === 'running') line = `node ${s.node_phase?.phase ?? 'running'}${s.node_phase?.reason ? `: ${s.node_phase.reason}` : ''} (pid ${s.pid})`;
    else line = `node ${s.state}`;
    if (line !== last) err(line);
    last = line;
  };
}

/**
 * Stops the console in order on SIGINT/SIGTERM and exits 0; a second signal exits 1 at once.
 */
export function stopOnSignals(c: RunningConsole, err: (l: string) => void = (l) => process.stderr.write(l + '\n')): void {
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++count > 1) {
      err(`received ${sig} again: exiting without a clean stop`);
      process.exit(1);
    }
    err('stopping the node…');
    void c.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
