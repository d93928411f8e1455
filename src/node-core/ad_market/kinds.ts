/**
 * The ad market's transaction kinds (bodies as fixed-order arrays; `decode` checks them without
 * state). All are fee-exempt gateway attestations signed by a validator's node key:
 *   ad_market.register     [id, advertiser, budget µUSD, max_bid µUSD, quality_ppm, tiers[], tags[],
 *                           creatives [[id, action_rate_ppm]…], conversion_token_hash (64 hex or '')]
 *   ad_market.ack          [[viewer, host, provider, domain_tier, interest_tag, bucket, badges[], population], …] (≤ 256)
 *   ad_market.presence     [bucket_id, kind, region, radius_m, confidence_bps, ttl_secs, crowd]
 *   ad_market.reserve      [campaign_id, bucket_id, slots]
 *   ad_market.convert      [campaign_id, creative_id, value µUSD, occurred_at_ms]  (the node checked
 *                           the advertiser's `Authorization: Advertiser <account>:<token>` first)
 *   ad_market.claim_route  [domain, role, address]
 */
import { asArray, asSafeInt, asU64, CodecError } from '../codec/canonical.js';
import { isAddress } from '../chain/address.js';
import type { TxKind } from '../chain/module.js';
import { asText, AD_LIMITS, DOMAIN_TIERS, PAYOUT_ROLES, PRESENCE_KINDS } from './state.js';

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

export interface RegisterCall {
  id: string;
  advertiser: string;
  budget: bigint;
  max_bid: bigint;
  quality_ppm: number;
  domain_tiers: string[];
  interest_tags: string[];
  creatives: { id: string; action_rate_ppm: number }[];
  /** Hex BLAKE3 of the advertiser's conversion token, '' for none. */
  token_hash: string;
}
export interface AckItem { viewer: string; host: string; provider: string; domain_tier: string; interest_tag: string; bucket: string; badges: string[]; population: number }
export interface AckCall { acks: AckItem[] }
export interface PresenceCall { bucket_id: string; kind: string; region: string; radius_m: number; confidence_bps: number; ttl_secs: number; crowd: number }
export interface ReserveCall { campaign_id: string; bucket_id: string; slots: number }
export interface ConvertCall { campaign_id: string; creative_id: string; value: bigint; occurred_at_ms: number }
export interface ClaimRouteCall { domain: string; role: string; address: string }
export type AdCall = RegisterCall | AckCall | PresenceCall | ReserveCall | ConvertCall | ClaimRouteCall;

export const registerKind: TxKind<RegisterCall> = {
  tag: 'ad_market.register',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.register', 9);
    const creatives = asArray(b[7], 'creatives').map((x, i) => {
      const c = asArray(x, `creatives[${i}]`, 2);
      return { id: idText(c[0], 'creative id'), action_rate_ppm: asSafeInt(c[1], 'action_rate_ppm', 1_000_000) };
    });
    if (creatives.length > AD_LIMITS.max_creatives) throw new CodecError(`at most ${AD_LIMITS.max_creatives} creatives`);
    const token_hash = asText(b[8], 'conversion_token_hash', 64);
    if (token_hash !== '' && !/^[0-9a-f]{64}$/.test(token_hash)) throw new CodecError('conversion_token_hash must be 64 lowercase hex digits (BLAKE3 of the token) or empty');
    return { id: idText(b[0], 'campaign id'), advertiser: asText(b[1], 'advertiser', 64), budget: asU64(b[2], 'budget'), max_bid: asU64(b[3], 'max_bid'), quality_ppm: asSafeInt(b[4], 'quality_ppm', 2_500_000), domain_tiers: asArray(b[5], 'tiers').map(tier), interest_tags: asArray(b[6], 'tags').map((t) => idText(t, 'interest_tag')), creatives, token_hash };
  },
  encode: (c) => [c.id, c.advertiser, c.budget, c.max_bid, c.quality_ppm, c.domain_tiers, c.interest_tags, c.creatives.map((x) => [x.id, x.action_rate_ppm]), c.token_hash],
  view: (c) => ({ summary: `register ad campaign ${c.id} (budget ${c.budget} µUSD)`, fields: { id: c.id, advertiser: c.advertiser, budget_usd_micros: c.budget.toString(), creatives: c.creatives.length } }),
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

export const convertKind: TxKind<ConvertCall> = {
  tag: 'ad_market.convert',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.convert', 4);
    return { campaign_id: idText(b[0], 'campaign_id'), creative_id: idText(b[1], 'creative_id'), value: asU64(b[2], 'value'), occurred_at_ms: asSafeInt(b[3], 'occurred_at_ms') };
  },
  encode: (c) => [c.campaign_id, c.creative_id, c.value, c.occurred_at_ms],
  view: (c) => ({ summary: `conversion of ${c.campaign_id}/${c.creative_id} worth ${c.value} µUSD`, fields: { campaign_id: c.campaign_id, creative_id: c.creative_id, value_usd_micros: c.value.toString() } }),
};

export const claimRouteKind: TxKind<ClaimRouteCall> = {
  tag: 'ad_market.claim_route',
  fee: 'exempt',
  decode(b) {
    asArray(b, 'ad_market.claim_route', 3);
    const role = asText(b[1], 'role', 16);
    if (!(PAYOUT_ROLES as readonly string[]).includes(role)) throw new CodecError(`role must be one of ${PAYOUT_ROLES.join(', ')}`);
    const address = asText(b[2], 'address', 64);
    if (!isAddress(address)) throw new CodecError('address must be tb1 followed by 40 hex digits');
    return { domain: asText(b[0], 'domain', 253), role, address };
  },
  encode: (c) => [c.domain, c.role, c.address],
  view: (c) => ({ summary: `claim route ${c.domain} ${c.role} → ${c.address}`, fields: { ...c } }),
};

export const AD_KINDS = [registerKind, ackKind, presenceKind, reserveKind, convertKind, claimRouteKind] as TxKind<AdCall>[];
