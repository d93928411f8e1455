/**
 * The disbursement payload (spec/treasury.md §1; schema `shared/data/disbursement.schema.json`),
 * declared once for the contract (params of `gov.treasury.submit_disbursement`), the node (the
 * `treasury.create` tx decode and `gov.treasury.preview`), the CLI and the console's create form.
 * Pure (no Node APIs): the renderer imports it.
 */
import { z } from 'zod';

/** The payload travels in its tx as JSON text of at most this many characters (UTF-16 code units). */
export const PAYLOAD_MAX_CHARS = 64 * 1024;
/** Memo limit, in characters (schema `maxLength`) and in UTF-8 bytes (the reference's check). */
export const MEMO_MAX = 8192;

const ADDR_RE = /^tb1[a-zA-Z0-9]+$/;
const zInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
// No single text can be longer than the whole payload's limit; saying so here names the field.
const zText = z.string().min(1).max(PAYLOAD_MAX_CHARS);

export const ProposalMetadata = z
  .object({
    title: zText,
    summary: zText,
    deps: z.array(zInt.min(1)).max(100).optional(),
    attachments: z.array(z.object({ name: z.string(), uri: z.string() }).strict()).optional(),
    quorum: z.object({ operators_ppm: zInt.max(1_000_000), builders_ppm: zInt.max(1_000_000) }).strict(),
    vote_window_epochs: zInt.min(1).optional(),
    timelock_epochs: zInt.min(1).optional(),
    rollback_window_epochs: zInt.min(1).optional(),
    vote_window_blocks: zInt.min(1).optional(),
    timelock_blocks: zInt.min(1).optional(),
    rollback_window_blocks: zInt.min(1).optional(),
  })
  .passthrough();

export const DisbursementDetails = z
  .object({
    destination: z.string().regex(ADDR_RE, 'destination must start with tb1 followed by letters/digits'),
    amount: zInt.min(1),
    memo: z.string().max(MEMO_MAX),
    scheduled_epoch: zInt.min(1),
    expected_receipts: z.array(z.object({ account: z.string(), amount: zInt.min(1) }).strict()).optional(),
  })
  .strict();

/** The schema alone (shape and bounds). */
export const DisbursementPayload = z.object({ proposal: ProposalMetadata.optional(), disbursement: DisbursementDetails }).strict();
export type DisbursementPayload = z.infer<typeof DisbursementPayload>;

/** One rule broken by a schema-valid payload: a path inside the payload, a stable code, a message. */
export interface PayloadRuleIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/**
 * The reference's semantic rules after the schema (GT L355-439): memo byte length, receipts
 * summing to the amount, blank title/summary. (The size limit is `payloadSizeIssue`: the chain
 * checks it on the tx's text, which a decoded payload no longer has.)
 */
export function payloadRuleIssues(p: DisbursementPayload): PayloadRuleIssue[] {
  const out: PayloadRuleIssue[] = [];
  const d = p.disbursement;
  const memoBytes = new TextEncoder().encode(d.memo).length;
  if (memoBytes > MEMO_MAX) out.push({ path: ['disbursement', 'memo'], code: 'MemoTooLong', message: `memo is ${memoBytes} bytes (max ${MEMO_MAX})` });
  if (d.expected_receipts && d.expected_receipts.length > 0) {
    const sum = d.expected_receipts.reduce((a, x) => a + x.amount, 0);
    if (sum !== d.amount) out.push({ path: ['disbursement', 'expected_receipts'], code: 'ExpectedReceiptsMismatch', message: `expected receipts sum to ${sum}, amount is ${d.amount}` });
  }
  if (p.proposal) {
    if (p.proposal.title.trim() === '') out.push({ path: ['proposal', 'title'], code: 'EmptyTitle', message: 'title is blank' });
    if (p.proposal.summary.trim() === '') out.push({ path: ['proposal', 'summary'], code: 'EmptySummary', message: 'summary is blank' });
  }
  return out;
}

/** The tx's size limit on the payload's JSON text as the node writes it (`JSON.stringify`), or null. */
export function payloadSizeIssue(p: unknown): PayloadRuleIssue | null {
  const size = JSON.stringify(p ?? null).length;
  return size > PAYLOAD_MAX_CHARS ? { path: [], code: 'PayloadTooLarge', message: `payload is ${size} characters as JSON (max ${PAYLOAD_MAX_CHARS})` } : null;
}

/**
 * Params form of the payload (`gov.treasury.submit_disbursement`): the schema plus the rules, so
 * a bad payload is a −32602 whose `data.issues` name each field (`payload.disbursement.amount`).
 */
export const DisbursementPayloadParam = DisbursementPayload.superRefine((p, ctx) => {
  const size = payloadSizeIssue(p);
  for (const i of [...payloadRuleIssues(p), ...(size ? [size] : [])]) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, params: { rule: i.code } });
});
