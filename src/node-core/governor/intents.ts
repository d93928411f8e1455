/**
 * Intent records of the launch governor (spec/governor.md §4): what a decision asks the chain to
 * change (`params_patch` per gate and action, §3), how a record is stored in the SimpleDb store
 * `launch_governor` (`intent/{id}` JSON), and the on-chain intent it becomes (chain/gov-intent.ts;
 * identical intents of several validators share `chain_key`).
 */
import type { GateAction, GateName, IntentSummary } from '../../shared/api/governor.js';
import { intentKey, type GovIntent } from './gov-intent.js';
import { canonicalJson, type DecisionEntry } from './snapshots.js';

export type Patch = Record<string, boolean | string | number>;

/** A stored intent: the API summary plus the on-chain key. */
export interface IntentRecord extends IntentSummary {
  /** Sequence number (ordering of decisions; part of `id`). */
  seq: number;
  /** Key of the identical on-chain intent (chain/gov-intent.ts intentKey). */
  chain_key: string;
}

/** The reference's patches (spec/governor.md §3), by gate and action. */
export function patchFor(gate: GateName, action: GateAction): Patch {
  const on = action !== 'exit';
  switch (gate) {
    case 'operational':
      return { operational: on };
    case 'naming':
      return { naming_mode: action === 'trade' ? 'trade' : 'rehearsal' };
    case 'economics':
      return { economics_autopilot: on };
    case 'storage':
    case 'compute':
    case 'energy':
      return { [`launch_${gate}_autopilot`]: on };
    case 'ad_targeting_contextual':
      return on
        ? { ad_rehearsal_enabled: true, ad_rehearsal_stability_windows: 3, ad_rehearsal_contextual_enabled: true, ad_rehearsal_contextual_stability_windows: 3 }
        : { ad_rehearsal_enabled: false, ad_rehearsal_contextual_enabled: false };
    case 'ad_targeting_presence':
      return on ? { ad_rehearsal_presence_enabled: true, ad_rehearsal_presence_stability_windows: 3 } : { ad_rehearsal_presence_enabled: false };
  }
}

/** The chain-side intent of a record (its patch as canonical JSON text). */
export function chainIntent(r: Pick<IntentSummary, 'gate' | 'action' | 'epoch_apply' | 'params_patch'>): GovIntent {
  return { gate: r.gate, action: r.action, epochApply: r.epoch_apply, patch: canonicalJson(r.params_patch) };
}

export function chainKeyOf(r: Pick<IntentSummary, 'gate' | 'action' | 'epoch_apply' | 'params_patch'>): string {
  return intentKey(chainIntent(r));
}

/** API view of a record (drops storage-only fields). */
export function summaryOf(r: IntentRecord): IntentSummary {
  const { seq: _seq, chain_key: _key, ...s } = r;
  return s;
}

/** Newest first: by creation time, then sequence. */
export function newestFirst(a: IntentRecord, b: IntentRecord): number {
  return b.created_ms - a.created_ms || b.seq - a.seq;
}

/**
 * Epoch a decision made at `height` applies at: the next epoch, or the one after when fewer than
 * `margin` blocks are left in this one (so the intent transaction can still be included in time).
 */
export function applyEpochFor(height: number, epochBlocks: number, margin = 3): number {
  const epoch = Math.floor(height / epochBlocks);
  return epochBlocks - (height % epochBlocks) <= margin ? epoch + 2 : epoch + 1;
}

/** The epoch file's entry of a recorded decision (snapshots.ts `DecisionEntry`). */
export function entryOf(r: IntentRecord): DecisionEntry {
  return {
    action: r.action, created_epoch: r.created_epoch, epoch: r.epoch_apply, from_state: r.from_state, gate: r.gate, intent_id: r.id,
    metrics_raw: r.metrics, metrics_summary: r.metrics, params_patch: r.params_patch, reason: r.reason, to_state: r.to_state,
  };
}
