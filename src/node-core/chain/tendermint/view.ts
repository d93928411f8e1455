/**
 * The `consensus.finality` view of a Tendermint node (amounts as decimal strings): the last
 * committed block (final at once), the stake counted and the precommit stake that commits (more
 * than 2/3) — the stake of the validators active after the head, without those excluded by committed
 * evidence —, evidence, the exclusions (validator, first height excluded), validators, and the state machine (height, round, step, proposer, last round
 * timeout and why the round was entered).
 */
import { fromHex } from '../../crypto/hash.js';
import { formatAddress } from '../address.js';
import type { Block } from '../block.js';
import type { Chain } from '../chain.js';
import { finalityThreshold } from '../consensus.js';
import type { TendermintCore } from './core.js';
import type { ConsensusStatus } from './driver.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { EvidenceBook } from './evidence-book.js';
import { excludedAt, exclusionsRef, type Exclusions } from '../exclusions.js';

export interface ViewInput {
  chain: Chain;
  evidence: EvidenceBook;
  stakes: ReadonlyMap<string, bigint>;
  core?: TendermintCore<Block>;
  status?: ConsensusStatus;
  myHex: string;
  syncing: boolean;
}

export function finalityView(o: ViewInput) {
  const { chain, evidence, status: st } = o;
  const fin = chain.finalized();
  const set = chain.set;
  const total = set.total;
  const exclusions = chain.moduleState(exclusionsRef);
  const from = new Map(exclusions.map((e) => [e.addrHex, e.fromHeight]));
  const effective = effectiveStake(o.stakes, exclusions);
  return {
    finalized_height: fin.height,
    finalized_hash: fin.hashHex,
    head_height: chain.headBlock().header.height,
    effective_total_stake: effective.toString(),
    equivocated_stake: evidence.stake(o.stakes).toString(),
    excluded_stake: (total - effective).toString(),
    finality_threshold: finalityThreshold(effective).toString(),
    total_stake: total.toString(),
    validators: set.list.map((v) => ({ address: v.address, stake: v.stake.toString(), equivocated: evidence.has(v.addrHex), excluded_from_height: from.get(v.addrHex) ?? null, self: v.addrHex === o.myHex })),
    excluded_validators: exclusions.map((e) => ({ address: set.get(e.addrHex)?.address ?? formatAddress(fromHex(e.addrHex, 20)), from_height: e.fromHeight })),
    vote_support: support(o),
    equivocated_validators: evidence.list().map((e) => formatAddress(fromHex(e.from, 20))),
    equivocations: evidence.view(),
    is_validator: set.get(o.myHex) !== undefined,
    syncing: o.syncing,
    consensus: st
      ? {
          protocol: 'tendermint' as const,
          height: st.height,
          round: st.round,
          step: st.step,
          proposer: set.get(st.proposer)?.address ?? st.proposer,
          last_timeout: st.lastTimeout ? { round: st.lastTimeout.round, step: st.lastTimeout.step, ago_ms: st.lastTimeout.agoMs } : null,
          round_reason: st.roundReason,
        }
      : null,
  };
}

/** Precommit stake for a block in the current round of the height being decided. */
function support(o: ViewInput): { height: number; stake: string }[] {
  const c = o.core;
  if (!c) return [];
  let s = 0n;
  for (const m of c.messagesAt([c.round])) if (m.type === 'precommit' && m.id !== null) s += o.stakes.get(m.from) ?? 0n;
  return [{ height: c.height, stake: s.toString() }];
}

/** Stake counted by quorums after the head: genesis stake minus the excluded validators'. */
function effectiveStake(stakes: ReadonlyMap<string, bigint>, exclusions: Exclusions): bigint {
  const ex = excludedAt(exclusions);
  let t = 0n;
  for (const [id, s] of stakes) if (!ex.has(id)) t += s;
  return t;
}

/** The finality gauges: stake counted, equivocated and excluded stake, excluded validators, precommit stake that commits. */
export function setFinalityGauges(m: Metrics, stakes: ReadonlyMap<string, bigint>, equivocated: bigint, exclusions: Exclusions): void {
  let total = 0n;
  for (const s of stakes.values()) total += s;
  const effective = effectiveStake(stakes, exclusions);
  m.effectiveTotalStake.set(Number(effective));
  m.equivocatedStake.set(Number(equivocated));
  m.consensusExcludedStake.set(Number(total - effective));
  m.consensusValidatorsExcluded.set(exclusions.length);
  m.finalityThreshold.set(Number(finalityThreshold(effective)));
}
