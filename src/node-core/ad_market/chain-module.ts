/**
 * The ad market's chain module (`ad_market`). Every state change is a transaction; the kinds are
 * fee-exempt gateway attestations that only a validator may send (the node key signs what its
 * operator asks through the ADMIN RPC), refused with `not_validator` otherwise:
 *   ad_market.register  [id, advertiser, budget µUSD, max_bid µUSD, quality_ppm, tiers[], tags[]]
 *   ad_market.ack       [[viewer, host, provider, domain_tier, interest_tag, bucket, badges[], population], …] (≤ 256)
 *                       readiness events; each runs the privacy check and the selector's auction
 *   ad_market.presence  [bucket_id, kind, region, radius_m, confidence_bps, ttl_secs, crowd]
 *   ad_market.reserve   [campaign_id, bucket_id, slots]
 * endBlock prunes the window, cancels reservations whose bucket went stale or whose crowd fails
 * policy (counted in `skipped_presence`), and evaluates readiness (EMA thresholds and streak).
 */
import { asArray, asSafeInt, asU64, CodecError } from '../codec/canonical.js';
import { blake3, toHex } from '../crypto/hash.js';
import { moduleRef, ok, refuse, type BlockContext, type ChainModule, type TxKind } from '../chain/module.js';
import { priceStep, runAuction, PRICE_DEFAULTS } from './auction.js';
import { authorize, familyOf } from './privacy.js';
import { evaluateReadiness } from './readiness.js';
import { AD_PARAMS, asText, decodeAd, DOMAIN_TIERS, EMPTY_AD, encodeAd, PRESENCE_KINDS, type AdState, type Bucket } from './state.js';

export const AD_MARKET_ID = 'ad_market';
export const adMarketState = moduleRef<AdState>(AD_MARKET_ID);

const ID_RE = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;
const idText = (v: unknown, f: string) => {
  const s = asText(v, f, 64);
  if (!ID_RE.test(s)) throw new CodecError(`${f} must match ${ID_RE.source}`);
  return s;
};
const tier = (v: unknown) => {
  const s = asText(v, 'domain_tier', 16);
  if (!(DOMAIN_TIERS as readonly string[]).includes(s)) throw new CodecError(`domain_tier must be one of ${DOMAIN_TIERS.join(', ')}`);
  return s;
};

export interface RegisterCall { id: string; advertiser: string; budget: bigint; max_bid: bigint; quality_ppm: number; domain_tiers: string[]; interest_tags: string[] }
export interface AckItem { viewer: string; host: string; provider: string; domain_tier: string; interest_tag: string; bucket: string; badges: string[]; population: number }
export interface AckCall { acks: AckItem[] }
export interface PresenceCall { bucket_id: string; kind: string; region: string; radius_m: number; confidence_bps: number; ttl_secs: number; crowd: number }
export interface ReserveCall { campaign_id: string; bucket_id: string; slots: number }

export const registerKind: TxKind<RegisterCall> = {
  tag: 'ad_market.register',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.register', 7);
    return { id: idText(b[0], 'campaign id'), advertiser: asText(b[1], 'advertiser', 64), budget: asU64(b[2], 'budget'), max_bid: asU64(b[3], 'max_bid'), quality_ppm: asSafeInt(b[4], 'quality_ppm', 2_500_000), domain_tiers: asArray(b[5], 'tiers').map(tier), interest_tags: asArray(b[6], 'tags').map((t) => idText(t, 'interest_tag')) };
  },
  encode: (c) => [c.id, c.advertiser, c.budget, c.max_bid, c.quality_ppm, c.domain_tiers, c.interest_tags],
  view: (c) => ({ summary: `register ad campaign ${c.id} (budget ${c.budget} µUSD)`, fields: { id: c.id, advertiser: c.advertiser, budget_usd_micros: c.budget.toString() } }),
};

export const ackKind: TxKind<AckCall> = {
  tag: 'ad_market.ack',
  fee: 'exempt',
  decode(b) {
    if (b.length < 1 || b.length > 256) throw new CodecError(`ad_market.ack takes 1..256 events, got ${b.length}`);
    return {
      acks: b.map((x, i) => {
        const a = asArray(x, `ack[${i}]`, 8);
        return { viewer: asText(a[0], 'viewer', 64), host: asText(a[1], 'host', 64), provider: asText(a[2], 'provider', 64), domain_tier: tier(a[3]), interest_tag: asText(a[4], 'interest_tag', 64), bucket: asText(a[5], 'bucket', 64), badges: asArray(a[6], 'badges').map((g) => asText(g, 'badge', 64)), population: asSafeInt(a[7], 'population', 1_000_000_000) };
      }),
    };
  },
  encode: (c) => c.acks.map((a) => [a.viewer, a.host, a.provider, a.domain_tier, a.interest_tag, a.bucket, a.badges, a.population]),
  view: (c) => ({ summary: `${c.acks.length} ad readiness event(s)`, fields: { events: c.acks.length } }),
};

export const presenceKind: TxKind<PresenceCall> = {
  tag: 'ad_market.presence',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.presence', 7);
    const kind = asText(b[1], 'kind', 16);
    if (!(PRESENCE_KINDS as readonly string[]).includes(kind)) throw new CodecError(`kind must be one of ${PRESENCE_KINDS.join(', ')}`);
    return { bucket_id: idText(b[0], 'bucket_id'), kind, region: asText(b[2], 'region', 64), radius_m: asSafeInt(b[3], 'radius_m', 1_000_000), confidence_bps: asSafeInt(b[4], 'confidence_bps', 10_000), ttl_secs: asSafeInt(b[5], 'ttl_secs', 10_000_000), crowd: asSafeInt(b[6], 'crowd', 1_000_000_000) };
  },
  encode: (c) => [c.bucket_id, c.kind, c.region, c.radius_m, c.confidence_bps, c.ttl_secs, c.crowd],
  view: (c) => ({ summary: `presence bucket ${c.bucket_id} (${c.confidence_bps} bps, crowd ${c.crowd})`, fields: { bucket_id: c.bucket_id, confidence_bps: c.confidence_bps } }),
};

export const reserveKind: TxKind<ReserveCall> = {
  tag: 'ad_market.reserve',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.reserve', 3);
    return { campaign_id: idText(b[0], 'campaign_id'), bucket_id: idText(b[1], 'bucket_id'), slots: asSafeInt(b[2], 'slots', 10_000) };
  },
  encode: (c) => [c.campaign_id, c.bucket_id, c.slots],
  view: (c) => ({ summary: `reserve ${c.slots} presence slot(s) of ${c.bucket_id} for ${c.campaign_id}`, fields: { ...c } }),
};

/** Selector id (spec §1): hex BLAKE3(domain ‖ tier ‖ sorted tags ‖ bucket ‖ version u16 LE); domain '' (no `.block` names yet). */
export function selectorId(domainTier: string, interestTags: readonly string[], bucket: string, version = 1): string {
  const te = new TextEncoder();
  const parts = [te.encode(''), te.encode(domainTier), ...[...interestTags].sort().map((t) => te.encode(t))];
  if (bucket !== '') parts.push(te.encode(bucket));
  parts.push(new Uint8Array([version & 0xff, version >> 8]));
  return toHex(blake3(...parts));
}

/** Bucket usable for reservations and impressions: unexpired, confident, crowd at policy. Else the reason. */
export function bucketProblem(b: Bucket | undefined, nowMs: number): string | null {
  const P = AD_PARAMS.presence;
  if (!b) return 'unknown presence bucket';
  if (b.expires_ms <= nowMs) return `bucket ${b.id} is stale (expired at ${new Date(b.expires_ms).toISOString()})`;
  if (b.confidence_bps < P.min_confidence_bps) return `bucket ${b.id} confidence ${b.confidence_bps} bps is under ${P.min_confidence_bps}`;
  if (b.crowd < P.min_crowd_size) return `bucket ${b.id} crowd ${b.crowd} is under the minimum ${P.min_crowd_size}`;
  return null;
}

/** Slots a bucket offers: floor(crowd / min_crowd_size). */
export const bucketSlots = (b: Bucket) => Math.floor(b.crowd / AD_PARAMS.presence.min_crowd_size);
export const reservedSlots = (s: AdState, bucket: string) => s.reservations.filter((r) => r.bucket === bucket).reduce((n, r) => n + r.slots, 0);

const freshnessPpm = (b: Bucket | undefined, nowMs: number) => {
  if (!b) return 1_000_000;
  const age = nowMs - b.minted_ms, H = 3_600_000;
  return age < H ? 1_000_000 : age < 6 * H ? 800_000 : age < 24 * H ? 500_000 : 200_000;
};

function applyAcks(s: AdState, call: AckCall, ctx: BlockContext): AdState {
  let privacy = new Map(s.privacy.map((p) => [p.family, p]));
  const denials = { ...s.denials };
  const acks = [...s.acks];
  const campaigns = s.campaigns.map((c) => ({ ...c }));
  const selectors = new Map(s.selectors.map((x) => [x.selector, { ...x }]));
  let skipped = s.skipped_presence;
  for (const a of call.acks) {
    const bucket = a.bucket === '' ? undefined : s.buckets.find((b) => b.id === a.bucket);
    if (a.bucket !== '' && bucketProblem(bucket, ctx.timestampMs) !== null) {
      skipped += 1;
      continue;
    }
    if (a.domain_tier === 'community' && a.badges.length > 0) {
      denials.k_anonymity_redacted += 1;
      continue;
    }
    const auth = authorize(privacy, a.badges, a.population, AD_PARAMS.privacy);
    privacy = auth.budgets;
    if (auth.decision !== 'ok') {
      denials[auth.decision] += 1;
      continue;
    }
    acks.push({ ts_ms: ctx.timestampMs, viewer: a.viewer, host: a.host, provider: a.provider, domain_tier: a.domain_tier, interest_tag: a.interest_tag, bucket: a.bucket });
    const sel = selectorId(a.domain_tier, a.interest_tag === '' ? [] : [a.interest_tag], a.bucket);
    let st = selectors.get(sel);
    if (!st) {
      if (selectors.size >= AD_PARAMS.max_selectors) continue;
      st = { selector: sel, label: `${a.domain_tier}/${a.interest_tag || '-'}/${a.bucket || '-'}`, clearing_price: PRICE_DEFAULTS.default_price_usd_micros, integral: 0n, top_bid: 0n, last_paid: 0n, shading_bps: 0, opportunities: 0, wins: 0, conversion_value: 0n, families: [] };
      selectors.set(sel, st);
    }
    const fams = new Set([...st.families, ...a.badges.map(familyOf)]);
    if (fams.size <= 8) st.families = [...fams].sort();
    const eligible = campaigns.filter(
      (c) => (c.domain_tiers.length === 0 || c.domain_tiers.includes(a.domain_tier)) && (c.interest_tags.length === 0 || c.interest_tags.includes(a.interest_tag)) && c.budget > c.spent,
    );
    const out = runAuction(eligible.map((c) => ({ id: c.id, max_bid: c.max_bid, remaining: c.budget - c.spent, quality_ppm: c.quality_ppm })), st.clearing_price, freshnessPpm(bucket, ctx.timestampMs));
    st.opportunities += 1;
    if (out.winner) {
      st.wins += 1;
      st.top_bid = out.top;
      st.last_paid = out.paid;
      st.shading_bps = out.shading_bps;
      const w = campaigns.find((c) => c.id === out.winner)!;
      w.spent += out.paid;
    }
    Object.assign(st, priceStep(st, out.winner !== null));
  }
  const trimmed = acks.length > AD_PARAMS.max_events ? acks.slice(acks.length - AD_PARAMS.max_events) : acks;
  return { ...s, acks: trimmed, privacy: [...privacy.values()].sort((x, y) => (x.family < y.family ? -1 : 1)), denials, campaigns, selectors: [...selectors.values()].sort((x, y) => (x.selector < y.selector ? -1 : 1)), skipped_presence: skipped };
}

function endBlock(s: AdState, ctx: BlockContext): AdState {
  const now = ctx.timestampMs;
  const R = AD_PARAMS.readiness;
  const acks = s.acks.filter((a) => a.ts_ms > now - R.window_secs * 1000);
  let skipped = s.skipped_presence;
  const reservations = s.reservations.filter((r) => {
    if (r.expires_ms <= now) return false;
    if (bucketProblem(s.buckets.find((b) => b.id === r.bucket), now) !== null) {
      skipped += 1;
      return false;
    }
    return true;
  });
  const buckets = s.buckets.filter((b) => now - b.minted_ms < 48 * 3_600_000);
  const ev = evaluateReadiness(acks, now, R, s.carry);
  return { ...s, acks, reservations, buckets, skipped_presence: skipped, carry: ev.carry, ready: ev.ready, last_updated_ms: now };
}

const validatorOnly = (ctx: BlockContext & { sender: string }) => (ctx.validators.has(ctx.sender) ? null : refuse<AdState>('not_validator', `ad_market calls are gateway attestations: ${ctx.sender} is not a validator`));

export const adMarketChain: ChainModule<AdState, RegisterCall | AckCall | PresenceCall | ReserveCall> = {
  id: AD_MARKET_ID,
  kinds: [registerKind, ackKind, presenceKind, reserveKind] as TxKind<RegisterCall | AckCall | PresenceCall | ReserveCall>[],
  state: { empty: EMPTY_AD, encode: encodeAd, decode: decodeAd },
  applyTx(s, call, ctx) {
    const denied = validatorOnly(ctx);
    if (denied) return denied;
    if ('acks' in call) return ok(applyAcks(s, call, ctx));
    if ('advertiser' in call) {
      if (s.campaigns.some((c) => c.id === call.id)) return refuse('campaign_exists', `campaign already exists: ${call.id}`);
      if (s.campaigns.length >= AD_PARAMS.max_campaigns) return refuse('too_many_campaigns', `at most ${AD_PARAMS.max_campaigns} campaigns`);
      const c = { id: call.id, advertiser: call.advertiser, budget: call.budget, spent: 0n, max_bid: call.max_bid, quality_ppm: call.quality_ppm, domain_tiers: [...new Set(call.domain_tiers)].sort(), interest_tags: [...new Set(call.interest_tags)].sort(), created_ms: ctx.timestampMs };
      return ok({ ...s, campaigns: [...s.campaigns, c].sort((x, y) => (x.id < y.id ? -1 : 1)) });
    }
    if ('kind' in call) {
      const P = AD_PARAMS.presence;
      const b: Bucket = {
        id: call.bucket_id, kind: call.kind, region: call.region,
        radius_m: Math.min(P.radius_max_m, Math.max(P.radius_min_m, call.radius_m)),
        confidence_bps: Math.min(10_000, call.confidence_bps),
        minted_ms: ctx.timestampMs,
        expires_ms: ctx.timestampMs + Math.max(P.ttl_min_secs, Math.min(P.ttl_default_secs, call.ttl_secs)) * 1000,
        crowd: Math.max(0, call.crowd),
      };
      const rest = s.buckets.filter((x) => x.id !== b.id);
      if (rest.length >= AD_PARAMS.max_buckets) return refuse('too_many_buckets', `at most ${AD_PARAMS.max_buckets} presence buckets`);
      return ok({ ...s, buckets: [...rest, b].sort((x, y) => (x.id < y.id ? -1 : 1)) });
    }
    const c = s.campaigns.find((x) => x.id === call.campaign_id);
    if (!c) return refuse('unknown_campaign', `unknown campaign ${call.campaign_id}`);
    const b = s.buckets.find((x) => x.id === call.bucket_id);
    const problem = bucketProblem(b, ctx.timestampMs);
    if (problem) return refuse('invalid_presence_bucket', problem);
    const free = bucketSlots(b!) - reservedSlots(s, b!.id);
    if (call.slots < 1 || call.slots > free) return refuse('insufficient_slots', `bucket ${b!.id} has ${free} free slot(s); asked ${call.slots}`);
    const r = { id: `r${s.seq + 1}`, campaign: c.id, bucket: b!.id, slots: call.slots, expires_ms: b!.expires_ms };
    return ok({ ...s, reservations: [...s.reservations, r], seq: s.seq + 1 });
  },
  endBlock,
};
