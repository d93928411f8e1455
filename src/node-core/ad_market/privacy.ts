/**
 * Privacy budgets per badge family (spec/ad_market.md §3): ε/δ accounting with forgetting,
 * cooldown after exhaustion, decisions `ok | k_anonymity_redacted | budget_exhausted | cooldown`,
 * and a forecast of when each family runs out at the current spend. Pure and integer-only so the
 * chain can hold it: ε in units of 1e-12 (ε = 1.0 → 1e12), δ in units of 1e-18 (δ = 1e-6 → 1e12).
 */

export const EPS_UNIT = 1_000_000_000_000n;
export const DELTA_UNIT = 1_000_000_000_000_000_000n;

export interface PrivacyConfig {
  /** ε budget (EPS_UNIT = 1.0). */
  max_epsilon: bigint;
  /** δ budget (DELTA_UNIT = 1.0). */
  max_delta: bigint;
  default_epsilon_cost: bigint;
  default_delta_cost: bigint;
  cool_off_impressions: number;
  /** Decay of the spent budget at each authorised impression, ppm (0.05 → 50_000). */
  forgetting_ppm: number;
}

/** Spec §3 defaults: ε 1.0, δ 1e-6, costs 0.01 / 1e-8, cool-off 10 000 impressions, forgetting 0.05. */
export const PRIVACY_DEFAULTS: PrivacyConfig = Object.freeze({
  max_epsilon: EPS_UNIT,
  max_delta: DELTA_UNIT / 1_000_000n,
  default_epsilon_cost: EPS_UNIT / 100n,
  default_delta_cost: DELTA_UNIT / 100_000_000n,
  cool_off_impressions: 10_000,
  forgetting_ppm: 50_000,
});

export type PrivacyDecision = 'ok' | 'k_anonymity_redacted' | 'budget_exhausted' | 'cooldown';
export const PRIVACY_DECISIONS: readonly PrivacyDecision[] = ['ok', 'k_anonymity_redacted', 'budget_exhausted', 'cooldown'];

export interface FamilyBudget {
  family: string;
  eps_spent: bigint;
  delta_spent: bigint;
  cooldown_remaining: number;
  accepted: number;
  cooling: number;
  denied: number;
  last_decision: PrivacyDecision;
}

export const newFamily = (family: string): FamilyBudget => ({ family, eps_spent: 0n, delta_spent: 0n, cooldown_remaining: 0, accepted: 0, cooling: 0, denied: 0, last_decision: 'ok' });

/** Family of a badge: lower-cased prefix before the first `:` (`presence:localnet` → `presence`). */
export const familyOf = (badge: string): string => badge.split(':')[0].toLowerCase();

/** Cost of one impression for a population hint (≥ 1). */
export function impressionCost(cfg: PrivacyConfig, population: number): { eps: bigint; delta: bigint } {
  const pop = BigInt(Math.max(1, Math.floor(population)));
  return { eps: cfg.default_epsilon_cost / pop, delta: cfg.default_delta_cost / pop };
}

const decay = (x: bigint, ppm: number) => (x * BigInt(1_000_000 - ppm)) / 1_000_000n;

/**
 * Authorises one impression carrying `badges` against the family budgets (returns new records;
 * inputs untouched). Per family: cooling → decrement, `cooldown`; spent + cost over the max →
 * reset spent, start the cool-off, `budget_exhausted`; when every family passes, each decays by
 * the forgetting factor and adds the cost, `ok`. No badges → `ok`.
 */
export function authorize(
  budgets: ReadonlyMap<string, FamilyBudget>,
  badges: readonly string[],
  population: number,
  cfg: PrivacyConfig,
): { decision: PrivacyDecision; budgets: Map<string, FamilyBudget> } {
  const out = new Map(budgets);
  const fams = [...new Set(badges.map(familyOf))].sort();
  if (fams.length === 0) return { decision: 'ok', budgets: out };
  const cost = impressionCost(cfg, population);
  let decision: PrivacyDecision = 'ok';
  for (const f of fams) {
    const b = { ...(out.get(f) ?? newFamily(f)) };
    if (b.cooldown_remaining > 0) {
      b.cooldown_remaining -= 1;
      b.cooling += 1;
      b.last_decision = 'cooldown';
      if (decision === 'ok') decision = 'cooldown';
    } else if (b.eps_spent + cost.eps > cfg.max_epsilon || b.delta_spent + cost.delta > cfg.max_delta) {
      b.eps_spent = 0n;
      b.delta_spent = 0n;
      b.cooldown_remaining = cfg.cool_off_impressions;
      b.denied += 1;
      b.last_decision = 'budget_exhausted';
      decision = 'budget_exhausted';
    }
    out.set(f, b);
  }
  if (decision !== 'ok') return { decision, budgets: out };
  for (const f of fams) {
    const b = out.get(f)!;
    out.set(f, { ...b, eps_spent: decay(b.eps_spent, cfg.forgetting_ppm) + cost.eps, delta_spent: decay(b.delta_spent, cfg.forgetting_ppm) + cost.delta, accepted: b.accepted + 1, last_decision: 'ok' });
  }
  return { decision: 'ok', budgets: out };
}

/** Remaining budget of a family, ppm of the max: min(ε_rem, δ_rem). */
export function remainingPpm(b: FamilyBudget, cfg: PrivacyConfig): number {
  if (b.cooldown_remaining > 0) return 0;
  const e = Number(((cfg.max_epsilon - b.eps_spent) * 1_000_000n) / cfg.max_epsilon);
  const d = Number(((cfg.max_delta - b.delta_spent) * 1_000_000n) / cfg.max_delta);
  return Math.max(0, Math.min(e, d));
}

/**
 * How many more impressions (at `population`) a family takes before it is exhausted, simulating
 * the same decay + cost steps as `authorize`; null = never (the forgetting factor holds the spend
 * below the max at this rate) or cooling (then `cooldown_remaining` says how long). Capped at `limit`.
 */
export function impressionsUntilExhausted(b: FamilyBudget, population: number, cfg: PrivacyConfig, limit = 1_000_000): number | null {
  if (b.cooldown_remaining > 0) return 0;
  const c = impressionCost(cfg, population);
  if (c.eps === 0n && c.delta === 0n) return null;
  let e = b.eps_spent, d = b.delta_spent;
  for (let n = 0; n < limit; n++) {
    if (e + c.eps > cfg.max_epsilon || d + c.delta > cfg.max_delta) return n;
    const ne = decay(e, cfg.forgetting_ppm) + c.eps, nd = decay(d, cfg.forgetting_ppm) + c.delta;
    if (ne === e && nd === d) return null; // fixed point below the max
    e = ne;
    d = nd;
  }
  return null;
}
