/**
 * `contract-cli ad-market readiness [--with-privacy] | inventory [--selector k=v]… |
 * list-campaigns [--selector k=v]… | register --campaign FILE | presence list [--region --kind
 * --min-confidence --include-expired --limit] | presence reserve --campaign ID --bucket ID --slots N`
 * (spec/ad_market.md §7; issue 15). `--format json` prints the node's answer as is: the
 * readiness JSON is byte-for-byte what the console's "readiness snapshot" export writes.
 * `register` and `presence reserve` submit chain transactions (ADMIN: TB_RPC_AUTH_TOKEN).
 * `dev-feed` (dev chains): mints a presence bucket and records deterministic fixture impressions.
 * Conversions, claim routes, distribution, budget broker and policy snapshots: `ad-market-ops.ts`.
 * Exit codes: 0 ok; 1 node error / refusal; 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { CampaignInput, type ReadinessSnapshot, type SelectorView } from '../../shared/api/ad_market.js';
import { fixtureAcks } from '../ad-fixture.js';
import { addAdMarketOps } from './ad-market-ops.js';
import { clientFor, intFlag, localInput, output, table, UsageError, withCommon, type CommonOpts } from '../common.js';

const SELECTOR_RE = /^(domain_tier|interest_tag|presence_bucket)=[A-Za-z0-9_.:-]{1,64}$/;
const collect = (v: string, prev: string[]) => {
  if (!SELECTOR_RE.test(v)) throw new UsageError(`--selector: "${v}" is not key=value with key domain_tier, interest_tag or presence_bucket`);
  return [...prev, v];
};
const selectorOption = () => new Option('--selector <key=value>', 'filter (repeatable): domain_tier=, interest_tag=, presence_bucket=').argParser(collect).default([]);

const pct = (ppm: number) => `${(ppm / 10_000).toFixed(1)}%`;
const usd = (micros: string) => `$${(Number(micros) / 1e6).toFixed(2)}`;

export function readinessLines(r: ReadinessSnapshot): string[] {
  const lines = table([
    ['ready', r.ready ? `yes (streak ${r.ready_streak_windows} window(s))` : 'no'],
    ['blockers', r.blockers.length === 0 ? 'none' : r.blockers.join(', ')],
    ['unique viewers', `${r.unique_viewers} / ${r.thresholds.min_unique_viewers}`],
    ['hosts', `${r.host_count} / ${r.thresholds.min_host_count}`],
    ['providers', `${r.provider_count} / ${r.thresholds.min_provider_count}`],
    ['window', `${r.window_secs} s (${r.dynamic.use_percentile_thresholds ? 'percentile thresholds, EMA' : 'static thresholds'}; ${r.params_source})`],
    ['height', r.height],
    ['skipped (presence)', r.skipped.presence],
    ['settled', `${r.settlement_count} impression(s), $${(Number(r.total_usd_micros) / 1e6).toFixed(2)}`],
    ['conversions', `${r.conversion_summary.conversions} worth $${(Number(r.conversion_summary.value_usd_micros) / 1e6).toFixed(2)}`],
  ]);
  for (const [id, b] of Object.entries(r.segments.presence_bucket))
    lines.push(`bucket ${id}: ${b.stale ? 'stale' : 'fresh'}, ${b.ready_slots} ready slot(s), confidence ${b.confidence_bps} bps, <1h ${pct(b.freshness_histogram.under_1h_ppm)}`);
  if (r.privacy)
    for (const f of r.privacy.families)
      lines.push(`privacy ${f.family}: ${pct(f.remaining_ppm)} left, last ${f.last_decision}, exhausted in ${f.impressions_until_exhausted ?? '∞'} impression(s)${f.cooldown_remaining > 0 ? `, cooling ${f.cooldown_remaining}` : ''}`);
  return lines;
}

const selectorLines = (r: { selectors: SelectorView[] }) =>
  r.selectors.length === 0
    ? ['no selectors yet']
    : ['selector                                  clearing    top bid     win rate  shading', ...r.selectors.map((s) => `${s.label.padEnd(41)} ${usd(s.clearing_price_usd_micros).padEnd(11)} ${usd(s.top_bid_usd_micros).padEnd(11)} ${pct(s.win_rate_ppm).padEnd(9)} ${(s.shading_factor_bps / 100).toFixed(1)}%`)];

export function adMarketCommand(): Command {
  const ad = new Command('ad-market').description('ad market: readiness, selectors and auctions, campaigns, presence');

  withCommon(ad.command('readiness').description('readiness with blockers, streak and segments (ad_market.readiness)').option('--with-privacy', 'include privacy budgets and their exhaustion forecast')).action(
    async (opts: CommonOpts & { withPrivacy?: boolean }) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call('ad_market.readiness', { with_privacy: opts.withPrivacy === true }), readinessLines);
    },
  );

  withCommon(ad.command('inventory').description('per-selector clearing price, top bid, win rate, shading (ad_market.inventory)').addOption(selectorOption())).action(async (opts: CommonOpts & { selector: string[] }) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('ad_market.inventory', { selector: opts.selector }), selectorLines);
  });

  withCommon(ad.command('list-campaigns').description('registered campaigns (ad_market.list_campaigns)').addOption(selectorOption())).action(async (opts: CommonOpts & { selector: string[] }) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('ad_market.list_campaigns', { selector: opts.selector }), (r) =>
      r.campaigns.length === 0 ? ['no campaigns'] : r.campaigns.map((c) => `${c.id.padEnd(24)} spent ${usd(c.spent_usd_micros)} of ${usd(c.budget_usd_micros)}  tiers ${c.domain_tiers.join(',') || 'any'}  tags ${c.interest_tags.join(',') || 'any'}`),
    );
  });

  withCommon(ad.command('register').description('register a campaign from a JSON file (ad_market.register_campaign; ADMIN)').requiredOption('--campaign <file>', 'campaign JSON (examples/ad-market/campaign.json)')).action(
    async (opts: CommonOpts & { campaign: string }) => {
      const text = await localInput(readFile(opts.campaign, 'utf8'));
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new UsageError(`--campaign: ${opts.campaign} is not JSON: ${(err as Error).message}`);
      }
      const parsed = CampaignInput.safeParse(json);
      if (!parsed.success) throw new UsageError(`--campaign: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
      const { client } = clientFor(opts);
      output(opts.format, await client.call('ad_market.register_campaign', { campaign: json as never }), (r) => `campaign submitted: tx ${r.tx_hash} (pending)`);
    },
  );

  const presence = ad.command('presence').description('presence buckets: list and reserve');
  withCommon(
    presence
      .command('list')
      .description('presence cohorts (ad_market.list_presence_cohorts)')
      .option('--region <r>')
      .addOption(new Option('--domain-tier <tier>').choices(['premium', 'reserved', 'community', 'unverified']))
      .option('--interest-tag <tag>')
      .option('--beacon <id>', 'part of the bucket id')
      .addOption(new Option('--kind <k>').choices(['localnet', 'range_boost', 'unknown']))
      .option('--min-confidence <bps>', 'minimum confidence, basis points (0-10000)')
      .option('--include-expired', 'include stale buckets')
      .option('--limit <n>', '1-1000', '100'),
  ).action(async (opts: CommonOpts & { region?: string; domainTier?: 'premium'; interestTag?: string; beacon?: string; kind?: 'localnet'; minConfidence?: string; includeExpired?: boolean; limit: string }) => {
    const min = opts.minConfidence === undefined ? undefined : intFlag('--min-confidence', opts.minConfidence);
    if (min !== undefined && min > 10_000) throw new UsageError('--min-confidence: 0 to 10000 basis points');
    const { client } = clientFor(opts);
    const r = await client.call('ad_market.list_presence_cohorts', { region: opts.region, domain_tier: opts.domainTier, interest_tag: opts.interestTag, beacon_id: opts.beacon, kind: opts.kind, min_confidence_bps: min, include_expired: opts.includeExpired === true, limit: intFlag('--limit', opts.limit) });
    output(opts.format, r, (x) => [
      ...(x.cohorts.length === 0 ? ['no presence cohorts'] : x.cohorts.map((b) => `${b.bucket_id.padEnd(24)} ${b.kind.padEnd(11)} ${b.confidence_bps} bps  r ${b.radius_meters} m  crowd ${b.crowd_size}  slots ${b.ready_slots} (+${b.reserved_slots} reserved)  ${b.privacy_guardrail}  ${b.selector_prices.length} selector(s)  expires ${new Date(b.expires_at_ms).toISOString()}${b.stale ? '  STALE' : ''}`)),
      `privacy budget remaining ${pct(x.privacy_budget.remaining_ppm)}`,
    ]);
  });
  withCommon(presence.command('reserve').description('reserve slots of a fresh bucket (ad_market.reserve_presence; ADMIN)').requiredOption('--campaign <id>').requiredOption('--bucket <id>').requiredOption('--slots <n>')).action(
    async (opts: CommonOpts & { campaign: string; bucket: string; slots: string }) => {
      const slots = intFlag('--slots', opts.slots);
      if (slots < 1) throw new UsageError('--slots: at least 1');
      const { client } = clientFor(opts);
      output(opts.format, await client.call('ad_market.reserve_presence', { campaign_id: opts.campaign, presence_bucket_id: opts.bucket, slot_count: slots }), (r) => `reservation submitted: tx ${r.tx_hash} (pending)`);
    },
  );
  withCommon(
    ad
      .command('dev-feed')
      .description('dev chains: mint a presence bucket and record fixture impressions (ad_market.mint_presence + record_acks; ADMIN)')
      .option('--viewers <n>', 'distinct viewers', '260')
      .option('--hosts <n>', 'distinct hosts', '25')
      .option('--providers <n>', 'distinct providers', '10')
      .option('--bucket <id>', 'presence bucket id', 'bkt-dev')
      .option('--crowd <n>', 'crowd size of the bucket', '40')
      .option('--confidence <bps>', 'bucket confidence, basis points', '9600')
      .option('--offset <n>', 'first viewer index', '0')
      .option('--seed <n>', 'viewer id seed', '1'),
  ).action(async (opts: CommonOpts & Record<'viewers' | 'hosts' | 'providers' | 'bucket' | 'crowd' | 'confidence' | 'offset' | 'seed', string>) => {
    const n = (f: string, v: string, min = 0) => {
      const x = intFlag(f, v);
      if (x < min) throw new UsageError(`${f}: at least ${min}`);
      return x;
    };
    const o = { viewers: n('--viewers', opts.viewers, 1), hosts: n('--hosts', opts.hosts, 1), providers: n('--providers', opts.providers, 1), offset: n('--offset', opts.offset), seed: n('--seed', opts.seed), bucket: opts.bucket };
    const { client } = clientFor(opts);
    const txs = [(await client.call('ad_market.mint_presence', { bucket_id: o.bucket, confidence_bps: n('--confidence', opts.confidence), crowd_size: n('--crowd', opts.crowd), region: 'dev' })).tx_hash];
    const acks = fixtureAcks(o);
    for (let i = 0; i < acks.length; i += 256) txs.push((await client.call('ad_market.record_acks', { acks: acks.slice(i, i + 256) })).tx_hash);
    output(opts.format, { status: 'pending', bucket: o.bucket, events: acks.length, tx_hashes: txs }, (r) => `submitted bucket ${r.bucket} and ${r.events} impression(s) in ${r.tx_hashes.length} tx(s); they apply at the next block`);
  });
  addAdMarketOps(ad);
  return ad;
}
