/**
 * `contract-cli node start` run through npm (`npx contract-cli node start`, `npm exec`, an npm
 * script): npm starts `sh -c contract-cli …`, which starts the node. Killing npm with SIGKILL (a
 * process manager that only knows npm's pid, `kill -9`) leaves the shell and the node orphaned —
 * still running, holding the ports and the data-dir lock (issue 12 item 8). So when launched by
 * npm, the node watches its launchers (the processes between it and npm, npm included) and stops
 * gracefully (the SIGTERM path) when one of them is gone. Run directly (`node bin/contract-cli.mjs`,
 * `exec contract-cli …`, the systemd unit in examples/systemd/), nothing is watched.
 */
import { readFileSync } from 'node:fs';

export interface Launcher {
  pid: number;
  /** Start time from /proc/<pid>/stat (so a reused pid is noticed). */
  start: string | null;
  command: string;
}

function stat(pid: number): { ppid: number; start: string | null } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), start: f[19] ?? null };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

const NPM = /(^|[\s/])(npm|npx)(-cli\.js)?(\s|$)/;

/**
 * The launcher chain when this process was started by npm (env `npm_command` / `npm_lifecycle_event`
 * set by npm): from the parent up to and including the npm process (at most 4 levels). Empty when
 * not launched by npm, or where /proc is unavailable.
 */
export function npmLaunchers(env: NodeJS.ProcessEnv = process.env, from = process.ppid): Launcher[] {
  if (!env.npm_command && !env.npm_lifecycle_event) return [];
  const chain: Launcher[] = [];
  let pid = from;
  for (let i = 0; i < 4 && pid > 1; i++) {
    const st = stat(pid);
    if (!st) return [];
    const command = cmdline(pid);
    chain.push({ pid, start: st.start, command });
    if (NPM.test(command)) return chain;
    pid = st.ppid;
  }
  return [];
}

/**
 * Calls `onGone` once when a launcher has exited (pid gone, or reused: another start time).
 * Checks every `intervalMs` (monotonic timer, unref'd). Returns the stop function.
 */
export function watchLaunchers(launchers: Launcher[], onGone: (l: Launcher) => void, intervalMs = 1000): () => void {
  if (launchers.length === 0) return () => {};
  const timer = setInterval(() => {
    for (const l of launchers) {
      const st = stat(l.pid);
      if (!st || st.start !== l.start) {
        clearInterval(timer);
        onGone(l);
        return;
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
