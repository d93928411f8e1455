/**
 * Human output of `contract-cli snapshots …`: result tables, a one-line progress display on an
 * interactive stderr, the restore summary and its confirmation prompt.
 */
import { createInterface } from 'node:readline/promises';
import type { CreateResult, Progress, RestorePlan, SnapshotSummary, VerifyResult } from '../../shared/api/snapshots.js';
import { table } from '../common.js';

/** `12.3 MB` (decimal units, as disks are sold). */
export function fmtBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A progress callback that redraws one line on stderr when it is a terminal (no output otherwise). */
export function progressLine(enabled: boolean): { update(p: Progress): void; done(): void } {
  const tty = enabled && process.stderr.isTTY;
  let drawn = false;
  return {
    update(p) {
      if (!tty) return;
      const pct = p.bytes_total > 0 ? Math.floor((100 * p.bytes_done) / p.bytes_total) : 0;
      const eta = p.eta_ms === null ? '' : `, ETA ${fmtDuration(p.eta_ms)}`;
      const files = p.files_total > 0 ? `, ${p.files_done}/${p.files_total} files` : '';
      const line = `${p.phase} ${pct}% (${fmtBytes(p.bytes_done)} of ${fmtBytes(p.bytes_total)}${files}${eta})`;
      process.stderr.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

export function createLines(r: CreateResult): string[] {
  return [
    `snapshot ${r.id} created`,
    ...table([
      ['path', r.path],
      ['network', r.network],
      ['height', r.height],
      ['state root', r.state_root],
      ['size', `${fmtBytes(r.bytes)} (${r.bytes} bytes) in ${r.files} files`],
      ['includes', r.subsystems.join(', ')],
      ['checksum', `${r.checksum}  (SHA-256 of manifest.json; check later with --checksum)`],
      ['took', fmtDuration(r.duration_ms)],
    ]),
    ...(r.removed_leftovers ?? []).map((p) => `removed a leftover of an interrupted run: ${p}`),
  ];
}

export function listLines(r: { path: string; snapshots: SnapshotSummary[]; invalid: { path: string; problem: string }[] }): string[] {
  if (r.snapshots.length === 0 && r.invalid.length === 0) return [`no snapshots in ${r.path}`];
  const rows = r.snapshots.map((s) => [s.id, String(s.height), s.created_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), fmtBytes(s.total_bytes), s.format, s.origin]);
  const head = ['ID', 'HEIGHT', 'CREATED (UTC)', 'SIZE', 'FORMAT', 'ORIGIN'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 1 || i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line), ...r.invalid.map((i) => `not a valid snapshot: ${i.path}: ${i.problem}`)];
}

export function verifyLines(r: VerifyResult): string[] {
  const out = [r.message];
  // The message already names the worst problem: list only the others (it was printed twice).
  const rest = r.problems.filter((p) => !r.message.includes(`${p.path}: ${p.problem}`) && !(p.path === r.path && r.message.includes(p.problem)));
  for (const p of rest.slice(0, 20)) out.push(`  ${p.path}: ${p.problem}`);
  if (rest.length > 20) out.push(`  … ${rest.length - 20} more`);
  return out;
}

export function planLines(p: RestorePlan): string[] {
  const s = p.snapshot;
  const out: string[] = [];
  if (s) out.push(`restore ${s.id} (height ${s.height}, ${fmtBytes(s.total_bytes)}, ${s.network}, created ${s.created_at})`, `into ${p.data_dir}${p.current_height !== null ? ` (now at height ${p.current_height})` : ''}`, '');
  out.push('pre-checks:');
  for (const c of p.checks) out.push(`  ${c.ok === true ? 'ok  ' : c.ok === false ? 'FAIL' : '--  '} ${c.label}: ${c.detail}`);
  if (p.subsystems.length > 0) {
    out.push('', 'what happens to each part of the data directory:');
    for (const x of p.subsystems)
      out.push(`  ${x.action === 'replace' ? 'replace' : 'keep   '} ${x.label} (${x.action === 'replace' ? `${fmtBytes(x.current_bytes)} now → ${fmtBytes(x.snapshot_bytes)} from the snapshot` : `${fmtBytes(x.current_bytes)}, not in the snapshot`})`);
    // Said only when the restore can go ahead: after a FAIL nothing is moved or kept.
    out.push('', p.ok ? `if you go ahead, the current data is kept as ${p.pre_restore_path} until you remove it` : 'nothing will be changed: fix the FAIL above first');
    const lost = p.wallets_not_in_snapshot ?? [];
    if (p.ok && lost.length > 0)
      out.push(`WARNING: wallet key${lost.length === 1 ? '' : 's'} ${lost.join(', ')} ${lost.length === 1 ? 'is' : 'are'} not in the snapshot: after the restore ${lost.length === 1 ? 'it is' : 'they are'} only in ${p.pre_restore_path}/keys/wallets/ — copy ${lost.length === 1 ? 'it' : 'them'} back before removing that folder`);
  }
  return out;
}

/** Asks the operator to type "restore". @returns false on anything else. */
export async function confirmRestore(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = await rl.question('Type "restore" to replace the data directory with this snapshot (anything else cancels): ');
    return a.trim() === 'restore';
  } finally {
    rl.close();
  }
}
