/**
 * Disbursement payload (spec/treasury.md §1; schema `shared/data/disbursement.schema.json`;
 * the zod schema and its rules are declared once in src/shared/api/treasury-payload.ts): parsing and the reference validation order (GT L355-439), plus the checks against the
 * current chain used by `gov disburse preview --check` and the console's live validation.
 *
 * Windows: `vote_window_epochs` / `timelock_epochs` / `rollback_window_epochs` (defaults 4/2/1,
 * epochs of EPOCH_BLOCKS blocks). The proposal object allows extra keys (schema
 * additionalProperties: true); ours reads `vote_window_blocks`, `timelock_blocks`,
 * `rollback_window_blocks` when present, which override the epoch forms (dev chains, tests).
 */
import { DisbursementPayload, payloadRuleIssues } from '../../shared/api/treasury-payload.js';

export { DisbursementPayload, DisbursementDetails, ProposalMetadata, MEMO_MAX, PAYLOAD_MAX_CHARS, payloadSizeIssue } from '../../shared/api/treasury-payload.js';

export const EPOCH_BLOCKS_T = 120;
const CHAIN_ADDR_RE = /^tb1[0-9a-f]{40}$/;

/** One problem found in a payload: a JSON path, a stable code and a message. */
export interface PayloadIssue {
  path: string;
  code: string;
  message: string;
  /** `error` fails `preview --check`; `warning` is shown but passes. */
  severity: 'error' | 'warning';
}

/** The normalised proposal terms the chain stores (windows in blocks). */
export interface Terms {
  title: string;
  summary: string;
  deps: number[];
  quorum_ppm: number;
  vote_window_blocks: number;
  timelock_blocks: number;
  rollback_window_blocks: number;
}

/** Terms of a parsed payload (defaults 4/2/1 epochs; treasury-initiated payloads get quorum 670000 and a generic title). */
export function termsOf(p: DisbursementPayload): Terms {
  const q = p.proposal;
  const deps = [...new Set(q?.deps ?? [])].sort((a, b) => a - b).slice(0, 100);
  return {
    title: q?.title ?? 'treasury-initiated disbursement',
    summary: q?.summary ?? p.disbursement.memo,
    deps,
    quorum_ppm: q ? Math.max(q.quorum.operators_ppm, q.quorum.builders_ppm) : 670_000,
    vote_window_blocks: q?.vote_window_blocks ?? (q?.vote_window_epochs ?? 4) * EPOCH_BLOCKS_T,
    timelock_blocks: q?.timelock_blocks ?? (q?.timelock_epochs ?? 2) * EPOCH_BLOCKS_T,
    rollback_window_blocks: q?.rollback_window_blocks ?? (q?.rollback_window_epochs ?? 1) * EPOCH_BLOCKS_T,
  };
}

/**
 * Parses and validates a payload (schema, then the reference semantic rules: blank title/summary,
 * receipts summing to amount, memo byte length). Never throws.
 */
export function validatePayload(input: unknown): { payload?: DisbursementPayload; issues: PayloadIssue[] } {
  const r = DisbursementPayload.safeParse(input);
  if (!r.success) {
    return { issues: r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', code: 'schema', message: i.message, severity: 'error' as const })) };
  }
  const p = r.data;
  const issues: PayloadIssue[] = payloadRuleIssues(p).map((i) => ({ path: i.path.join('.') || '(root)', code: i.code, message: i.message, severity: 'error' as const }));
  return { payload: issues.some((i) => i.severity === 'error') ? undefined : p, issues };
}

/** What the chain check needs to know about the chain now. */
export interface ChainView {
  treasuryBalance: bigint;
  /** Sum of amounts of disbursements approved or in flight (not yet executed). */
  committed: bigint;
  height: number;
  /** Disbursement ids that exist. */
  knownIds: ReadonlySet<number>;
}

/**
 * Checks a valid payload against the chain: funds (warning: the treasury may accrue before
 * execution), a scheduled epoch that starts after vote + timelock end (warning: execution waits
 * for it), a destination that this chain can credit (`tb1` + 40 hex; warning otherwise, as in
 * the reference example's bech32-looking address), dependencies that exist (warning).
 */
export function checkAgainstChain(p: DisbursementPayload, c: ChainView): PayloadIssue[] {
  const out: PayloadIssue[] = [];
  const d = p.disbursement;
  const free = c.treasuryBalance - c.committed;
  if (BigInt(d.amount) > free)
    out.push({ path: 'disbursement.amount', code: 'InsufficientFunds', message: `treasury holds ${c.treasuryBalance} (${free} uncommitted); amount ${d.amount} is not covered yet`, severity: 'warning' });
  if (!CHAIN_ADDR_RE.test(d.destination))
    out.push({ path: 'disbursement.destination', code: 'InvalidTarget', message: `${d.destination} is not an account of this chain (tb1 + 40 lowercase hex); execution would be refused`, severity: 'warning' });
  const t = termsOf(p);
  const ready = c.height + t.vote_window_blocks + t.timelock_blocks;
  const due = d.scheduled_epoch * EPOCH_BLOCKS_T;
  if (due > ready)
    out.push({ path: 'disbursement.scheduled_epoch', code: 'ScheduledLater', message: `executable from epoch ${d.scheduled_epoch} (height ${due}), ${due - ready} blocks after the earliest end of vote + timelock (height ${ready})`, severity: 'warning' });
  for (const dep of t.deps)
    if (!c.knownIds.has(dep)) out.push({ path: 'proposal.deps', code: 'DependencyFailed', message: `dependency ${dep} does not exist on this chain`, severity: 'warning' });
  return out;
}
