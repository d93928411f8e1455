/**
 * `contract-cli ad-market` second half (spec/ad_market.md §6-§7):
 *   record-conversion --campaign ID --creative ID --advertiser ACCOUNT [--value µUSD]   (token: env
 *       TB_ADVERTISER_TOKEN or --token; sent as `Authorization: Advertiser <account>:<token>`, never Bearer)
 *   token-hash [--token T]                        hex BLAKE3 of a conversion token (the campaign's conversion_token_hash)
 *   claim-routes --domain D [--provider --domain-tier --presence-bucket-id --interest-tags a,b]
 *   register-claim-route --domain D --role R --address tb1…   (ADMIN)
 *   distribution | budget | broker-state
 *   policy show --epoch N | policy list [--start N --end N] | policy verify --epoch N [--data-dir DIR]
 * `policy verify` checks the BLAKE3 of the canonical snapshot bytes against the `.sig` sidecar and the
 * Ed25519 signature here (from the node's answer, or with --data-dir from the files of a data
 * directory); exit 1 when they do not match or the epoch has no snapshot.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import type { BrokerSnapshot, PolicySnapshot } from '../../shared/api/ad_market_ops.js';
import { checkPolicy, conversionTokenHash, policyBytes, readPolicy } from '../../node-core/ad_market/index.js';
import { cliEnv, clientFor, intFlag, output, table, UsageError, withCommon, type CommonOpts } from '../common.js';

const usd = (micros: string) => `$${(Number(micros) / 1e6).toFixed(2)}`;
const ppm = (x: number) => (x / 1e6).toFixed(3);

function brokerLines(r: BrokerSnapshot): string[] {
  if (r.campaigns.length === 0) return ['no campaigns'];
  return [
    'campaign                 remaining     epoch spend / target      kappa  shadow  multiplier',
    ...r.campaigns.map((c) => `${c.campaign_id.padEnd(24)} ${usd(c.remaining_budget).padEnd(13)} ${`${usd(c.epoch_spend)} / ${usd(c.epoch_target)}`.padEnd(25)} ${ppm(c.kappa_ppm).padEnd(6)} ${ppm(c.dual_price_ppm).padEnd(7)} ${ppm(c.shading_multiplier_ppm)}`),
    `conversions: ${r.conversion_summary.conversions} worth ${usd(r.conversion_summary.value_usd_micros)}; requests accepted ${r.conversion_summary.authenticated_total}, rejected ${r.conversion_summary.rejected_total}`,
  ];
}

/** Local re-check of a snapshot the node returned: canonical bytes of its body vs its sidecar. */
function recheck(s: PolicySnapshot): PolicySnapshot['signature'] {
  return checkPolicy(policyBytes(s.body), s.attestation);
}

export function addAdMarketOps(ad: Command): void {
  withCommon(
    ad
      .command('record-conversion')
      .description('record a conversion as the advertiser (ad_market.record_conversion; Authorization: Advertiser <account>:<token>)')
      .requiredOption('--campaign <id>')
      .requiredOption('--creative <id>')
      .requiredOption('--advertiser <account>')
      .option('--value <usd_micros>', 'conversion value, µUSD', '0')
      .option('--token <token>', 'advertiser conversion token (prefer env TB_ADVERTISER_TOKEN: flags show in process lists)'),
  ).action(async (opts: CommonOpts & { campaign: string; creative: string; advertiser: string; value: string; token?: string }) => {
    const token = opts.token ?? cliEnv('TB_ADVERTISER_TOKEN');
    if (!token) throw new UsageError('--token or TB_ADVERTISER_TOKEN: the advertiser conversion token is required');
    const { client } = clientFor(opts, undefined, { authorization: `Advertiser ${opts.advertiser}:${token}` });
    const r = await client.call('ad_market.record_conversion', { campaign_id: opts.campaign, creative_id: opts.creative, advertiser_account: opts.advertiser, value_usd_micros: intFlag('--value', opts.value) });
    output(opts.format, r, (x) => `conversion submitted: tx ${x.tx_hash} (pending), attributed to selector ${x.selector_id.slice(0, 16)}…`);
  });

  withCommon(ad.command('token-hash').description('hex BLAKE3 of a conversion token: put it in the campaign file as conversion_token_hash').option('--token <token>', 'the token (default env TB_ADVERTISER_TOKEN)'), { rpc: false }).action(
    (opts: CommonOpts & { token?: string }) => {
      const token = opts.token ?? cliEnv('TB_ADVERTISER_TOKEN');
      if (!token) throw new UsageError('--token or TB_ADVERTISER_TOKEN is required');
      output(opts.format, { conversion_token_hash: conversionTokenHash(token) }, (r) => r.conversion_token_hash);
    },
  );

  withCommon(
    ad
      .command('claim-routes')
      .description('payout claim routes of a domain (ad_market.claim_routes)')
      .requiredOption('--domain <domain>')
      .option('--provider <id>')
      .addOption(new Option('--domain-tier <tier>').choices(['premium', 'reserved', 'community', 'unverified']))
      .option('--presence-bucket-id <id>')
      .option('--interest-tags <a,b>', 'comma-separated'),
  ).action(async (opts: CommonOpts & { domain: string; provider?: string; domainTier?: 'premium'; presenceBucketId?: string; interestTags?: string }) => {
    const { client } = clientFor(opts);
    const r = await client.call('ad_market.claim_routes', { domain: opts.domain, provider: opts.provider, domain_tier: opts.domainTier, presence_bucket_id: opts.presenceBucketId, interest_tags: opts.interestTags?.split(',').filter((x) => x !== '') });
    output(opts.format, r, (x) => (Object.keys(x.claim_routes).length === 0 ? [`no claim routes for ${x.domain}`] : table(Object.entries(x.claim_routes))));
  });

  withCommon(ad.command('register-claim-route').description('route a domain role\'s payouts to an address (ad_market.register_claim_route; ADMIN)').requiredOption('--domain <domain>').requiredOption('--role <role>', 'publisher, host, hardware, verifier, liquidity or viewer').requiredOption('--address <tb1…>')).action(
    async (opts: CommonOpts & { domain: string; role: string; address: string }) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call('ad_market.register_claim_route', { domain: opts.domain, role: opts.role, address: opts.address }), (r) => `claim route submitted: tx ${r.tx_hash} (pending)`);
    },
  );

  withCommon(ad.command('distribution').description('distribution policy and settled totals per payout role (ad_market.distribution)')).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('ad_market.distribution', {}), (r) => [
      ...table(Object.entries(r.distribution).map(([k, v]) => [k.replace('_percent', ''), `${v}%  ${usd(r.by_role_usd_micros[k.replace('_percent', '')] ?? '0')}`])),
      `settled impressions ${r.settlement_count}, total ${usd(r.total_usd_micros)}`,
    ]);
  });
  for (const [name, method] of [['budget', 'ad_market.budget'], ['broker-state', 'ad_market.broker_state']] as const)
    withCommon(ad.command(name).description(`budget broker pacing per campaign (${method})`)).action(async (opts: CommonOpts) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call(method, {}), brokerLines);
    });

  const policy = ad.command('policy').description('signed ad policy snapshots (<data>/ad_policy/<epoch>.json + .sig)');
  withCommon(policy.command('show').description('the snapshot of an epoch (ad_market.policy_snapshot)').requiredOption('--epoch <n>')).action(async (opts: CommonOpts & { epoch: string }) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('ad_market.policy_snapshot', { epoch: intFlag('--epoch', opts.epoch) }), (r) =>
      r.status === 'not_found' ? `no policy snapshot for epoch ${r.epoch}` : [`epoch ${r.snapshot.epoch}: ${r.snapshot.path}, signature ${r.snapshot.signature}`, JSON.stringify(r.snapshot.body, null, 2)],
    );
  });
  withCommon(policy.command('list').description('snapshots of a range of epochs (ad_market.policy_snapshots)').option('--start <n>', 'first epoch', '0').option('--end <n>', 'last epoch (default: current)')).action(
    async (opts: CommonOpts & { start: string; end?: string }) => {
      const { client } = clientFor(opts);
      const r = await client.call('ad_market.policy_snapshots', { start_epoch: intFlag('--start', opts.start), end_epoch: opts.end === undefined ? undefined : intFlag('--end', opts.end) });
      output(opts.format, r, (x) => (x.snapshots.length === 0 ? [`no snapshots in epochs ${x.start_epoch}..${x.end_epoch}`] : x.snapshots.map((s) => `epoch ${s.epoch}  ${s.signature.padEnd(8)} ${s.payload_hash_hex}`)));
    },
  );
  withCommon(policy.command('verify').description('check a snapshot\'s BLAKE3 and Ed25519 sidecar here; exit 1 when they do not match').requiredOption('--epoch <n>').option('--data-dir <dir>', 'read the files of this data directory instead of asking the node')).action(
    async (opts: CommonOpts & { epoch: string; dataDir?: string }) => {
      const epoch = intFlag('--epoch', opts.epoch);
      let snap: PolicySnapshot | null;
      if (opts.dataDir !== undefined) snap = await readPolicy(path.resolve(opts.dataDir), epoch);
      else {
        const { client } = clientFor(opts);
        const r = await client.call('ad_market.policy_snapshot', { epoch });
        snap = r.status === 'ok' ? r.snapshot : null;
      }
      if (!snap) {
        process.exitCode = 1;
        return output(opts.format, { epoch, verified: false, detail: 'no policy snapshot for this epoch' }, (r) => `epoch ${r.epoch}: ${r.detail}`);
      }
      const signature = opts.dataDir !== undefined ? snap.signature : recheck(snap);
      if (signature !== 'valid') process.exitCode = 1;
      output(opts.format, { epoch, verified: signature === 'valid', signature, payload_hash_hex: snap.payload_hash_hex, pubkey_hex: snap.attestation?.pubkey_hex ?? null }, (r) =>
        `epoch ${r.epoch}: signature ${r.signature}${r.pubkey_hex ? ` (key ${r.pubkey_hex})` : ''}, BLAKE3 ${r.payload_hash_hex}`,
      );
    },
  );
}
