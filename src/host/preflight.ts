/**
 * Preflight of the console's first run (and of `app.preflight` at any time): what silently breaks
 * a node, checked before it starts, each with what to do about it —
 * - `writable`: the data directory (or its nearest existing parent) is writable, nothing created;
 * - `disk`: free space where it lives against what the chosen network needs;
 * - `ports`: the node's JSON-RPC, metrics and p2p ports are free, naming the process that holds a
 *   busy one (src/host/port-holder.ts);
 * - `clock`: the wall clock against the peers' block timestamps once the node follows a network
 *   with peers (a single-node dev chain has nobody to compare with).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { checkDirTarget } from '../node-core/storage/dir-target.js';
import type { PreflightCheck } from '../shared/api/app.js';
import { portFree, portHolder } from './port-holder.js';

/** Space a network needs by default (bytes): dev grows slowly; a testnet keeps every block. */
export const DEFAULT_NEEDED_BYTES: Record<'dev' | 'testnet', number> = { dev: 256 * 2 ** 20, testnet: 2 * 2 ** 30 };
/** A clock this far from the peers' (ms) breaks block validation (future-dated blocks are refused). */
export const CLOCK_SKEW_LIMIT_MS = 5_000;

export interface PortSpec {
  /** What the port is for ("JSON-RPC", "metrics", "p2p QUIC", …). */
  what: string;
  kind: 'tcp' | 'udp';
  host: string;
  port: number;
  /** The flag that changes it (named in the advice). */
  flag: string;
}

export interface PreflightInput {
  dataDir: string;
  network: string;
  /** Ports the node will listen on (port 0 = any free port: not checked). */
  ports: PortSpec[];
  /** Bytes the network needs (overrides the default per network kind). */
  neededBytes?: number;
  /**
   * Clock comparison once connected: the newest block from a peer (timestamp, ms) and when it was
   * received here (ms). Absent: the clock check is `pending` (or `ok` on dev).
   */
  clock?: { peers: number; newestPeerBlockMs: number | null; receivedAtMs: number | null } | null;
  /** Processes whose ports are fine to find busy (this console's own node, which will be restarted). */
  ownPids?: number[];
}

/** Nearest existing ancestor of a path (where free space is measured before the folder exists). */
async function existingAncestor(p: string): Promise<string> {
  let cur = path.resolve(p);
  while (!existsSync(cur)) {
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return cur;
}

const fmtBytes = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`);

/**
 * Data directory writable, checked without creating anything (the operator may still be typing):
 * the folder, or its nearest existing parent, is a writable directory on a real disk. A path
 * under a file or a pseudo file system (/proc, /sys) fails at once. The folder itself is created
 * when the node starts.
 */
export async function checkWritable(dataDir: string): Promise<PreflightCheck> {
  const title = 'Data directory writable';
  const t = await checkDirTarget(dataDir);
  if (t.ok)
    return { id: 'writable', status: 'ok', title, detail: t.exists ? `${t.path} can be written` : `${t.path} will be created in ${t.existing} (writable) when the node starts` };
  return {
    id: 'writable',
    status: 'fail',
    title,
    detail: `${t.path} cannot be written (${t.code}: ${t.problem})`,
    fix: 'choose another folder, or give your user write permission on it',
  };
}

/** Free space where the data directory lives against `needed` bytes. */
export async function checkDisk(dataDir: string, needed: number): Promise<PreflightCheck> {
  const title = 'Disk space';
  try {
    const at = await existingAncestor(dataDir);
    const s = await fs.statfs(at);
    const free = Number(s.bavail) * Number(s.bsize);
    if (free < needed)
      return { id: 'disk', status: 'fail', title, detail: `${fmtBytes(free)} free on the disk of ${at}; this network needs at least ${fmtBytes(needed)}`, fix: 'free some space or choose a folder on a larger disk', free_bytes: free, needed_bytes: needed };
    return { id: 'disk', status: 'ok', title, detail: `${fmtBytes(free)} free; this network needs about ${fmtBytes(needed)}`, free_bytes: free, needed_bytes: needed };
  } catch (e) {
    return { id: 'disk', status: 'warn', title, detail: `free space unknown (${(e as Error).message})`, needed_bytes: needed };
  }
}

/** Every listed port free (port 0 = chosen by the OS, always fine); a busy one names its holder. */
export async function checkPorts(ports: PortSpec[], ownPids: readonly number[] = []): Promise<PreflightCheck> {
  const title = 'Ports free';
  const fixed = ports.filter((p) => p.port !== 0);
  const busy: string[] = [];
  const flags: string[] = [];
  for (const p of fixed) {
    if (await portFree(p.kind, p.host, p.port)) continue;
    const h = portHolder(p.kind, p.port);
    if (h && ownPids.includes(h.pid)) continue; // this console's node: restarted with the new settings
    busy.push(`${p.what} port ${p.port} (${p.kind.toUpperCase()}) is in use${h ? ` by pid ${h.pid} (${h.command || 'unknown command'})` : ' by another program'}`);
    flags.push(p.flag);
  }
  if (busy.length)
    return { id: 'ports', status: 'fail', title, detail: busy.join('; '), fix: `stop that program, or let the node use free ports (${[...new Set(flags)].join(', ')} 127.0.0.1:0)`, busy_flags: [...new Set(flags)] };
  const list = fixed.map((p) => `${p.what} ${p.port}`).join(', ');
  return { id: 'ports', status: 'ok', title, detail: list ? `${list}: free` : 'the node picks free ports itself' };
}

/** The wall clock against the peers' newest block (see PreflightInput.clock). */
export function checkClock(network: string, c: PreflightInput['clock']): PreflightCheck {
  const title = 'Clock';
  const now = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  if (network === 'dev') return { id: 'clock', status: 'ok', title, detail: `dev chain: this machine is the only clock (now ${now})` };
  if (!c || c.peers === 0 || c.newestPeerBlockMs === null || c.receivedAtMs === null)
    return { id: 'clock', status: 'pending', title, detail: `compared with the peers' block times once connected (now ${now})` };
  // A block cannot be stamped after it was received: a positive gap means this clock is behind.
  const behind = c.newestPeerBlockMs - c.receivedAtMs;
  if (behind > CLOCK_SKEW_LIMIT_MS)
    return { id: 'clock', status: 'fail', title, detail: `this clock is about ${Math.round(behind / 1000)} s behind the peers' block times`, fix: 'turn on automatic time (NTP) in your system settings', skew_ms: behind };
  return { id: 'clock', status: 'ok', title, detail: `within ${CLOCK_SKEW_LIMIT_MS / 1000} s of the peers' block times (${c.peers} peer${c.peers === 1 ? '' : 's'})`, skew_ms: Math.max(0, behind) };
}

/** All checks, in the order shown. */
export async function runPreflight(i: PreflightInput): Promise<PreflightCheck[]> {
  const needed = i.neededBytes ?? (i.network === 'dev' ? DEFAULT_NEEDED_BYTES.dev : DEFAULT_NEEDED_BYTES.testnet);
  const writable = await checkWritable(i.dataDir);
  return [writable, await checkDisk(i.dataDir, needed), await checkPorts(i.ports, i.ownPids), checkClock(i.network, i.clock)];
}
