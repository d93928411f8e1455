/**
 * What the Treasury "Create from a JSON template" panel lists under the payload: the parse error
 * of text that is not JSON (and nothing else: the checks of an earlier text no longer apply), else
 * the size limit checked here against the contract's own limit (the node refuses a payload whose
 * JSON is longer, so it is flagged before any submit), else the node's preview issues. Pure (tested).
 */
import { payloadSizeIssue } from '../../../shared/api/treasury-payload';

export interface CreateIssue {
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface PreviewResult {
  ok: boolean;
  issues: CreateIssue[];
  windows: { vote_blocks: number; timelock_blocks: number; rollback_blocks: number } | null;
}

export interface CreateChecks {
  /** The text is not JSON: the parser's message. */
  jsonError: string | null;
  issues: CreateIssue[];
  windows: PreviewResult['windows'];
  /** Whether the payload may be submitted (given a settled preview of this text). */
  ok: boolean;
}

/**
 * @param jsonError the parse error of the text on screen (null: it parsed to `parsed`)
 * @param preview the node's preview of `parsed`, if any (ignored while the text is not JSON)
 */
export function createChecks(jsonError: string | null, parsed: unknown, preview: PreviewResult | undefined): CreateChecks {
  if (jsonError !== null) return { jsonError, issues: [], windows: null, ok: false };
  const big = payloadSizeIssue(parsed);
  const local: CreateIssue[] = big ? [{ path: '(root)', code: big.code, message: big.message, severity: 'error' }] : [];
  const remote = (preview?.issues ?? []).filter((i) => !local.some((l) => l.code === i.code));
  const issues = [...local, ...remote];
  return { jsonError: null, issues, windows: preview?.windows ?? null, ok: preview?.ok === true && !issues.some((i) => i.severity === 'error') };
}
