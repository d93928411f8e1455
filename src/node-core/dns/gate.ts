/**
 * The naming gate's input from the `.block` registry (spec/governor.md §3 naming): ratios over
 * the registry's history (chain counters) and this node's TXT verifications.
 *   txt_success_ratio    = TXT successes / attempts (dns.publish_record + net.dns_verify on this node)
 *   completion_ratio     = completions / (completions + cancels)
 *   dispute_ratio        = (cancels + stake unlocks) / (completions + cancels + stake unlocks), where a
 *                          stake unlock is a stake released by being outbid (not by settlement)
 *   settlement_p90       = p90 of sale prices (base units)
 *   stake_coverage_ratio = total registered stake / settlement_p90
 * Deviation (as for the other gates, gates.ts): absolute thresholds with hysteresis instead of the
 * reference's comparisons with the previous sample. The gate's state (from the chain's
 * `naming_mode`) decides what `enterOk` means: rehearsal-ready when inactive, trade-ready in rehearsal.
 */
import type { GateVerdict } from '../../shared/api/governor.js';

export const NAMING = { txtEnterMin: 0.9, txtStayMin: 0.75, completionEnterMin: 0.8, disputeEnterMax: 0.6, disputeStayMax: 0.8, tradeMinCompletions: 3, coverageMin: 1 } as const;

export interface NamingSample {
  txtAttempts: number;
  txtOk: number;
  completions: number;
  cancels: number;
  stakeUnlocks: number;
  salePrices: bigint[];
  totalStake: bigint;
  mode: 'inactive' | 'rehearsal' | 'trade';
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function evaluateNaming(s: NamingSample, t = NAMING): GateVerdict {
  const txt = s.txtAttempts > 0 ? s.txtOk / s.txtAttempts : null;
  const closed = s.completions + s.cancels;
  const completion = closed > 0 ? s.completions / closed : null;
  const dispute = closed + s.stakeUnlocks > 0 ? (s.cancels + s.stakeUnlocks) / (closed + s.stakeUnlocks) : null;
  const sorted = [...s.salePrices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const p90 = sorted.length > 0 ? sorted[Math.round((sorted.length - 1) * 0.9)] : null;
  const coverage = p90 === null ? null : p90 === 0n ? 1 : Number(s.totalStake) / Number(p90);
  const metrics = {
    txt_success_ratio: txt === null ? null : r6(txt),
    completion_ratio: completion === null ? null : r6(completion),
    dispute_ratio: dispute === null ? null : r6(dispute),
    stake_coverage_ratio: coverage === null ? null : r6(coverage),
    settlement_p90: p90 === null ? null : p90.toString(),
  };
  if (txt === null || completion === null || dispute === null)
    return { signal: 'waiting', metrics, reason: `waiting for registry activity (TXT attempts ${s.txtAttempts}, completed ${s.completions}, cancelled ${s.cancels})` };
  const rehearsalOk = txt >= t.txtEnterMin && completion >= t.completionEnterMin && dispute <= t.disputeEnterMax;
  const tradeOk = rehearsalOk && s.completions >= t.tradeMinCompletions && (coverage ?? 0) >= t.coverageMin;
  const enterOk = s.mode === 'inactive' ? rehearsalOk : tradeOk;
  const stayOk = txt >= t.txtStayMin && dispute <= t.disputeStayMax;
  const parts = [`txt ${r6(txt)} (≥ ${t.txtEnterMin})`, `completion ${r6(completion)} (≥ ${t.completionEnterMin})`, `dispute ${r6(dispute)} (≤ ${t.disputeEnterMax})`, `coverage ${coverage === null ? 'n/a' : r6(coverage)} (trade ≥ ${t.coverageMin}, ${s.completions}/${t.tradeMinCompletions} sales)`];
  return { signal: 'ok', enterOk, stayOk, metrics, reason: `${s.mode}: ${enterOk ? (s.mode === 'inactive' ? 'rehearsal ready' : 'trade ready') : 'not ready'}; ${parts.join('; ')}` };
}
