/**
 * Gate rules of the launch governor as pure functions (spec/governor.md §2-3; issue 4).
 *
 * Each window the governor turns a gate's inputs into a `Verdict` (`evaluate*`), then `stepGate`
 * applies the reference's streak rule: enter_streak = enter_ok ? +1 : 0, exit_streak =
 * stay_ok ? 0 : +1; a gate moves when a streak reaches `streak_required` (= ceil(epoch duration /
 * window), at least 1: a condition must hold for about one epoch of windows). A gate whose
 * source does not exist yet reports `no_signal` with the missing source named, keeps its state
 * and resets its streaks — never invented numbers.
 *
 * Deviation from the reference (operational): its enter/exit tests compare each sample with the
 * previous one (`smooth ≤ prev + std`…), which on a steady chain flips on noise. We keep its
 * signals and streak rule but judge them against absolute thresholds with hysteresis (entering
 * is stricter than staying). Our chain has no difficulty, so the reference's difficulty slope is
 * replaced by the finality lag.
 */
import type { GateAction, GateMetrics, GateName, GateState, GateVerdict } from '../../shared/api/governor.js';
import { deltaPercentile, mad, median, percentile, round6 } from './stats.js';

export type Verdict = GateVerdict;

/** What the governor remembers of a gate between windows (persisted in the intent store). */
export interface GateMemory {
  name: GateName;
  state: GateState;
  enterStreak: number;
  exitStreak: number;
  lastReason: string;
  lastMetrics: GateMetrics;
  signal: Verdict['signal'];
  missingSources: string[];
  lastTransitionEpoch: number | null;
}

export interface Transition {
  from: GateState;
  to: GateState;
  action: GateAction;
}

/** How a gate moves: toggle inactive⇄active; rehearsal inactive⇄rehearsal (ad gates); naming inactive→rehearsal⇄trade. */
export type GateKind = 'toggle' | 'rehearsal' | 'naming';

export const GATE_KIND: Record<GateName, GateKind> = {
  operational: 'toggle',
  naming: 'naming',
  economics: 'toggle',
  storage: 'toggle',
  compute: 'toggle',
  energy: 'toggle',
  ad_targeting_contextual: 'rehearsal',
  ad_targeting_presence: 'rehearsal',
};

export function initialMemory(name: GateName): GateMemory {
  return { name, state: 'inactive', enterStreak: 0, exitStreak: 0, lastReason: 'not evaluated yet', lastMetrics: {}, signal: 'waiting', missingSources: [], lastTransitionEpoch: null };
}

/** Required streak for a window: ceil(epoch duration / window), at least 1. */
export function requiredStreak(windowSecs: number, epochSecs: number): number {
  return Math.max(1, Math.ceil(epochSecs / windowSecs - 1e-9));
}

/**
 * Applies one verdict to a gate.
 * Naming: in `inactive` enter_ok means "rehearsal ready", in `rehearsal` "trade ready"; in `trade`
 * stay_ok false means "trade exit". There is no way back from rehearsal to inactive (reference).
 */
export function stepGate(mem: GateMemory, v: Verdict, required: number, epoch: number): { mem: GateMemory; transition?: Transition } {
  const base = { ...mem, lastReason: v.reason, lastMetrics: v.metrics, signal: v.signal, missingSources: v.signal === 'no_signal' ? v.missing : [] };
  if (v.signal === 'no_signal') return { mem: { ...base, enterStreak: 0, exitStreak: 0 } };
  if (v.signal === 'waiting') return { mem: base };
  const enter = v.enterOk ? mem.enterStreak + 1 : 0;
  const exit = v.stayOk ? 0 : mem.exitStreak + 1;
  const next: GateMemory = { ...base, enterStreak: enter, exitStreak: exit };
  const move = (to: GateState, action: GateAction, reset: 'enter' | 'exit'): { mem: GateMemory; transition: Transition } => ({
    mem: { ...next, state: to, lastTransitionEpoch: epoch, ...(reset === 'exit' ? { exitStreak: 0 } : { enterStreak: 0 }) },
    transition: { from: mem.state, to, action },
  });
  const kind = GATE_KIND[mem.name];
  if (kind === 'naming') {
    if (mem.state === 'inactive' && enter >= required) return move('rehearsal', 'rehearsal', 'enter');
    if (mem.state === 'rehearsal' && enter >= required) return move('trade', 'trade', 'enter');
    if (mem.state === 'trade' && exit >= required) return move('rehearsal', 'rehearsal', 'exit');
    return { mem: next };
  }
  const on: GateState = kind === 'rehearsal' ? 'rehearsal' : 'active';
  if (mem.state === 'inactive' && enter >= required) return move(on, kind === 'rehearsal' ? 'rehearsal' : 'enter', 'exit');
  if (mem.state === on && exit >= required) return move('inactive', 'exit', 'enter');
  return { mem: next };
}

// ---------------------------------------------------------------- operational

/** Thresholds of the operational gate (enter / stay). */
export const OPERATIONAL = {
  /** MAD/median of block spacing. */
  smoothEnterMax: 0.1,
  smoothStayMax: 0.25,
  /** Head height − finalized height, in blocks. */
  finalityLagEnterMax: 2,
  finalityLagStayMax: 8,
  /** Fraction of sampled blocks that re-validate (any failure is a fault). */
  replayMin: 1,
  /** Fraction of live peer requests (no peers on a dev chain counts as live). */
  peerEnterMin: 0.9,
  peerStayMin: 0.5,
  /** Fewer blocks than this in a window means the chain is stalled. */
  minBlocks: 3,
} as const;

export interface OperationalSample {
  windowSecs: number;
  /** Blocks whose timestamps fall in the window. */
  blocks: number;
  /** Spacing between consecutive blocks of the window, ms. */
  spacingsMs: number[];
  finalityLagBlocks: number;
  replayChecked: number;
  replayOk: number;
  peers: number;
  /** Σrequests/Σ(requests+drops) over the window; null when there is no peer traffic. */
  peerLiveness: number | null;
  /** True on a chain with a single validator and no peers (dev): counts as live. */
  devSolo: boolean;
}

/** Operational verdict from chain signals (block interval smoothness, finality lag, replay, peer liveness). */
export function evaluateOperational(s: OperationalSample, t = OPERATIONAL): Verdict {
  const med = median(s.spacingsMs);
  const smooth = med === undefined ? undefined : med === 0 ? 0 : mad(s.spacingsMs)! / med;
  const replay = s.replayChecked === 0 ? undefined : s.replayOk / s.replayChecked;
  const peer = s.peerLiveness ?? (s.devSolo ? 1 : undefined);
  const metrics: GateMetrics = {
    block_smoothness_ratio: smooth === undefined ? null : round6(smooth),
    finality_lag_blocks: s.finalityLagBlocks,
    replay_success_ratio: replay === undefined ? null : round6(replay),
    peer_liveness: peer === undefined ? null : round6(peer),
    blocks_in_window: s.blocks,
    median_block_interval_ms: med ?? null,
    peers: s.peers,
  };
  if (s.blocks < t.minBlocks || smooth === undefined) {
    return { signal: 'ok', enterOk: false, stayOk: false, metrics, reason: `chain stalled: ${s.blocks} blocks in the last ${s.windowSecs} s (need ${t.minBlocks})` };
  }
  if (peer === undefined)
    return { signal: 'no_signal', missing: ['peer metrics'], metrics, reason: `no_signal: peer liveness is not measured (${s.peers} peer(s) connected, no request to them answered or dropped in the last minute)` };
  const r = replay ?? 0;
  const parts = [
    `smoothness ${round6(smooth)} (enter ≤ ${t.smoothEnterMax}, stay ≤ ${t.smoothStayMax})`,
    `finality lag ${s.finalityLagBlocks} blocks (enter ≤ ${t.finalityLagEnterMax}, stay ≤ ${t.finalityLagStayMax})`,
    `replay ${s.replayOk}/${s.replayChecked} (need ${t.replayMin})`,
    s.peerLiveness === null && s.devSolo ? 'peers live (dev chain, no peers)' : `peer liveness ${round6(peer)} (enter ≥ ${t.peerEnterMin}, stay ≥ ${t.peerStayMin})`,
  ];
  const enterOk = smooth <= t.smoothEnterMax && s.finalityLagBlocks <= t.finalityLagEnterMax && r >= t.replayMin && peer >= t.peerEnterMin;
  const stayOk = smooth <= t.smoothStayMax && s.finalityLagBlocks <= t.finalityLagStayMax && r >= t.replayMin && peer >= t.peerStayMin;
  return { signal: 'ok', enterOk, stayOk, metrics, reason: `${enterOk ? 'healthy' : stayOk ? 'not ready to enter' : 'degraded'}: ${parts.join('; ')}` };
}

// ---------------------------------------------------------------- markets (storage, compute, energy)

/** Utilization and provider margin bounds of a sane market (spec/governor.md §3 storage/compute/energy). */
export const MARKET = { utilMin: 0.01, utilMax: 0.95, marginMin: -0.5, marginMax: 3.0 } as const;

export function marketSane(util: number, margin: number, t = MARKET): boolean {
  return util >= t.utilMin && util <= t.utilMax && margin >= t.marginMin && margin <= t.marginMax;
}

/** Market gate: ok → enter, else exit; `null` sample = the market does not exist on this node. */
export function evaluateMarket(market: string, s: { util: number; margin: number } | null): Verdict {
  if (s === null) return { signal: 'no_signal', missing: [`${market} market`], metrics: { utilization: null, provider_margin: null }, reason: `no_signal: the ${market} market is not running on this node (needs utilization and provider margin)` };
  const ok = marketSane(s.util, s.margin);
  return {
    signal: 'ok', enterOk: ok, stayOk: ok, metrics: { utilization: round6(s.util), provider_margin: round6(s.margin) },
    reason: `${market} utilization ${round6(s.util)} (${MARKET.utilMin}..${MARKET.utilMax}), margin ${round6(s.margin)} (${MARKET.marginMin}..${MARKET.marginMax}): ${ok ? 'ok' : 'FAIL'}`,
  };
}

// ---------------------------------------------------------------- economics

export const ECONOMICS = { minTxCount: 10, minVolume: 1000n, maxRewardVolatilityBps: 2000 } as const;

export interface EconomicsSample {
  /** From our chain: transactions and volume (base units) of the last complete epoch. */
  epochTxCount: number;
  epochTxVolume: bigint;
  /** Block rewards per block over recent epochs; null = the chain has no block reward source. */
  blockRewards: number[] | null;
  /** Treasury inflow of the epoch and its history; null = no treasury on this node. */
  treasuryInflow: number | null;
  treasuryHistory: number[];
  /** Market utilization/margin by market; null = that market does not exist here. */
  markets: Record<'storage' | 'compute' | 'energy' | 'ad', { util: number; margin: number } | null>;
}

/**
 * Economics verdict (spec/governor.md §3 economics): activity (tx ≥ 10 ∧ volume ≥ 1000), reward
 * volatility ≤ 2000 bps, treasury inflow > 0 and ≥ previous − Δ75, every market sane.
 */
export function evaluateEconomics(s: EconomicsSample, t = ECONOMICS): Verdict {
  const missing: string[] = [];
  if (s.blockRewards === null) missing.push('block rewards');
  if (s.treasuryInflow === null) missing.push('treasury');
  for (const [m, v] of Object.entries(s.markets)) if (v === null) missing.push(`${m} market`);
  const activity = s.epochTxCount >= t.minTxCount && s.epochTxVolume >= t.minVolume;
  const metrics: GateMetrics = {
    epoch_tx_count: s.epochTxCount,
    epoch_tx_volume: s.epochTxVolume.toString(),
    block_reward_volatility_bps: null,
    epoch_treasury_inflow: s.treasuryInflow,
  };
  const act = `activity=${activity ? 'ok' : 'FAIL'} (tx ${s.epochTxCount}, volume ${s.epochTxVolume})`;
  if (missing.length > 0) return { signal: 'no_signal', missing, metrics, reason: `no_signal: missing ${missing.join(', ')}; ${act}` };
  const rewards = s.blockRewards!;
  const med = median(rewards) ?? 0;
  const vol = med === 0 ? Infinity : ((percentile(rewards.slice(1).map((r, i) => Math.abs(r - rewards[i])), 0.9) ?? 0) / med) * 10_000;
  const stable = vol <= t.maxRewardVolatilityBps;
  const inflow = s.treasuryInflow!;
  const prev = s.treasuryHistory.length > 0 ? s.treasuryHistory[s.treasuryHistory.length - 1] : 0;
  const treasury = inflow > 0 && inflow >= prev - deltaPercentile(s.treasuryHistory, 0.75);
  const sane = Object.values(s.markets).every((m) => m !== null && marketSane(m.util, m.margin));
  metrics.block_reward_volatility_bps = Number.isFinite(vol) ? Math.round(vol) : null;
  const enterOk = activity && stable && treasury && sane;
  const stayOk = !(s.epochTxCount < t.minTxCount || inflow === 0 || !stable || !sane);
  const volText = Number.isFinite(vol) ? `${Math.round(vol)}bps` : 'unbounded (median reward 0)';
  return { signal: 'ok', enterOk, stayOk, metrics, reason: `${act} reward_vol=${volText} treasury=${treasury ? 'ok' : 'FAIL'} markets=${sane ? 'ok' : 'FAIL'}` };
}

// ---------------------------------------------------------------- sources that do not exist yet

/** Verdict of a gate whose input source is not available on this node. */
export function noSignal(gate: GateName, source: string, needs: string[]): Verdict {
  return {
    signal: 'no_signal',
    missing: [source],
    metrics: Object.fromEntries(needs.map((n) => [n, null])),
    reason: `no_signal: ${source} is not available on this node (${gate} needs ${needs.join(', ')})`,
  };
}
