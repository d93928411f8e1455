import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { adMarketChain } from '../../../src/node-core/ad_market/index.js';
import { effectiveQualityPpm } from '../../../src/node-core/ad_market/auction.js';
import { BROKER_DEFAULTS, newPacing, pacedBid, pacingMultiplierPpm, recordSpend } from '../../../src/node-core/ad_market/broker.js';
import { adMetrics, refreshMetrics, MAX_SELECTOR_LABELS } from '../../../src/node-core/ad_market/metrics.js';
import { checkAdvertiser, ConversionRefusal, parseAdvertiserAuth } from '../../../src/node-core/ad_market/ops.js';
import { adParams } from '../../../src/node-core/ad_market/params.js';
import { policyBytes, readPolicy, writePolicy, listEpochs } from '../../../src/node-core/ad_market/policy.js';
import { EMPTY_AD, type AdState } from '../../../src/node-core/ad_market/state.js';
import { newConversionStats, readinessSnapshot, selectorViews } from '../../../src/node-core/ad_market/views.js';
import { conversionTokenHash } from '../../../src/node-core/ad_market/module.js';
import type { TxContext } from '../../../src/node-core/chain/module.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';

const V = 'tb1' + 'aa'.repeat(20);
const T0 = 1_800_000_000_000;
const treasury = (params: Record<string, string> = {}) => ({ params });
function ctx(ts: number, params: Record<string, string> = {}): TxContext {
  return { height: 1, epoch: 0, timestampMs: ts, proposer: V, validators: new Map([[V, 1n]]), ledger: {} as never, fees: 0n, read: () => treasury(params) as never, sender: V, txHash: '00', fee: 0n, index: 0 };
}
const must = (r: ReturnType<typeof adMarketChain.applyTx>) => {
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.state as AdState;
};
const apply = (s: AdState, call: unknown, params: Record<string, string> = {}, ts = T0) => adMarketChain.applyTx(s, call as never, ctx(ts, params));
const campaign = (id: string, max_bid: bigint, extra: Record<string, unknown> = {}) => ({ id, advertiser: `adv-${id}`, budget: 1_000_000_000n, max_bid, quality_ppm: 1_000_000, domain_tiers: [], interest_tags: ['travel'], creatives: [{ id: 'cr', action_rate_ppm: 10_000 }], token_hash: conversionTokenHash(`tok-${id}`), ...extra });
const acks = (n: number, from = 0, tag = 'travel') => ({ acks: Array.from({ length: n }, (_, i) => ({ viewer: `v${from + i}`, host: `h${i % 25}`, provider: `p${i % 10}`, domain_tier: 'premium', interest_tag: tag, bucket: '', badges: [], population: 1 })) });

describe('governance-clamped params (treasury ad_* params)', () => {
  it('defaults are the spec values; a changed param moves the readiness threshold edge', () => {
    const P = adParams(treasury() as never);
    expect([P.readiness.window_secs, P.readiness.min_unique_viewers, P.readiness.min_host_count, P.readiness.min_provider_count]).toEqual([21_600, 250, 25, 10]);
    let s = must(apply(EMPTY_AD, acks(100)));
    s = adMarketChain.endBlock!(s, ctx(T0));
    expect(readinessSnapshot(s, 1, T0, false, P, newConversionStats()).blockers).toEqual(['insufficient_unique_viewers']);
    const P100 = adParams(treasury({ ad_readiness_min_unique_viewers: '100' }) as never);
    const r = readinessSnapshot(s, 1, T0, false, P100, newConversionStats());
    expect(r.blockers).toEqual([]);
    expect(r.thresholds.min_unique_viewers).toBe(100);
    expect(readinessSnapshot(s, 1, T0, false, adParams(treasury({ ad_readiness_min_unique_viewers: '101' }) as never), newConversionStats()).blockers).toEqual(['insufficient_unique_viewers']);
    // The chain's own readiness flag follows the param in force at the block.
    expect(adMarketChain.endBlock!(s, ctx(T0, { ad_readiness_min_unique_viewers: '100' })).ready).toBe(true);
    expect(adMarketChain.endBlock!(s, ctx(T0)).ready).toBe(false);
  });
  it('presence TTL, radius, confidence and crowd size come from the params', () => {
    const params = { ad_presence_ttl_max_secs: '600', ad_presence_radius_max_m: '200', ad_min_confidence_bps: '9000', ad_presence_min_crowd_size: '10' };
    let s = must(apply(EMPTY_AD, { bucket_id: 'b', kind: 'localnet', region: '', radius_m: 5000, confidence_bps: 9500, ttl_secs: 86_400, crowd: 35 }, params));
    expect(s.buckets[0].radius_m).toBe(200);
    expect(s.buckets[0].expires_ms - s.buckets[0].minted_ms).toBe(600_000);
    s = must(apply(s, campaign('c', 1_000_000n), params));
    expect(apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 4 }, params)).toMatchObject({ ok: false, reason: 'insufficient_slots' }); // 35 / 10 = 3 slots
    expect(apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 3 }, params).ok).toBe(true);
    const strict = apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 1 }, { ...params, ad_min_confidence_bps: '9600' });
    expect(strict).toMatchObject({ ok: false, reason: 'invalid_presence_bucket' });
  });
  it('ad_readiness_use_percentile_thresholds = 1 switches the chain to EMA percentile thresholds', () => {
    let s = must(apply(EMPTY_AD, acks(40)));
    const pct = { ad_readiness_use_percentile_thresholds: '1' };
    s = adMarketChain.endBlock!(s, ctx(T0, pct));
    // All 40 viewers sit in the newest of 12 slices: p90 of [40, 0 ×11] → index round(11·0.9)=10 → 0;
    // hosts p75 → 0, providers p50 → 0: the first EMA is the sample, so nothing blocks.
    expect(s.carry).toMatchObject({ ema_viewers: 0, ema_hosts: 0, ema_providers: 0 });
    expect(s.ready).toBe(true);
    const r = readinessSnapshot(s, 1, T0, false, adParams(treasury(pct) as never), newConversionStats());
    expect(r.dynamic.use_percentile_thresholds).toBe(true);
    expect(r.blockers).toEqual([]);
    expect(adMarketChain.endBlock!(s, ctx(T0)).ready).toBe(false); // static 250 / 25 / 10 again
  });
  it('a reservation is refused while a badge family the bucket spends is cooling off (insufficient_privacy_budget)', () => {
    const params = { ad_privacy_max_epsilon_micros: '20000', ad_privacy_cool_off_impressions: '5' }; // ε 0.02: two impressions
    let s = must(apply(EMPTY_AD, { bucket_id: 'b', kind: 'localnet', region: '', radius_m: 500, confidence_bps: 9500, ttl_secs: 3600, crowd: 50 }, params));
    s = must(apply(s, campaign('c', 1_000_000n), params));
    const ack = (i: number) => ({ viewer: `v${i}`, host: 'h', provider: 'p', domain_tier: 'premium', interest_tag: 'travel', bucket: 'b', badges: ['presence:localnet'], population: 1 });
    s = must(apply(s, { acks: [ack(1), ack(2)] }, params));
    expect(apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 1 }, params)).toMatchObject({ ok: false, reason: 'insufficient_privacy_budget' }); // one more would exhaust
    s = must(apply(s, { acks: [ack(3)] }, params)); // exhausted → cool-off of 5
    expect(s.privacy[0]).toMatchObject({ family: 'presence', cooldown_remaining: 5, last_decision: 'budget_exhausted' });
    const r = apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 1 }, params);
    expect(r).toMatchObject({ ok: false, reason: 'insufficient_privacy_budget' });
    expect(!r.ok && r.message).toMatch(/presence is cooling off \(5 impression/);
    expect(apply(s, { campaign_id: 'c', bucket_id: 'b', slots: 1 }).ok).toBe(false); // default ε: still cooling
  });
  it('the privacy ε budget and cool-off come from the params', () => {
    const P = adParams(treasury({ ad_privacy_max_epsilon_micros: '20000', ad_privacy_cool_off_impressions: '2' }) as never);
    expect(P.privacy.max_epsilon).toBe(20_000_000_000n); // ε 0.02 in 1e-12 units
    expect(P.privacy.cool_off_impressions).toBe(2);
  });
});

describe('budget broker', () => {
  it('hand-computed step: under target raises kappa, the epoch resets once spend reaches the target', () => {
    const p0 = newPacing(96_000_000n, 96); // target 1 000 000 µUSD
    expect(p0.epoch_target).toBe(1_000_000n);
    const p1 = recordSpend(p0, 250_000n, 95_750_000n, 96);
    // error = (250 000 − 1 000 000)/1 000 000 = −750 000 ppm; smoothed = 0.2·−750 000 = −150 000;
    // dual = max(0, 0 + 0.02·−750 000) = 0; kappa = 1 − 0.05·(0 − 0.15) = 1.0075
    expect(p1).toMatchObject({ smoothed_error_ppm: -150_000, dual_price_ppm: 0, kappa_ppm: 1_007_500, epoch_spend: 250_000n, epoch_impressions: 1 });
    const p2 = recordSpend(p1, 1_000_000n, 94_750_000n, 96);
    // error = +250 000; dual = 0.02·250 000 = 5 000; smoothed = 0.2·250 000 + 0.8·−150 000 = −70 000;
    // kappa = 1 007 500 − 0.05·(5 000 − 70 000) = 1 010 750; then the epoch resets (spend ≥ target).
    expect(p2).toMatchObject({ dual_price_ppm: 5_000, kappa_ppm: 1_010_750, epoch_spend: 0n, epoch_impressions: 0, smoothed_error_ppm: 0, epoch_target: 986_979n });
    expect(pacingMultiplierPpm(p2)).toBe(Math.floor((1_010_750 * 1_000_000) / 1_005_000));
  });
  it('sustained overspend drives kappa down to its floor and the paced bid with it', () => {
    let p = newPacing(96_000n, 96); // target 1 000 µUSD: every win overshoots
    for (let i = 0; i < 200; i++) p = recordSpend({ ...p, epoch_target: 1_000n }, 5_000n, 1_000_000n, 96);
    expect(p.kappa_ppm).toBe(BROKER_DEFAULTS.min_kappa_ppm);
    expect(pacedBid(4_000_000n, p, 10_000_000n)).toBeLessThan(1_000_000n);
    expect(pacedBid(4_000_000n, newPacing(1n, 1), 3_000_000n)).toBe(3_000_000n); // clamped to the remaining budget
  });
});

describe('conversions', () => {
  it('need a known creative and a won impression; are attributed to that selector and raise the campaign quality, so it outbids a rival', () => {
    let s = must(apply(EMPTY_AD, campaign('a', 2_000_000n)));
    expect(apply(s, { campaign_id: 'a', creative_id: 'cr', value: 5_000_000n, occurred_at_ms: T0 })).toMatchObject({ ok: false, reason: 'unattributed_conversion' });
    s = must(apply(s, acks(10)));
    expect(apply(s, { campaign_id: 'a', creative_id: 'nope', value: 1n, occurred_at_ms: T0 })).toMatchObject({ ok: false, reason: 'unknown_creative' });
    expect(apply(s, { campaign_id: 'zz', creative_id: 'cr', value: 1n, occurred_at_ms: T0 })).toMatchObject({ ok: false, reason: 'unknown_campaign' });
    const a = s.campaigns[0];
    expect(a.wins).toBe(10);
    for (let i = 0; i < 4; i++) s = must(apply(s, { campaign_id: 'a', creative_id: 'cr', value: 5_000_000n, occurred_at_ms: T0 }));
    const sel = s.selectors.find((x) => x.selector === a.last_selector)!;
    expect(sel.conversions).toBe(4);
    expect(sel.conversion_value).toBe(20_000_000n);
    // 4 conversions / 10 wins = 400 000 ppm vs declared 10 000 → response 40, sqrt → 6.32 → capped 2.5.
    expect(effectiveQualityPpm(s.campaigns[0])).toBe(2_500_000);
    // A rival bidding 3 USD (quality 1) beat a's 2 USD before; with the conversion quality a bids 5 USD and wins.
    const before = must(apply(must(apply(must(apply(EMPTY_AD, campaign('a', 2_000_000n))), campaign('b', 3_000_000n))), acks(1, 100)));
    expect(before.campaigns.find((c) => c.id === 'b')!.wins).toBe(1);
    s = must(apply(s, campaign('b', 3_000_000n)));
    s = must(apply(s, acks(1, 200)));
    const view = selectorViews(s, T0, [], adParams(treasury() as never)).selectors.find((x) => x.interest_tag === 'travel')!;
    expect(s.campaigns.find((c) => c.id === 'a')!.wins).toBe(11);
    expect(view.conversions).toBe(4);
    expect(view.conversion_value_usd_micros).toBe('20000000');
  });
  it('the advertiser header: missing/malformed −32030, account mismatch −32031, no token hash −32032, wrong token −32033', () => {
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as ConversionRefusal).error.code;
      }
      return 0;
    };
    expect(code(() => parseAdvertiserAuth(undefined))).toBe(-32030);
    expect(code(() => parseAdvertiserAuth('Bearer abc'))).toBe(-32030);
    expect(code(() => parseAdvertiserAuth('Advertiser acct'))).toBe(-32030);
    expect(parseAdvertiserAuth('Advertiser adv-a:tok-a')).toEqual({ account: 'adv-a', token: 'tok-a' });
    const c = { advertiser: 'adv-a', token_hash: conversionTokenHash('tok-a') };
    expect(code(() => checkAdvertiser({ account: 'adv-b', token: 'tok-a' }, 'adv-a', c))).toBe(-32031);
    expect(code(() => checkAdvertiser({ account: 'adv-b', token: 'tok-a' }, 'adv-b', c))).toBe(-32031);
    expect(code(() => checkAdvertiser({ account: 'adv-a', token: 'tok-a' }, 'adv-a', { ...c, token_hash: '' }))).toBe(-32032);
    expect(code(() => checkAdvertiser({ account: 'adv-a', token: 'tok-x' }, 'adv-a', c))).toBe(-32033);
    expect(code(() => checkAdvertiser({ account: 'adv-a', token: 'tok-a' }, 'adv-a', c))).toBe(0);
  });
});

describe('win rate and shading move with the competing bids', () => {
  it('a bid under the clearing price never wins (win rate 0, the price falls); a rival above it wins and shading follows the second bid', () => {
    let s = must(apply(EMPTY_AD, campaign('low', 500_000n)));
    s = must(apply(s, acks(5)));
    const sel = () => selectorViews(s, T0, [], adParams(treasury() as never)).selectors.find((x) => x.interest_tag === 'travel')!;
    expect(sel()).toMatchObject({ opportunities: 5, wins: 0, win_rate_ppm: 0, shading_factor_bps: 0 });
    expect(BigInt(sel().clearing_price_usd_micros)).toBeLessThan(1_000_000n);
    s = must(apply(s, campaign('high', 3_000_000n)));
    s = must(apply(s, acks(5, 100)));
    const after = sel();
    expect(after.wins).toBe(5);
    expect(after.win_rate_ppm).toBe(500_000);
    // high pays max(second = 0.5 USD, clearing) + 1 µUSD of its 3 USD bid.
    expect(after.top_bid_usd_micros).toBe('3000000');
    expect(after.shading_factor_bps).toBe(Math.floor((Number(after.last_paid_usd_micros) * 10_000) / 3_000_000));
    expect(Number(after.last_paid_usd_micros)).toBeGreaterThanOrEqual(500_001);
  });
});

describe('claim routes', () => {
  it('one address per domain and role (a later route replaces it); roles are the payout roles', () => {
    let s = must(apply(EMPTY_AD, { domain: 'news.block', role: 'host', address: 'tb1' + '11'.repeat(20) }));
    s = must(apply(s, { domain: 'news.block', role: 'host', address: 'tb1' + '22'.repeat(20) }));
    s = must(apply(s, { domain: 'news.block', role: 'publisher', address: 'tb1' + '33'.repeat(20) }));
    expect(s.claim_routes).toEqual([
      { domain: 'news.block', role: 'host', address: 'tb1' + '22'.repeat(20) },
      { domain: 'news.block', role: 'publisher', address: 'tb1' + '33'.repeat(20) },
    ]);
  });
});

describe('ad_privacy_budget_utilization_ratio{selector}', () => {
  it('is labelled by selector, busiest first, capped with the rest under "other"', async () => {
    let s: AdState = EMPTY_AD;
    for (let k = 0; k < MAX_SELECTOR_LABELS + 2; k++) s = must(apply(s, { acks: [{ viewer: `v${k}`, host: 'h', provider: 'p', domain_tier: 'premium', interest_tag: `t${k}`, bucket: '', badges: [`fam${k}:x`], population: 1 }] }));
    const reg = new Registry();
    const m = adMetrics(reg);
    const P = adParams(treasury() as never);
    refreshMetrics(m, s, readinessSnapshot(s, 1, T0, true, P, newConversionStats()), { skipped: 0, denials: {}, conversions: new Map() }, selectorViews(s, T0, [], P).selectors);
    const text = await reg.getSingleMetricAsString('ad_privacy_budget_utilization_ratio');
    const labels = [...text.matchAll(/selector="([^"]+)"/g)].map((x) => x[1]);
    expect(labels).toHaveLength(MAX_SELECTOR_LABELS + 1);
    expect(labels).toContain('other');
    expect(labels).toContain('premium/t0/-');
    expect(text).not.toMatch(/family=/);
    expect(text).toMatch(/selector="premium\/t0\/-"} 0\.01/); // one impression spent ε 0.01 of 1.0
  });
});

describe('policy snapshots', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });
  it('are signed over the BLAKE3 of the canonical bytes, verify, detect tampering, and keep the newest N', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-ad-policy-'));
    dirs.push(root);
    const keys = generateKeys();
    const body = { epoch: 3, z: 1, a: { y: 2, b: 'x' } };
    await writePolicy(root, 3, body, keys);
    const text = await fs.readFile(path.join(root, 'ad_policy', '3.json'), 'utf8');
    expect(text).toBe('{"a":{"b":"x","y":2},"epoch":3,"z":1}');
    expect(new TextDecoder().decode(policyBytes(body))).toBe(text);
    const ok = await readPolicy(root, 3);
    expect(ok).toMatchObject({ epoch: 3, signature: 'valid', path: path.join('ad_policy', '3.json') });
    expect(ok!.attestation!.pubkey_hex).toBe(Buffer.from(keys.publicKey).toString('hex'));
    await fs.writeFile(path.join(root, 'ad_policy', '3.json'), text.replace('"z":1', '"z":2'));
    expect((await readPolicy(root, 3))!.signature).toBe('invalid');
    expect(await readPolicy(root, 4)).toBeNull();
    for (const e of [4, 5, 6]) await writePolicy(root, e, { epoch: e }, keys, 2);
    expect(await listEpochs(root)).toEqual([5, 6]);
  });
});
