import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adMarketChain, adMarketMonitoring, contextualVerdict, presenceVerdict } from '../../../src/node-core/ad_market/index.js';
import { readinessSnapshot } from '../../../src/node-core/ad_market/views.js';
import { decodeAd, EMPTY_AD, encodeAd, type AdState } from '../../../src/node-core/ad_market/state.js';
import type { TxContext } from '../../../src/node-core/chain/module.js';
import { adParams } from '../../../src/node-core/ad_market/params.js';
import { newConversionStats } from '../../../src/node-core/ad_market/views.js';

/** The treasury state as ad_market reads it: no param changed → the governance defaults. */
const TREASURY_EMPTY = { params: {} };
const P = adParams(TREASURY_EMPTY as never);

const V = 'tb1' + 'aa'.repeat(20);
const T0 = 1_800_000_000_000;
function ctx(ts: number, sender = V): TxContext {
  return { height: 1, epoch: 0, timestampMs: ts, proposer: V, validators: new Map([[V, 1n]]), ledger: {} as never, fees: 0n, read: () => TREASURY_EMPTY as never, sender, txHash: '00', fee: 0n, index: 0 };
}
function apply(s: AdState, call: unknown, ts = T0, sender = V) {
  return adMarketChain.applyTx(s, call as never, ctx(ts, sender));
}
const must = (r: ReturnType<typeof apply>) => {
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.state;
};

describe('ad_market chain rules', () => {
  let s: AdState = EMPTY_AD;
  it('only validators may send; campaigns are unique', () => {
    const call = { id: 'c1', advertiser: 'adv', budget: 10_000_000n, max_bid: 2_000_000n, quality_ppm: 1_000_000, domain_tiers: ['premium'], interest_tags: ['travel'], creatives: [], token_hash: '' };
    expect(apply(s, call, T0, 'tb1' + 'bb'.repeat(20))).toMatchObject({ ok: false, reason: 'not_validator' });
    s = must(apply(s, call));
    expect(apply(s, call)).toMatchObject({ ok: false, reason: 'campaign_exists' });
  });
  it('clamps presence radius and TTL; refuses a reservation on a stale bucket; cancels reservations whose bucket went stale (skipped presence)', () => {
    s = must(apply(s, { bucket_id: 'b1', kind: 'localnet', region: 'x', radius_m: 5, confidence_bps: 9000, ttl_secs: 10, crowd: 20 }));
    const b = s.buckets[0];
    expect(b.radius_m).toBe(10);
    expect(b.expires_ms - b.minted_ms).toBe(60_000);
    s = must(apply(s, { campaign_id: 'c1', bucket_id: 'b1', slots: 2 }, T0 + 1000));
    expect(apply(s, { campaign_id: 'c1', bucket_id: 'b1', slots: 3 }, T0 + 1000)).toMatchObject({ ok: false, reason: 'insufficient_slots' });
    const stale = apply(s, { campaign_id: 'c1', bucket_id: 'b1', slots: 1 }, T0 + 60_000);
    expect(stale).toMatchObject({ ok: false, reason: 'invalid_presence_bucket' });
    expect(!stale.ok && stale.message).toMatch(/stale/);
    const ended = adMarketChain.endBlock!(s, ctx(T0 + 30_000));
    expect(ended.reservations).toHaveLength(1);
    s = must(apply(s, { bucket_id: 'b1', kind: 'localnet', region: 'x', radius_m: 500, confidence_bps: 9000, ttl_secs: 600, crowd: 2 }, T0 + 31_000));
    const cancelled = adMarketChain.endBlock!(s, ctx(T0 + 32_000));
    expect(cancelled.reservations).toHaveLength(0);
    expect(cancelled.skipped_presence).toBe(1);
  });
  it('state round-trips through its codec', () => {
    const acked = must(apply(s, { acks: [{ viewer: 'v', host: 'h', provider: 'p', domain_tier: 'premium', interest_tag: 'travel', bucket: '', badges: ['interest:travel'], population: 1 }] }));
    expect(decodeAd(encodeAd(acked))).toEqual(acked);
  });
});

describe('governor gate sources', () => {
  it('blocked readiness keeps both gates closed with the blockers as reason; a ready market with slots opens them', () => {
    const blocked = readinessSnapshot(EMPTY_AD, 0, T0, true, P, newConversionStats());
    const c = contextualVerdict(blocked);
    expect(c).toMatchObject({ signal: 'ok', enterOk: false });
    expect(c.reason).toMatch(/insufficient_unique_viewers/);
    expect(presenceVerdict(blocked)).toMatchObject({ signal: 'ok', enterOk: false });
    let s: AdState = must(apply(EMPTY_AD, { bucket_id: 'b1', kind: 'localnet', region: '', radius_m: 500, confidence_bps: 9500, ttl_secs: 3600, crowd: 50 }));
    for (let k = 0; k < 2; k++)
      s = must(apply(s, { acks: Array.from({ length: 130 }, (_, i) => ({ viewer: `v${k}-${i}`, host: `h${i % 25}`, provider: `p${i % 10}`, domain_tier: 'premium', interest_tag: 'travel', bucket: 'b1', badges: [], population: 1 })) }));
    s = adMarketChain.endBlock!(s, ctx(T0));
    const ready = readinessSnapshot(s, 1, T0, true, P, newConversionStats());
    expect(ready.ready).toBe(true);
    expect(contextualVerdict(ready)).toMatchObject({ enterOk: true, stayOk: true });
    expect(presenceVerdict(ready)).toMatchObject({ enterOk: true, metrics: { presence_ready_slots: 10 } });
  });
});

describe('monitoring/ad_market_dashboard.json', () => {
  it('is generated from the module contribution (npm run monitor) and carries the three named panels', () => {
    const text = readFileSync(new URL('../../../monitoring/ad_market_dashboard.json', import.meta.url), 'utf8');
    const titles: string[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if (typeof o.title === 'string' && 'type' in o) titles.push(o.title);
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(text));
    for (const t of ['Ad Market Readiness', 'Presence Freshness', 'Selector Competitiveness']) expect(titles).toContain(t);
    expect(adMarketMonitoring.dashboard!.uid).toBe('tb-ad-market');
  });
});
