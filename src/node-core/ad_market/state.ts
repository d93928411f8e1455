/**
 * The ad market's on-chain state and its canonical CBOR codec (records as fixed-order arrays).
 * Governance-clamped knobs (thresholds, presence clamps, privacy budget, pacing epochs) come from
 * the treasury's governance params (`params.ts`); AD_LIMITS are structural caps that bound the
 * state the state root hashes.
 */
import { asArray, asSafeInt, asU64, CodecError } from '../codec/canonical.js';
import type { SelectorStat } from './auction.js';
import type { Pacing } from './broker.js';
import { EMPTY_CARRY, type ReadinessCarry } from './readiness.js';
import type { FamilyBudget, PrivacyDecision } from './privacy.js';

export const AD_LIMITS = Object.freeze({
  /** Stored readiness events cap (oldest dropped first). */
  max_events: 4096,
  max_selectors: 64,
  max_campaigns: 256,
  max_buckets: 256,
  max_claim_routes: 1024,
  max_creatives: 16,
});

/** Payout roles of claim routes (spec §6, ARCH). */
export const PAYOUT_ROLES = ['publisher', 'host', 'hardware', 'verifier', 'liquidity', 'viewer'] as const;

export const DOMAIN_TIERS = ['premium', 'reserved', 'community', 'unverified'] as const;
export const PRESENCE_KINDS = ['localnet', 'range_boost', 'unknown'] as const;

export interface Campaign {
  id: string;
  advertiser: string;
  budget: bigint;
  spent: bigint;
  max_bid: bigint;
  quality_ppm: number;
  domain_tiers: string[];
  interest_tags: string[];
  created_ms: number;
  /** Creative ids with their declared action rate (ppm of impressions that convert). */
  creatives: { id: string; action_rate_ppm: number }[];
  /** Hex BLAKE3 of the advertiser's conversion token ('' = conversions refused: token missing). */
  token_hash: string;
  /** Won impressions, conversions and their value (µUSD). */
  wins: number;
  conversions: number;
  conversion_value: bigint;
  /** Selector of the last won impression (conversions are attributed to it); '' = none yet. */
  last_selector: string;
  pacing: Pacing;
}

export interface StoredAck {
  ts_ms: number;
  viewer: string;
  host: string;
  provider: string;
  domain_tier: string;
  interest_tag: string;
  /** '' = no presence bucket. */
  bucket: string;
}

export interface Bucket {
  id: string;
  kind: string;
  region: string;
  radius_m: number;
  confidence_bps: number;
  minted_ms: number;
  expires_ms: number;
  crowd: number;
}

export interface Reservation {
  id: string;
  campaign: string;
  bucket: string;
  slots: number;
  expires_ms: number;
}

export interface AdState {
  campaigns: Campaign[];
  acks: StoredAck[];
  buckets: Bucket[];
  reservations: Reservation[];
  privacy: FamilyBudget[];
  carry: ReadinessCarry;
  ready: boolean;
  selectors: SelectorStat[];
  /** Counters: impressions skipped (presence policy), privacy denials by decision, reservation seq. */
  skipped_presence: number;
  denials: Record<Exclude<PrivacyDecision, 'ok'>, number>;
  seq: number;
  last_updated_ms: number;
  /** Payout routes `{domain, role, address}`, sorted by domain then role. */
  claim_routes: ClaimRoute[];
  /** Settled (won) impressions: count and paid total, µUSD. */
  settlement_count: number;
  settled_usd_micros: bigint;
}

export interface ClaimRoute {
  domain: string;
  role: string;
  address: string;
}

export const EMPTY_AD: AdState = Object.freeze({
  campaigns: [], acks: [], buckets: [], reservations: [], privacy: [], carry: EMPTY_CARRY, ready: false, selectors: [],
  skipped_presence: 0, denials: { k_anonymity_redacted: 0, budget_exhausted: 0, cooldown: 0 }, seq: 0, last_updated_ms: 0,
  claim_routes: [], settlement_count: 0, settled_usd_micros: 0n,
}) as AdState;

export function asText(v: unknown, field: string, max = 128): string {
  if (typeof v !== 'string' || v.length > max) throw new CodecError(`${field} must be text of at most ${max} characters`);
  return v;
}
const texts = (v: unknown, f: string) => asArray(v, f).map((x, i) => asText(x, `${f}[${i}]`));
const int = (v: unknown, f: string) => asSafeInt(v, f);
const DECISIONS = ['ok', 'k_anonymity_redacted', 'budget_exhausted', 'cooldown'] as const;

export function encodeAd(s: AdState): unknown {
  return [
    s.campaigns.map((c) => [c.id, c.advertiser, c.budget, c.spent, c.max_bid, c.quality_ppm, c.domain_tiers, c.interest_tags, c.created_ms, c.creatives.map((x) => [x.id, x.action_rate_ppm]), c.token_hash, c.wins, c.conversions, c.conversion_value, c.last_selector, encodePacing(c.pacing)]),
    s.acks.map((a) => [a.ts_ms, a.viewer, a.host, a.provider, a.domain_tier, a.interest_tag, a.bucket]),
    s.buckets.map((b) => [b.id, b.kind, b.region, b.radius_m, b.confidence_bps, b.minted_ms, b.expires_ms, b.crowd]),
    s.reservations.map((r) => [r.id, r.campaign, r.bucket, r.slots, r.expires_ms]),
    s.privacy.map((p) => [p.family, p.eps_spent, p.delta_spent, p.cooldown_remaining, p.accepted, p.cooling, p.denied, DECISIONS.indexOf(p.last_decision)]),
    [s.carry.ema_viewers, s.carry.ema_hosts, s.carry.ema_providers, s.carry.ready_streak_windows, s.carry.last_window_id + 1, s.ready ? 1 : 0],
    s.selectors.map((x) => [x.selector, x.label, x.clearing_price, x.integral < 0n ? 1 : 0, x.integral < 0n ? -x.integral : x.integral, x.top_bid, x.last_paid, x.shading_bps, x.opportunities, x.wins, x.conversion_value, x.families, x.conversions]),
    [s.skipped_presence, s.denials.k_anonymity_redacted, s.denials.budget_exhausted, s.denials.cooldown, s.seq, s.last_updated_ms],
    s.claim_routes.map((r) => [r.domain, r.role, r.address]),
    [s.settlement_count, s.settled_usd_micros],
  ];
}

export function decodeAd(v: unknown): AdState {
  const a = asArray(v, 'ad_market state', 10);
  const settled = asArray(a[9], 'ad_market settlement', 2);
  const carry = asArray(a[5], 'ad_market carry', 6);
  const ctr = asArray(a[7], 'ad_market counters', 6);
  return {
    campaigns: asArray(a[0], 'campaigns').map((x) => {
      const c = asArray(x, 'campaign', 16);
      return {
        id: asText(c[0], 'campaign.id'), advertiser: asText(c[1], 'campaign.advertiser'), budget: asU64(c[2], 'budget'), spent: asU64(c[3], 'spent'), max_bid: asU64(c[4], 'max_bid'), quality_ppm: int(c[5], 'quality_ppm'), domain_tiers: texts(c[6], 'domain_tiers'), interest_tags: texts(c[7], 'interest_tags'), created_ms: int(c[8], 'created_ms'),
        creatives: asArray(c[9], 'creatives').map((y) => {
          const k = asArray(y, 'creative', 2);
          return { id: asText(k[0], 'creative.id'), action_rate_ppm: int(k[1], 'action_rate_ppm') };
        }),
        token_hash: asText(c[10], 'token_hash'), wins: int(c[11], 'wins'), conversions: int(c[12], 'conversions'), conversion_value: asU64(c[13], 'conversion_value'), last_selector: asText(c[14], 'last_selector'), pacing: decodePacing(c[15]),
      };
    }),
    acks: asArray(a[1], 'acks').map((x) => {
      const k = asArray(x, 'ack', 7);
      return { ts_ms: int(k[0], 'ts_ms'), viewer: asText(k[1], 'viewer'), host: asText(k[2], 'host'), provider: asText(k[3], 'provider'), domain_tier: asText(k[4], 'domain_tier'), interest_tag: asText(k[5], 'interest_tag'), bucket: asText(k[6], 'bucket') };
    }),
    buckets: asArray(a[2], 'buckets').map((x) => {
      const b = asArray(x, 'bucket', 8);
      return { id: asText(b[0], 'bucket.id'), kind: asText(b[1], 'kind'), region: asText(b[2], 'region'), radius_m: int(b[3], 'radius'), confidence_bps: int(b[4], 'confidence'), minted_ms: int(b[5], 'minted'), expires_ms: int(b[6], 'expires'), crowd: int(b[7], 'crowd') };
    }),
    reservations: asArray(a[3], 'reservations').map((x) => {
      const r = asArray(x, 'reservation', 5);
      return { id: asText(r[0], 'reservation.id'), campaign: asText(r[1], 'campaign'), bucket: asText(r[2], 'bucket'), slots: int(r[3], 'slots'), expires_ms: int(r[4], 'expires') };
    }),
    privacy: asArray(a[4], 'privacy').map((x) => {
      const p = asArray(x, 'family', 8);
      return { family: asText(p[0], 'family'), eps_spent: asU64(p[1], 'eps'), delta_spent: asU64(p[2], 'delta'), cooldown_remaining: int(p[3], 'cooldown'), accepted: int(p[4], 'accepted'), cooling: int(p[5], 'cooling'), denied: int(p[6], 'denied'), last_decision: DECISIONS[int(p[7], 'decision')] ?? 'ok' };
    }),
    carry: { ema_viewers: int(carry[0], 'ema'), ema_hosts: int(carry[1], 'ema'), ema_providers: int(carry[2], 'ema'), ready_streak_windows: int(carry[3], 'streak'), last_window_id: int(carry[4], 'window') - 1 },
    ready: carry[5] === 1,
    selectors: asArray(a[6], 'selectors').map((x) => {
      const s = asArray(x, 'selector', 13);
      const mag = asU64(s[4], 'integral');
      return { selector: asText(s[0], 'selector'), label: asText(s[1], 'label'), clearing_price: asU64(s[2], 'price'), integral: s[3] === 1 ? -mag : mag, top_bid: asU64(s[5], 'top'), last_paid: asU64(s[6], 'paid'), shading_bps: int(s[7], 'shading'), opportunities: int(s[8], 'opps'), wins: int(s[9], 'wins'), conversion_value: asU64(s[10], 'conv'), families: texts(s[11], 'families'), conversions: int(s[12], 'conversions') };
    }),
    skipped_presence: int(ctr[0], 'skipped'),
    denials: { k_anonymity_redacted: int(ctr[1], 'k'), budget_exhausted: int(ctr[2], 'b'), cooldown: int(ctr[3], 'c') },
    seq: int(ctr[4], 'seq'),
    last_updated_ms: int(ctr[5], 'updated'),
    claim_routes: asArray(a[8], 'claim_routes').map((x) => {
      const r = asArray(x, 'claim_route', 3);
      return { domain: asText(r[0], 'route.domain'), role: asText(r[1], 'route.role'), address: asText(r[2], 'route.address') };
    }),
    settlement_count: int(settled[0], 'settlement_count'),
    settled_usd_micros: asU64(settled[1], 'settled_usd_micros'),
  };
}

const signed = (x: number) => [x < 0 ? 1 : 0, Math.abs(x)];
const unsigned = (v: unknown, f: string) => {
  const a = asArray(v, f, 2);
  return a[0] === 1 ? -int(a[1], f) : int(a[1], f);
};
function encodePacing(p: Pacing): unknown {
  return [p.epoch_target, p.epoch_spend, p.epoch_impressions, p.dual_price_ppm, p.kappa_ppm, signed(p.smoothed_error_ppm)];
}
function decodePacing(v: unknown): Pacing {
  const p = asArray(v, 'pacing', 6);
  return { epoch_target: asU64(p[0], 'epoch_target'), epoch_spend: asU64(p[1], 'epoch_spend'), epoch_impressions: int(p[2], 'epoch_impressions'), dual_price_ppm: int(p[3], 'dual_price'), kappa_ppm: int(p[4], 'kappa'), smoothed_error_ppm: unsigned(p[5], 'smoothed_error') };
}
