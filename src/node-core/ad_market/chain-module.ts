/**
 * The ad market's chain rules (`ad_market`). Every state change is a transaction (kinds in
 * `kinds.ts`): fee-exempt gateway attestations only a validator may send (the node key signs
 * what its operator asks through the ADMIN RPC, or what an advertiser's authenticated conversion
 * asks), refused with `not_validator` otherwise. Knobs come from the treasury's governance params
 * (`ctx.read(treasuryState)` → `adParams`). Each readiness event runs the privacy check and its
 * selector's auction (bids paced by the budget broker); a conversion is attributed to the
 * selector of the campaign's last won impression and raises the campaign's quality.
 * endBlock prunes the window, cancels reservations whose bucket went stale or whose crowd fails
 * policy (counted in `skipped_presence`), and evaluates readiness (EMA thresholds and streak).
 */
import { blake3, toHex } from '../crypto/hash.js';
import { moduleRef, ok, refuse, type BlockContext, type ChainModule } from '../chain/module.js';
import { treasuryState } from '../treasury/index.js';
import { effectiveQualityPpm, priceStep, runAuction, PRICE_DEFAULTS } from './auction.js';
import { appliedPacingPpm, newPacing, recordSpend } from './broker.js';
import { AD_KINDS, type AckCall, type AdCall, type ClaimRouteCall, type ConvertCall, type PresenceCall, type RegisterCall, type ReserveCall } from './kinds.js';
import { adParams, type AdParams, type PresenceParams } from './params.js';
import { authorize, familyOf, impressionsUntilExhausted, type PrivacyConfig } from './privacy.js';
import { evaluateReadiness } from './readiness.js';
import { AD_LIMITS, decodeAd, EMPTY_AD, encodeAd, type AdState, type Bucket, type Campaign } from './state.js';

export const AD_MARKET_ID = 'ad_market';
export const adMarketState = moduleRef<AdState>(AD_MARKET_ID);

/** The governance knobs in force at this point of the block. */
export const paramsAt = (ctx: BlockContext): AdParams => adParams(ctx.read(treasuryState));

/** Selector id (spec §1): hex BLAKE3(domain ‖ tier ‖ sorted tags ‖ bucket ‖ version u16 LE); domain '' (no `.block` names yet). */
export function selectorId(domainTier: string, interestTags: readonly string[], bucket: string, version = 1): string {
  const te = new TextEncoder();
  const parts = [te.encode(''), te.encode(domainTier), ...[...interestTags].sort().map((t) => te.encode(t))];
  if (bucket !== '') parts.push(te.encode(bucket));
  parts.push(new Uint8Array([version & 0xff, version >> 8]));
  return toHex(blake3(...parts));
}

/** Bucket usable for reservations and impressions: unexpired, confident, crowd at policy. Else the reason. */
export function bucketProblem(b: Bucket | undefined, nowMs: number, P: PresenceParams): string | null {
  if (!b) return 'unknown presence bucket';
  if (b.expires_ms <= nowMs) return `bucket ${b.id} is stale (expired at ${new Date(b.expires_ms).toISOString()})`;
  if (b.confidence_bps < P.min_confidence_bps) return `bucket ${b.id} confidence ${b.confidence_bps} bps is under ${P.min_confidence_bps}`;
  if (b.crowd < P.min_crowd_size) return `bucket ${b.id} crowd ${b.crowd} is under the minimum ${P.min_crowd_size}`;
  return null;
}

/** Slots a bucket offers: floor(crowd / min_crowd_size). */
export const bucketSlots = (b: Bucket, P: PresenceParams) => Math.floor(b.crowd / P.min_crowd_size);
export const reservedSlots = (s: AdState, bucket: string) => s.reservations.filter((r) => r.bucket === bucket).reduce((n, r) => n + r.slots, 0);

const freshnessPpm = (b: Bucket | undefined, nowMs: number) => {
  if (!b) return 1_000_000;
  const age = nowMs - b.minted_ms, H = 3_600_000;
  return age < H ? 1_000_000 : age < 6 * H ? 800_000 : age < 24 * H ? 500_000 : 200_000;
};

function applyAcks(s: AdState, call: AckCall, ctx: BlockContext, P: AdParams): AdState {
  let privacy = new Map(s.privacy.map((p) => [p.family, p]));
  const denials = { ...s.denials };
  const acks = [...s.acks];
  const campaigns = s.campaigns.map((c) => ({ ...c }));
  const selectors = new Map(s.selectors.map((x) => [x.selector, { ...x }]));
  let skipped = s.skipped_presence;
  let settled = s.settled_usd_micros;
  let settlements = s.settlement_count;
  for (const a of call.acks) {
    const bucket = a.bucket === '' ? undefined : s.buckets.find((b) => b.id === a.bucket);
    if (a.bucket !== '' && bucketProblem(bucket, ctx.timestampMs, P.presence) !== null) {
      skipped += 1;
      continue;
    }
    if (a.domain_tier === 'community' && a.badges.length > 0) {
      denials.k_anonymity_redacted += 1;
      continue;
    }
    const auth = authorize(privacy, a.badges, a.population, P.privacy);
    privacy = auth.budgets;
    if (auth.decision !== 'ok') {
      denials[auth.decision] += 1;
      continue;
    }
    acks.push({ ts_ms: ctx.timestampMs, viewer: a.viewer, host: a.host, provider: a.provider, domain_tier: a.domain_tier, interest_tag: a.interest_tag, bucket: a.bucket });
    const sel = selectorId(a.domain_tier, a.interest_tag === '' ? [] : [a.interest_tag], a.bucket);
    let st = selectors.get(sel);
    if (!st) {
      if (selectors.size >= AD_LIMITS.max_selectors) continue;
      st = { selector: sel, label: `${a.domain_tier}/${a.interest_tag || '-'}/${a.bucket || '-'}`, clearing_price: PRICE_DEFAULTS.default_price_usd_micros, integral: 0n, top_bid: 0n, last_paid: 0n, shading_bps: 0, opportunities: 0, wins: 0, conversions: 0, conversion_value: 0n, families: [] };
      selectors.set(sel, st);
    }
    const fams = new Set([...st.families, ...a.badges.map(familyOf)]);
    if (fams.size <= 8) st.families = [...fams].sort();
    const eligible = campaigns.filter(
      (c) => (c.domain_tiers.length === 0 || c.domain_tiers.includes(a.domain_tier)) && (c.interest_tags.length === 0 || c.interest_tags.includes(a.interest_tag)) && c.budget > c.spent,
    );
    const bidders = eligible.map((c) => ({ id: c.id, max_bid: c.max_bid, remaining: c.budget - c.spent, quality_ppm: effectiveQualityPpm(c), pacing_ppm: appliedPacingPpm(c.pacing) }));
    const out = runAuction(bidders, st.clearing_price, freshnessPpm(bucket, ctx.timestampMs));
    st.opportunities += 1;
    if (out.winner) {
      st.wins += 1;
      st.top_bid = out.top;
      st.last_paid = out.paid;
      st.shading_bps = out.shading_bps;
      const w = campaigns.find((c) => c.id === out.winner)!;
      w.spent += out.paid;
      w.wins += 1;
      w.last_selector = sel;
      w.pacing = recordSpend(w.pacing, out.paid, w.budget - w.spent, P.epochs_per_budget);
      settled += out.paid;
      settlements += 1;
    }
    Object.assign(st, priceStep(st, out.winner !== null));
  }
  const trimmed = acks.length > AD_LIMITS.max_events ? acks.slice(acks.length - AD_LIMITS.max_events) : acks;
  return {
    ...s, acks: trimmed, privacy: [...privacy.values()].sort((x, y) => (x.family < y.family ? -1 : 1)), denials, campaigns,
    selectors: [...selectors.values()].sort((x, y) => (x.selector < y.selector ? -1 : 1)), skipped_presence: skipped, settled_usd_micros: settled, settlement_count: settlements,
  };
}

function endBlock(s: AdState, ctx: BlockContext): AdState {
  const now = ctx.timestampMs;
  const P = paramsAt(ctx);
  const R = P.readiness;
  const acks = s.acks.filter((a) => a.ts_ms > now - R.window_secs * 1000);
  let skipped = s.skipped_presence;
  const reservations = s.reservations.filter((r) => {
    if (r.expires_ms <= now) return false;
    if (bucketProblem(s.buckets.find((b) => b.id === r.bucket), now, P.presence) !== null) {
      skipped += 1;
      return false;
    }
    return true;
  });
  const buckets = s.buckets.filter((b) => now - b.minted_ms < 48 * 3_600_000);
  const ev = evaluateReadiness(acks, now, R, s.carry);
  return { ...s, acks, reservations, buckets, skipped_presence: skipped, carry: ev.carry, ready: ev.ready, last_updated_ms: now };
}

function register(s: AdState, call: RegisterCall, ctx: BlockContext, P: AdParams) {
  if (s.campaigns.some((c) => c.id === call.id)) return refuse<AdState>('campaign_exists', `campaign already exists: ${call.id}`);
  if (s.campaigns.length >= AD_LIMITS.max_campaigns) return refuse<AdState>('too_many_campaigns', `at most ${AD_LIMITS.max_campaigns} campaigns`);
  const ids = new Set<string>();
  const creatives = call.creatives.filter((x) => !ids.has(x.id) && ids.add(x.id)).sort((x, y) => (x.id < y.id ? -1 : 1));
  const c: Campaign = {
    id: call.id, advertiser: call.advertiser, budget: call.budget, spent: 0n, max_bid: call.max_bid, quality_ppm: call.quality_ppm,
    domain_tiers: [...new Set(call.domain_tiers)].sort(), interest_tags: [...new Set(call.interest_tags)].sort(), created_ms: ctx.timestampMs,
    creatives, token_hash: call.token_hash, wins: 0, conversions: 0, conversion_value: 0n, last_selector: '', pacing: newPacing(call.budget, P.epochs_per_budget),
  };
  return ok({ ...s, campaigns: [...s.campaigns, c].sort((x, y) => (x.id < y.id ? -1 : 1)) });
}

function presence(s: AdState, call: PresenceCall, ctx: BlockContext, P: PresenceParams) {
  const b: Bucket = {
    id: call.bucket_id, kind: call.kind, region: call.region,
    radius_m: Math.min(P.radius_max_m, Math.max(P.radius_min_m, call.radius_m)),
    confidence_bps: Math.min(10_000, call.confidence_bps),
    minted_ms: ctx.timestampMs,
    expires_ms: ctx.timestampMs + Math.max(P.ttl_min_secs, Math.min(P.ttl_max_secs, call.ttl_secs)) * 1000,
    crowd: Math.max(0, call.crowd),
  };
  const rest = s.buckets.filter((x) => x.id !== b.id);
  if (rest.length >= AD_LIMITS.max_buckets) return refuse<AdState>('too_many_buckets', `at most ${AD_LIMITS.max_buckets} presence buckets`);
  return ok({ ...s, buckets: [...rest, b].sort((x, y) => (x.id < y.id ? -1 : 1)) });
}

/**
 * Why a bucket's impressions cannot be served privately (null = they can): a badge family they
 * spend (`presence` and its selectors' families) is cooling or one impression from exhaustion.
 */
export function privacyBlock(s: AdState, bucketId: string, P: PrivacyConfig): string | null {
  const fams = new Set(['presence', ...s.selectors.filter((x) => x.label.split('/')[2] === bucketId).flatMap((x) => x.families)]);
  for (const f of [...fams].sort()) {
    const b = s.privacy.find((p) => p.family === f);
    if (!b) continue;
    if (b.cooldown_remaining > 0) return `privacy budget of badge family ${f} is cooling off (${b.cooldown_remaining} impression(s) left)`;
    if (impressionsUntilExhausted(b, 1, P) === 0) return `privacy budget of badge family ${f} is exhausted`;
  }
  return null;
}

function reserve(s: AdState, call: ReserveCall, ctx: BlockContext, P: PresenceParams, Pr: PrivacyConfig) {
  const c = s.campaigns.find((x) => x.id === call.campaign_id);
  if (!c) return refuse<AdState>('unknown_campaign', `unknown campaign ${call.campaign_id}`);
  const b = s.buckets.find((x) => x.id === call.bucket_id);
  const problem = bucketProblem(b, ctx.timestampMs, P);
  if (problem) return refuse<AdState>('invalid_presence_bucket', problem);
  const free = bucketSlots(b!, P) - reservedSlots(s, b!.id);
  if (call.slots < 1 || call.slots > free) return refuse<AdState>('insufficient_slots', `bucket ${b!.id} has ${free} free slot(s); asked ${call.slots}`);
  const spent = privacyBlock(s, b!.id, Pr);
  if (spent) return refuse<AdState>('insufficient_privacy_budget', spent);
  const r = { id: `r${s.seq + 1}`, campaign: c.id, bucket: b!.id, slots: call.slots, expires_ms: b!.expires_ms };
  return ok({ ...s, reservations: [...s.reservations, r], seq: s.seq + 1 });
}

/** Why a conversion cannot be recorded (null = it can): the RPC checks this before submitting. */
export function conversionProblem(s: AdState, campaignId: string, creativeId: string): { reason: string; message: string } | null {
  const c = s.campaigns.find((x) => x.id === campaignId);
  if (!c) return { reason: 'unknown_campaign', message: `unknown campaign ${campaignId}` };
  if (!c.creatives.some((x) => x.id === creativeId)) return { reason: 'unknown_creative', message: `campaign ${campaignId} has no creative ${creativeId}` };
  if (c.last_selector === '') return { reason: 'unattributed_conversion', message: `campaign ${campaignId} has won no impression to attribute a conversion to` };
  return null;
}

function convert(s: AdState, call: ConvertCall) {
  const problem = conversionProblem(s, call.campaign_id, call.creative_id);
  if (problem) return refuse<AdState>(problem.reason, problem.message);
  const campaigns = s.campaigns.map((c) => (c.id === call.campaign_id ? { ...c, conversions: c.conversions + 1, conversion_value: c.conversion_value + call.value } : c));
  const sel = s.campaigns.find((c) => c.id === call.campaign_id)!.last_selector;
  const selectors = s.selectors.map((x) => (x.selector === sel ? { ...x, conversions: x.conversions + 1, conversion_value: x.conversion_value + call.value } : x));
  return ok({ ...s, campaigns, selectors });
}

function claimRoute(s: AdState, call: ClaimRouteCall) {
  const rest = s.claim_routes.filter((r) => !(r.domain === call.domain && r.role === call.role));
  if (rest.length >= AD_LIMITS.max_claim_routes) return refuse<AdState>('too_many_claim_routes', `at most ${AD_LIMITS.max_claim_routes} claim routes`);
  const routes = [...rest, { ...call }].sort((x, y) => (x.domain === y.domain ? (x.role < y.role ? -1 : 1) : x.domain < y.domain ? -1 : 1));
  return ok({ ...s, claim_routes: routes });
}

export const adMarketChain: ChainModule<AdState, AdCall> = {
  id: AD_MARKET_ID,
  kinds: AD_KINDS,
  state: { empty: EMPTY_AD, encode: encodeAd, decode: decodeAd },
  applyTx(s, call, ctx) {
    if (!ctx.validators.has(ctx.sender)) return refuse('not_validator', `ad_market calls are gateway attestations: ${ctx.sender} is not a validator`);
    const P = paramsAt(ctx);
    if ('acks' in call) return ok(applyAcks(s, call, ctx, P));
    if ('advertiser' in call) return register(s, call, ctx, P);
    if ('kind' in call) return presence(s, call, ctx, P.presence);
    if ('creative_id' in call) return convert(s, call);
    if ('role' in call) return claimRoute(s, call);
    return reserve(s, call, ctx, P.presence, P.privacy);
  },
  endBlock,
};
