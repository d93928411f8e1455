/**
 * Names "Act" form rules (pure): each field's problem in the operator's words, which fields each
 * button needs, and the node's −32602 issues put back on the fields they name. The name and stake
 * reference rules are the `dns.*` contract's own (shared/api/dns.ts); amounts are exact u64
 * (shared `parseU64`), never floats.
 */
import { DOMAIN_RE, zStakeRef } from '../../../shared/api/dns';
import type { ParamIssue } from '../../../shared/api/errors';
import { parseU64, U64_MAX } from '../../../shared/api/numbers';

export interface ActDraft {
  domain: string;
  /** The bid, the stake, or the listing's minimum bid (base units). */
  amount: string;
  stakeRef: string;
  /** Stake a bidder must hold to bid on a listing (base units; empty = 0). */
  stakeReq: string;
  /** Auction length in blocks. */
  blocks: string;
}
export type ActField = keyof ActDraft;
export type ActErrors = Partial<Record<ActField, string>>;
export type ActAction = 'publish' | 'list' | 'stake' | 'bid' | 'cancel';

/** The fields each button sends. */
export const NEEDS: Record<ActAction, ActField[]> = {
  publish: ['domain'],
  list: ['domain', 'amount', 'stakeReq', 'blocks'],
  stake: ['stakeRef', 'amount'],
  bid: ['domain', 'amount', 'stakeRef'],
  cancel: ['domain'],
};

/** `dns.list_for_sale` duration_blocks bounds (the contract's). */
export const MAX_DURATION_BLOCKS = 1_000_000;
const LABEL_MAX = 63;

/** What is wrong with a `.block` name, or undefined. */
export function domainError(d: string): string | undefined {
  if (!d) return 'Enter a name like alice.block.';
  if (DOMAIN_RE.test(d)) return undefined;
  if (!d.endsWith('.block')) return d.toLowerCase().endsWith('.block') ? 'Write the name in lowercase, like alice.block.' : 'A name ends in .block, like alice.block.';
  const label = d.slice(0, -'.block'.length);
  if (!label) return 'Type the name before .block, like alice.block.';
  if (label.length > LABEL_MAX) return `The part before .block is at most ${LABEL_MAX} characters (this has ${label.length}).`;
  if (/[A-Z]/.test(label) && DOMAIN_RE.test(`${label.toLowerCase()}.block`)) return `Write the name in lowercase: ${label.toLowerCase()}.block.`;
  if (/[^a-z0-9-]/.test(label)) return 'Only a–z, 0–9 and - before .block (no capitals, accents, spaces, dots or other signs).';
  if (label.startsWith('-') || label.endsWith('-')) return 'The name cannot start or end with -.';
  return 'Not a .block name: 1–63 of a–z, 0–9 and - before .block, like alice.block.';
}

/** What is wrong with an amount of base units, or undefined. `what` names it ("Amount"). */
function u64Error(v: string, what: string, positive: boolean): string | undefined {
  const r = parseU64(v);
  if (typeof r === 'string') {
    if (/^[0-9]+$/.test(v)) return `${what} is beyond the largest possible amount (${U64_MAX}).`;
    return `${what} is a whole number of base units, like 100 (no sign, decimals or spaces).`;
  }
  if (positive && r === 0n) return `${what} must be more than 0.`;
  return undefined;
}

/**
 * Every field's problem (a field left empty is a problem only when a button needs it: see
 * {@link missing}). Amount must be more than 0 for a bid or a stake; a minimum bid may be 0.
 */
export function validateAct(d: ActDraft): ActErrors {
  const e: ActErrors = {};
  if (d.domain) e.domain = domainError(d.domain);
  if (d.amount) e.amount = u64Error(d.amount, 'Amount', false);
  if (d.stakeRef && !zStakeRef.safeParse(d.stakeRef).success)
    e.stakeRef = d.stakeRef.length > 64 ? `A stake reference is at most 64 characters (this has ${d.stakeRef.length}).` : 'A stake reference is 1–64 of a–z, 0–9, _ and - (no capitals or spaces), like bob-1.';
  if (d.stakeReq) e.stakeReq = u64Error(d.stakeReq, 'Stake required', false);
  if (!d.blocks) e.blocks = `Enter the auction length in blocks (1 to ${MAX_DURATION_BLOCKS.toLocaleString('en-US')}).`;
  else if (!/^[0-9]+$/.test(d.blocks) || Number(d.blocks) < 1 || Number(d.blocks) > MAX_DURATION_BLOCKS)
    e.blocks = `The auction length is a whole number of blocks from 1 to ${MAX_DURATION_BLOCKS.toLocaleString('en-US')}.`;
  for (const k of Object.keys(e) as ActField[]) if (e[k] === undefined) delete e[k];
  return e;
}

/** A bid or a stake must be more than 0 (the node refuses a zero stake as StakeAmountZero; a zero bid is never above the minimum); a minimum bid may be 0. */
export function amountError(action: ActAction, d: ActDraft, errors: ActErrors): string | undefined {
  if (errors.amount) return errors.amount;
  if ((action === 'bid' || action === 'stake') && /^0+$/.test(d.amount)) return `Amount must be more than 0 to ${action}.`;
  return undefined;
}

/** Why `action` cannot be sent (the first field it needs that is empty or invalid), or undefined when it can. */
export function blocker(action: ActAction, d: ActDraft, errors: ActErrors): string | undefined {
  for (const f of NEEDS[action]) {
    const msg = f === 'amount' ? amountError(action, d, errors) : errors[f];
    if (msg) return msg;
    if (d[f] === '' && f !== 'stakeReq') return `Fill in ${LABEL[f]}.`;
  }
  return undefined;
}

/** The form's field labels (Names.tsx shows them; messages name them). */
export const LABEL: Record<ActField, string> = {
  domain: 'Name',
  amount: 'Amount / min bid',
  stakeRef: 'Stake reference',
  stakeReq: 'Stake required (list)',
  blocks: 'Duration (blocks)',
};

/** Param name (as the `dns.*` methods name it) → form field. */
const PARAM_FIELD: Record<string, ActField> = {
  domain: 'domain',
  amount: 'amount',
  min_bid: 'amount',
  stake_ref: 'stakeRef',
  reference: 'stakeRef',
  stake_requirement: 'stakeReq',
  duration_blocks: 'blocks',
};

/**
 * The node's −32602 issues on the fields they name, in operator words where the form has some
 * (the local rule's message for the value sent), else the node's own. Issues on params the form
 * has no field for are returned in `rest`.
 */
export function issuesOnFields(issues: ParamIssue[], sent: ActDraft): { fields: ActErrors; rest: ParamIssue[] } {
  const fields: ActErrors = {};
  const rest: ParamIssue[] = [];
  const local = validateAct(sent);
  // (settings/form.ts has the same first-issue-per-param rule as issuesByPath, but importing it
  // pulls in the bridge client; this module stays pure.)
  for (const i of issues) {
    const f = PARAM_FIELD[String(i.path[0] ?? '')];
    if (!f) rest.push(i);
    else fields[f] ??= local[f] ?? `The node refused this value: ${i.message.replace(/\.$/, '')}.`;
  }
  return { fields, rest };
}
