/** Display formatting. Locale-fixed (en-US grouping) so numbers read the same on every machine. */

const INT = new Intl.NumberFormat('en-US');

/** Integer with thousands separators; amounts (decimal strings of base units) stay exact via BigInt. */
export function fmtInt(v: number | string | bigint | undefined | null): string {
  if (v === undefined || v === null || v === '') return '—';
  try {
    return INT.format(typeof v === 'string' ? BigInt(v) : v);
  } catch {
    return String(v);
  }
}

/** Bytes in binary units (KiB, MiB, GiB). */
export function fmtBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** Duration in ms as "3 d 4 h", "5 min 2 s", "850 ms". */
export function fmtDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** First and last characters of a hash or address. */
export function shortHash(h: string | undefined, keep = 8): string {
  if (!h) return '—';
  return h.length <= keep * 2 + 1 ? h : `${h.slice(0, keep)}…${h.slice(-keep)}`;
}

/** HH:MM:SS.mmm in local time (log lines). */
export function fmtClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * The `host:port` an operator on this machine can connect to (curl) for a server whose listen
 * address is `listenAddr` as configured (`127.0.0.1:8545`, `[::1]:0`, `0.0.0.0:26658`; its port
 * may be 0) and whose bound port is `port`. A wildcard host (0.0.0.0, ::) is not an address to
 * connect to everywhere: it is shown as the loopback address of its family.
 */
export function reachableEndpoint(listenAddr: string, port: number): string {
  const host = listenAddr.replace(/:\d+$/, '');
  const bare = host.replace(/^\[|\]$/g, '');
  const shown = bare === '0.0.0.0' ? '127.0.0.1' : bare === '::' ? '[::1]' : host;
  return `${shown}:${port}`;
}
