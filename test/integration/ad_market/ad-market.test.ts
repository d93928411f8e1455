/**
 * The ad market in a real dev node (issue 15): readiness goes from blocked to ready through chain
 * transactions; auctions clear with shading that moves when a competing campaign arrives; a
 * reservation of an unconfident bucket is refused; conversions over HTTP with the advertiser's
 * `Authorization: Advertiser <account>:<token>` header (the node has an admin token: the header
 * replaces it for this PUBLIC method) feed `ad_conversion_value_total{selector}`; claim routes,
 * budget broker and the signed policy snapshot of epoch 0 answer; metrics and gate sources answer;
 * the state survives a restart.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { fixtureAcks } from '../../../src/cli/ad-fixture.js';
import { conversionTokenHash } from '../../../src/node-core/ad_market/index.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

const ADMIN = { authorization: 'Bearer admin-secret' };

let dir: string;
let node: Node | undefined;
let port: number;

async function call(method: string, params: unknown = {}): Promise<any> {
  const r = await rpc(port, method, params, ADMIN);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result;
}
const mine = () => call('dev.mine_one', []);
function config(root: string) {
  return loadConfig({ cwd: os.tmpdir(), env: { TB_RPC_AUTH_TOKEN: 'admin-secret' }, flags: { data_dir: root, rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '600000', log_level: 'warn' } }).config;
}
const start = async () => {
  node = await Node.start(config(path.join(dir, 'node')), { stdout: false });
  port = node.rpcPort!;
};

beforeAll(async () => {
  dir = await tempDir('tb-ad-market');
  await start();
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await removeTemp(dir);
});

describe('ad market on a dev chain', () => {
  it('starts blocked with every blocker', async () => {
    const r = await call('ad_market.readiness', { with_privacy: true });
    expect(r.ready).toBe(false);
    expect(r.blockers).toEqual(['insufficient_unique_viewers', 'insufficient_host_diversity', 'insufficient_provider_diversity']);
    expect(r.privacy.families).toEqual([]);
  });

  it('goes ready once the fixture events are on chain; auctions clear with shading', async () => {
    await call('ad_market.mint_presence', { bucket_id: 'bkt-downtown', confidence_bps: 9600, crowd_size: 40, region: 'us-east' });
    await call('ad_market.register_campaign', { campaign: { id: 'travel-a', advertiser_account: 'adv-1', budget_usd_micros: 10_000_000_000, max_bid_usd_micros: 50_000_000, targeting: { domain_tiers: ['premium'], interest_tags: ['travel'] }, creatives: [{ id: 'banner' }], conversion_token_hash: conversionTokenHash('tok-1') } });
    await mine();
    const acks = fixtureAcks({ viewers: 240, hosts: 25, providers: 10, bucket: 'bkt-downtown', seed: 1 });
    for (let i = 0; i < acks.length; i += 256) await call('ad_market.record_acks', { acks: acks.slice(i, i + 256) });
    await mine();
    let r = await call('ad_market.readiness', {});
    expect(r.blockers).toEqual(['insufficient_unique_viewers']);
    expect(r.unique_viewers).toBe(240);
    const inv1 = await call('ad_market.inventory', { selector: ['domain_tier=premium', 'presence_bucket=bkt-downtown'] });
    const sel1 = inv1.selectors.find((s: any) => s.interest_tag === 'travel');
    expect(sel1.wins).toBeGreaterThan(0);
    expect(sel1.shading_factor_bps).toBeGreaterThan(0);
    expect(sel1.shading_factor_bps).toBeLessThan(10_000);

    await call('ad_market.register_campaign', { campaign: { id: 'travel-b', advertiser_account: 'adv-2', budget_usd_micros: 10_000_000_000, max_bid_usd_micros: 40_000_000, targeting: { interest_tags: ['travel'] } } });
    await mine();
    await call('ad_market.record_acks', { acks: fixtureAcks({ viewers: 20, hosts: 25, providers: 10, bucket: 'bkt-downtown', seed: 2, offset: 240 }) });
    await mine();
    r = await call('ad_market.readiness', { with_privacy: true });
    expect(r.ready).toBe(true);
    expect(r.blockers).toEqual([]);
    expect(r.ready_streak_windows).toBeGreaterThanOrEqual(1);
    expect(r.segments.presence_bucket['bkt-downtown'].ready_slots).toBe(8);
    const sel2 = (await call('ad_market.inventory', { selector: ['interest_tag=travel', 'presence_bucket=bkt-downtown', 'domain_tier=premium'] })).selectors[0];
    // Alone, travel-a paid the clearing price + 1; against travel-b's 40 USD bid it pays 40 USD + 1 µUSD.
    expect(BigInt(sel1.last_paid_usd_micros)).toBeLessThan(40_000_000n);
    expect(sel2.last_paid_usd_micros).toBe('40000001');
    expect(sel2.shading_factor_bps).toBe(8000);
    expect(sel2.privacy_families).toEqual(['presence']);
    expect(sel2.privacy_remaining_ppm).toBeLessThan(1_000_000);
    expect(sel2.privacy_remaining_ppm).toBe(r.privacy.families.find((f: any) => f.family === 'presence').remaining_ppm);
    expect(sel2.shading_factor_bps).toBeGreaterThan(sel1.shading_factor_bps);
    expect((await call('ad_market.list_campaigns', { selector: ['interest_tag=travel'] })).campaigns.map((c: any) => c.id)).toEqual(['travel-a', 'travel-b']);
  });

  it('reserves fresh slots, refuses an unconfident bucket, and lists presence cohorts', async () => {
    const ok = await call('ad_market.reserve_presence', { campaign_id: 'travel-a', presence_bucket_id: 'bkt-downtown', slot_count: 4 });
    expect(ok.status).toBe('pending');
    await call('ad_market.mint_presence', { bucket_id: 'bkt-fuzzy', confidence_bps: 5000, crowd_size: 40 });
    await mine();
    const bad = await rpc(port, 'ad_market.reserve_presence', { campaign_id: 'travel-a', presence_bucket_id: 'bkt-fuzzy', slot_count: 1 }, ADMIN);
    expect(bad.error?.data?.reason).toBe('invalid_presence_bucket');
    expect(bad.error?.code).toBe(-32034);
    expect(bad.error?.message).toMatch(/confidence 5000 bps is under 8000/);
    const list = await call('ad_market.list_presence_cohorts', { min_confidence_bps: 9500 });
    expect(list.cohorts.map((c: any) => c.bucket_id)).toEqual(['bkt-downtown']);
    expect(list.cohorts[0].reserved_slots).toBe(4);
    expect(list.cohorts[0]).toMatchObject({ privacy_guardrail: 'ok', ready_slots: 4 });
    // The 4 free slots split over the bucket's selectors (premium/news, premium/travel), sorted by id.
    expect(list.cohorts[0].selector_prices.map((x: any) => x.slot_cap).sort()).toEqual([2, 2]);
    expect(list.privacy_budget).toMatchObject({ remaining_ppm: 0, denied_ppm: 0, cooldown_remaining: 0 }); // a reservation holds
    expect((await call('ad_market.list_presence_cohorts', { interest_tag: 'travel', domain_tier: 'premium' })).cohorts.map((c: any) => c.bucket_id)).toEqual(['bkt-downtown']);
    expect((await call('ad_market.list_presence_cohorts', { interest_tag: 'cooking' })).cohorts).toEqual([]);
    const badParams = await rpc(port, 'ad_market.inventory', { selector: ['colour=blue'] });
    expect(badParams.error?.code).toBe(-32602);
    expect(badParams.error?.data?.issues?.[0]?.path).toEqual(['selector', 0]);
  });

  it('records conversions with the advertiser header over HTTP; refuses a missing or bad one with a clear error', async () => {
    const conv = { campaign_id: 'travel-a', creative_id: 'banner', advertiser_account: 'adv-1', value_usd_micros: 7_500_000 };
    const missing = await rpc(port, 'ad_market.record_conversion', conv);
    expect(missing.error).toMatchObject({ code: -32030, data: { reason: 'auth_required' } });
    expect(missing.error!.message).toMatch(/Authorization: Advertiser <account>:<token>/);
    const bearer = await rpc(port, 'ad_market.record_conversion', conv, ADMIN);
    expect(bearer.error?.code).toBe(-32030);
    expect((await rpc(port, 'ad_market.record_conversion', conv, { authorization: 'Advertiser adv-2:tok-1' })).error?.code).toBe(-32031);
    expect((await rpc(port, 'ad_market.record_conversion', conv, { authorization: 'Advertiser adv-1:wrong' })).error).toMatchObject({ code: -32033, message: 'invalid advertiser token' });
    expect((await rpc(port, 'ad_market.record_conversion', { ...conv, campaign_id: 'travel-b', advertiser_account: 'adv-2' }, { authorization: 'Advertiser adv-2:x' })).error).toMatchObject({ code: -32032, data: { reason: 'token_missing' } });
    expect((await rpc(port, 'ad_market.record_conversion', { ...conv, creative_id: 'nope' }, { authorization: 'Advertiser adv-1:tok-1' })).error).toMatchObject({ code: -32000, data: { reason: 'unknown_creative' } });
    // Over WebSocket the upgrade request's headers count.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: 'Advertiser adv-1:nope' } });
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    const wsAnswer = new Promise<any>((res) => ws.once('message', (d) => res(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ad_market.record_conversion', params: conv }));
    expect((await wsAnswer).error).toMatchObject({ code: -32033 });
    ws.close();
    const ok = await rpc(port, 'ad_market.record_conversion', conv, { authorization: 'Advertiser adv-1:tok-1' });
    expect(ok.error).toBeUndefined();
    expect(ok.result).toMatchObject({ status: 'pending', conversion_summary: { authenticated_total: 1, rejected_total: 7, error_counts: { auth_required: 2, advertiser_mismatch: 1, token_invalid: 2, token_missing: 1, unknown_creative: 1 } } });
    await mine();
    const sel = (await call('ad_market.inventory', { selector: ['interest_tag=travel', 'presence_bucket=bkt-downtown'] })).selectors.find((x: any) => x.selector_id === ok.result.selector_id);
    expect(sel).toMatchObject({ conversions: 1, conversion_value_usd_micros: '7500000' });
    const campaigns = (await call('ad_market.list_campaigns', {})).campaigns;
    expect(campaigns.find((c: any) => c.id === 'travel-a')).toMatchObject({ conversions: 1, conversions_enabled: true });
    const text = await (await fetch(`http://127.0.0.1:${node!.metricsPort}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^ad_conversion_value_total\\{selector="${sel.label.replace(/\//g, '\\/')}"\\} 7500000$`, 'm'));
    expect(text).toMatch(/^ad_conversion_total\{result="rejected",reason="token_invalid"\} 2$/m);
    expect(text).toMatch(/^ad_privacy_budget_utilization_ratio\{selector="premium\/travel\/bkt-downtown"\} 0\.\d+$/m);
    expect(text).toMatch(/^ad_budget_shading_multiplier\{campaign="travel-a"\} (0\.\d+|1)$/m);
    expect(text).toMatch(/^ad_budget_progress\{campaign="travel-a"\} 0\.\d+$/m);
  });

  it('claim routes (ADMIN write, −32040 for a role that is not a payout role), broker, distribution and the signed policy snapshot of epoch 0', async () => {
    const addr = 'tb1' + '5a'.repeat(20);
    expect((await rpc(port, 'ad_market.register_claim_route', { domain: 'news.block', role: 'host', address: addr })).error?.code).toBe(-32004);
    expect((await rpc(port, 'ad_market.register_claim_route', { domain: 'news.block', role: 'janitor', address: addr }, ADMIN)).error).toMatchObject({ code: -32040, message: 'invalid payout role', data: { issues: [{ path: ['role'] }] } });
    await call('ad_market.register_claim_route', { domain: 'news.block', role: 'host', address: addr });
    await mine();
    expect(await call('ad_market.claim_routes', { domain: 'news.block', domain_tier: 'premium' })).toEqual({ status: 'ok', domain: 'news.block', claim_routes: { host: addr } });
    const broker = await call('ad_market.budget', {});
    const a = broker.campaigns.find((c: any) => c.campaign_id === 'travel-a');
    expect(a.kappa_ppm).toBeGreaterThanOrEqual(250_000);
    expect(a.shading_multiplier_ppm).toBeGreaterThan(0);
    expect(BigInt(a.remaining_budget)).toBeLessThan(10_000_000_000n);
    expect(await call('ad_market.broker_state', {})).toMatchObject({ campaigns: broker.campaigns });
    const dist = await call('ad_market.distribution', {});
    expect(dist.distribution).toEqual({ viewer_percent: 40, host_percent: 30, hardware_percent: 15, verifier_percent: 10, liquidity_percent: 5 });
    expect(BigInt(dist.by_role_usd_micros.viewer)).toBe((BigInt(dist.total_usd_micros) * 40n) / 100n);
    const p0 = await call('ad_market.policy_snapshot', { epoch: 0 });
    expect(p0).toMatchObject({ status: 'ok', snapshot: { epoch: 0, signature: 'valid', path: 'ad_policy/0.json' } });
    expect(await call('ad_market.policy_snapshot', { epoch: 9 })).toEqual({ status: 'not_found', epoch: 9 });
    expect((await call('ad_market.policy_snapshots', {})).snapshots.map((x: any) => x.epoch)).toEqual([0]);
  });

  it('exposes metrics and survives a restart with the same snapshot', async () => {
    const res = await fetch(`http://127.0.0.1:${node!.metricsPort}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/^ad_readiness_ready 1$/m);
    expect(text).toMatch(/ad_bid_shading_factor_bps\{selector="premium\/travel\/bkt-downtown"\} \d+/);
    const before = await call('ad_market.readiness', { with_privacy: true });
    await node!.stop();
    node = undefined;
    await start();
    const after = await call('ad_market.readiness', { with_privacy: true });
    // Request counters of conversions are the node's, not chain state: they restart at 0.
    const chainPart = (r: any) => ({ ...r, conversion_summary: { conversions: r.conversion_summary.conversions, value_usd_micros: r.conversion_summary.value_usd_micros } });
    expect(chainPart(after)).toEqual(chainPart(before));
    expect(after.conversion_summary).toMatchObject({ conversions: 1, value_usd_micros: '7500000', authenticated_total: 0 });
  }, 60_000);
});
