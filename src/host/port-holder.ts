/**
 * Who holds a TCP or UDP port on this machine (Linux: `/proc/net/{tcp,tcp6,udp,udp6}` give the
 * socket inode of a listener, `/proc/<pid>/fd` the process holding it). Elsewhere, or without the
 * rights to read another user's fds, the holder is unknown and only the port is named.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid: number;
  /** The process's command line, shortened (untrusted text). */
  command: string;
}

/** True when `host:port` can be bound now (TCP listen or UDP bind). */
export async function portFree(kind: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  try {
    if (kind === 'udp') {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((r, j) => {
        s.once('error', j);
        s.bind(port, host, () => r());
      });
      await new Promise<void>((r) => s.close(() => r()));
      return true;
    }
    const srv = createServer();
    await new Promise<void>((r, j) => {
      srv.once('error', j);
      srv.listen({ port, host, exclusive: true }, () => r());
    });
    await new Promise<void>((r) => srv.close(() => r()));
    return true;
  } catch {
    return false;
  }
}

/** Socket inodes bound to `port` (TCP: listening only). */
function inodesOf(kind: 'tcp' | 'udp', port: number): Set<string> {
  const out = new Set<string>();
  for (const f of [`/proc/net/${kind}`, `/proc/net/${kind}6`]) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10) continue;
      const local = c[1];
      const p = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      if (p !== port) continue;
      if (kind === 'tcp' && c[3] !== '0A') continue; // 0A = LISTEN
      out.add(c[9]);
    }
  }
  return out;
}

/** The process holding `port`, or null when unknown (not Linux, no rights, or already gone). */
export function portHolder(kind: 'tcp' | 'udp', port: number): PortHolder | null {
  try {
    const inodes = inodesOf(kind, port);
    if (inodes.size === 0) return null;
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${d}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${d}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && inodes.has(m[1])) {
          let command = '';
          try {
            command = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          } catch {
            /* gone */
          }
          return { pid: Number(d), command: command.length > 160 ? `${command.slice(0, 157)}…` : command };
        }
      }
    }
  } catch {
    /* no /proc */
  }
  return null;
}
