/**
 * `treasury/provenance.json`: the snapshot of every disbursement that was ever executed or rolled
 * back — `{ version: 1, height, written_at_ms, disbursements: DisbursementView[] }` (each with its
 * stage strip, tx hash, receipts, execution fee and rollback reason + compensating move).
 * Written with writeFileAtomic (temp file, fsync, rename, fsync dir): a `kill -9` at any instant
 * leaves the old or the new document, never a torn one.
 */
import { writeFileAtomic } from '../storage/atomic.js';
import type { TreasuryState } from './state.js';
import { disbursementView, type ViewContext } from './view.js';

/** The document for state `s` seen at `c` (the chain tip); `nowMs` = wall-clock write time. */
export function provenanceDocument(s: Readonly<TreasuryState>, c: ViewContext, nowMs: number) {
  const ds = s.disbursements.filter((d) => d.history.some((h) => h.status === 'Executed' || h.status === 'RolledBack')).map((d) => disbursementView(d, c));
  return { version: 1 as const, height: c.height, written_at_ms: nowMs, disbursements: ds };
}

/** Atomically replaces `file` with the document (pretty JSON + newline). */
export async function writeProvenance(file: string, doc: ReturnType<typeof provenanceDocument>): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
}
