/**
 * The ad market in a real dev node (issue 15): readiness goes from blocked to ready through chain
 * transactions; auctions clear with shading that moves when a competing campaign arrives; a
 * reservation of an unconfident bucket is refused; metrics and gate sources answer; the state
 * survives a restart.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { fixtureAcks } from '../../../src/cli/ad-fixture.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

let dir: string;
let node: Node | undefined;
let port: number;

async function call(method: string, params: unknown = {}): Promise<any> {
  const r = await rpc(port, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result;
}
const mine = () => call('dev.mine_one', []);
function config(root: string) {
  return loadConfig({ cwd: os.tmpdir(), env: {}, flags: { data_dir: root, rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '600000', log_level: 'warn' } }).config;
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
    await call('ad_market.register_campaign', { campaign: { id: 'travel-a', advertiser_account: 'adv-1', budget_usd_micros: 10_000_000_000, max_bid_usd_micros: 50_000_000, targeting: { domain_tiers: ['premium'], interest_tags: ['travel'] } } });
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
    const bad = await rpc(port, 'ad_market.reserve_presence', { campaign_id: 'travel-a', presence_bucket_id: 'bkt-fuzzy', slot_count: 1 });
    expect(bad.error?.data?.reason).toBe('invalid_presence_bucket');
    expect(bad.error?.message).toMatch(/confidence 5000 bps is under 8000/);
    const list = await call('ad_market.list_presence_cohorts', { min_confidence_bps: 9500 });
    expect(list.cohorts.map((c: any) => c.bucket_id)).toEqual(['bkt-downtown']);
    expect(list.cohorts[0].reserved_slots).toBe(4);
    const badParams = await rpc(port, 'ad_market.inventory', { selector: ['colour=blue'] });
    expect(badParams.error?.code).toBe(-32602);
    expect(badParams.error?.data?.issues?.[0]?.path).toEqual(['selector', 0]);
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
    expect(after).toEqual(before);
  }, 60_000);
});
