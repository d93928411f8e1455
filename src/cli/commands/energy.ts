/**
 * `contract-cli energy …` (issue 14; spec/energy.md §9): register | update-provider | market
 * [--verbose] | submit-reading --file | verify-reading --file [--public-key] (offline) | settle |
 * receipts | credits | slashes | disputes | flag-dispute | resolve-dispute | keys | reload-keys |
 * set-key | revoke-key. Mutations are chain transactions: the command waits until the tx is in a
 * block (`--no-wait` returns the pending tx) and prints the outcome (provider id, credit, receipt);
 * submit-reading is answered once the reading is queued and waits (energy.reading_status) until it is included.
 * Token: `--token`, else TB_ENERGY_ADMIN_TOKEN (TB_ENERGY_ORACLE_TOKEN for submit-reading), else
 * TB_RPC_AUTH_TOKEN. Exit codes: 0 ok; 1 node error / refusal / invalid reading; 2 usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseToml } from 'smol-toml';
import { MeterReadingPayload, type EnergyMarketState, type ReadingStatus } from '../../shared/api/energy.js';
import { createClient, httpTransport } from '../../shared/api/client.js';
import { meterHash, parseKeyEntries, signingDigest, verifyReading } from '../../node-core/energy/index.js';
import { cliEnv, intFlag, localInput, output, rpcUrl, SilentFailure, table, UsageError, withCommon, type CommonOpts } from '../common.js';

type Opts = CommonOpts & { token?: string; wait?: boolean };
const role = (o: Opts, r: 'admin' | 'oracle') => o.token ?? process.env[`TB_ENERGY_${r.toUpperCase()}_TOKEN`] ?? cliEnv('TB_RPC_AUTH_TOKEN');
const clientOf = (o: Opts, r: 'admin' | 'oracle' = 'admin') => createClient(httpTransport(rpcUrl(o), { token: role(o, r) }));
const common = (c: Command) => withCommon(c).option('--token <token>', 'energy role token (env TB_ENERGY_ADMIN_TOKEN / TB_ENERGY_ORACLE_TOKEN, else TB_RPC_AUTH_TOKEN)');
const mutating = (c: Command) => common(c).option('--no-wait', 'return once the transaction is pending');

/** Waits until `hash` is in a block (polls tx.status; 60 s). */
async function included(client: ReturnType<typeof clientOf>, hash: string): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const s = (await client.call('tx.status', { hash })) as { status: string; height?: number };
    if (s.status === 'included') return s.height!;
    if (s.status === 'unknown' && i > 5) throw new Error(`transaction ${hash} left the mempool without being included (refused at block production)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`transaction ${hash} not included within 60 s (is the node producing blocks?)`);
}

/** Waits until an accepted reading is in a block (polls energy.reading_status; 60 s); a refusal after acceptance is an error naming its reason. */
async function readingIncluded(client: ReturnType<typeof clientOf>, meterHash: string): Promise<ReadingStatus> {
  for (let i = 0; i < 600; i++) {
    const s = await client.call('energy.reading_status', { meter_hash: meterHash });
    if (s.status === 'included') return s;
    if (s.status === 'refused') throw new Error(`reading ${meterHash} was accepted but refused before inclusion: ${s.reason} (it aged out of the timestamp window while queued; sign a fresh reading)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`reading ${meterHash} not included within 60 s (is the node producing blocks?)`);
}

async function readJson(file: string, flag: string): Promise<unknown> {
  const text = await localInput(readFile(file, 'utf8'));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${file} is not JSON: ${(err as Error).message}`);
  }
}
function readingOf(json: unknown, flag: string): MeterReadingPayload {
  const r = MeterReadingPayload.safeParse(json);
  if (!r.success) throw new UsageError(`${flag}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function marketLines(m: EnergyMarketState): string[] {
  const lines = table([
    ['height', m.height],
    ['mode', `${m.governance.market_mode} (min stake ${m.governance.min_stake}, oracle timeout ${m.governance.oracle_timeout_blocks} blocks, slashing ${m.governance.slashing_rate_bps} bps, fee ${m.governance.treasury_fee_bps} bps)`],
    ['totals', `${m.totals.readings} readings, ${m.totals.settlements} settlements, ${m.totals.kwh_traded} kWh, fees ${m.totals.treasury_fee}, slashed ${m.totals.slashed}`],
  ]);
  lines.push(m.providers.length === 0 ? 'no providers' : 'provider            meter        capacity  avail  price  stake  readings  status');
  for (const p of m.providers)
    lines.push(`${p.provider_id.padEnd(19)} ${p.meter_address.padEnd(12)} ${String(p.capacity_kwh).padStart(8)} ${String(p.available_kwh).padStart(6)} ${String(p.price_per_kwh).padStart(6)} ${String(p.staked_balance).padStart(6)} ${String(p.readings).padStart(9)}  ${p.status}`);
  for (const c of m.credits) lines.push(`credit ${c.meter_hash} ${c.provider} ${c.amount_kwh} kWh (block ${c.timestamp})`);
  for (const d of m.disputes) lines.push(`dispute ${d.id} ${d.status}${d.outcome ? ` (${d.outcome})` : ''} ${d.provider_id} ${d.meter_hash.slice(0, 16)}… ${d.reason}`);
  return lines;
}

export function energyCommand(): Command {
  const e = new Command('energy').description('energy market: providers, signed meter readings, settlement, disputes, provider keys');

  mutating(e.command('register').description('register a provider (energy.register_provider; admin)').requiredOption('--capacity-kwh <n>').requiredOption('--price <n>', 'price per kWh (base units)').requiredOption('--meter <address>').requiredOption('--jurisdiction <code>', 'e.g. US_CA').option('--stake <n>', 'stake (base units)', '1000').option('--owner <tb1…>', 'payout account (default: the node key)')).action(
    async (o: Opts & { capacityKwh: string; price: string; meter: string; jurisdiction: string; stake: string; owner?: string }) => {
      const client = clientOf(o);
      const r = await client.call('energy.register_provider', { capacity_kwh: intFlag('--capacity-kwh', o.capacityKwh), price_per_kwh: intFlag('--price', o.price), stake: intFlag('--stake', o.stake), meter_address: o.meter, jurisdiction: o.jurisdiction, owner: o.owner });
      if (o.wait === false) return output(o.format, r, (x) => `registration submitted: tx ${x.tx_hash} (pending; expected id ${x.provider_id})`);
      const height = await included(client, r.tx_hash);
      const p = (await client.call('energy.market_state', {})).providers.find((x) => x.meter_address === o.meter)!;
      output(o.format, { ...r, status: 'included', height, provider: p }, (x) => `registered ${x.provider.provider_id} on meter ${o.meter} at block ${height} (stake ${x.provider.staked_balance}${x.provider.escrowed ? ', escrowed' : ', rehearsal: not escrowed'})`);
    },
  );
  mutating(e.command('update-provider').description('change capacity, price or jurisdiction (energy.update_provider; admin)').argument('<provider_id>').option('--capacity-kwh <n>').option('--price <n>').option('--jurisdiction <code>')).action(
    async (id: string, o: Opts & { capacityKwh?: string; price?: string; jurisdiction?: string }) => {
      const client = clientOf(o);
      const r = await client.call('energy.update_provider', { provider_id: id, capacity_kwh: o.capacityKwh === undefined ? undefined : intFlag('--capacity-kwh', o.capacityKwh), price_per_kwh: o.price === undefined ? undefined : intFlag('--price', o.price), jurisdiction: o.jurisdiction });
      if (o.wait !== false) await included(client, r.tx_hash);
      output(o.format, r, (x) => `update of ${id}: tx ${x.tx_hash}${o.wait !== false ? ' (included)' : ' (pending)'}`);
    },
  );
  common(e.command('market').description('market state (energy.market_state); --verbose prints the full JSON snapshot').option('--provider-id <id>').option('--verbose', 'the full snapshot as JSON (energy_snapshot.json)')).action(
    async (o: Opts & { providerId?: string; verbose?: boolean }) => {
      const m = await clientOf(o).call('energy.market_state', { provider_id: o.providerId });
      output(o.verbose ? 'json' : o.format, m, marketLines);
    },
  );
  mutating(e.command('submit-reading').description('submit a signed reading (energy.submit_reading; oracle)').option('--file <reading.json>').option('--reading-json <json>')).action(
    async (o: Opts & { file?: string; readingJson?: string }) => {
      if (!o.file === !o.readingJson) throw new UsageError('give exactly one of --file or --reading-json');
      let json: unknown;
      if (o.file) json = await readJson(o.file, '--file');
      else
        try {
          json = JSON.parse(o.readingJson!);
        } catch (err) {
          throw new UsageError(`--reading-json: not JSON: ${(err as Error).message}`);
        }
      const client = clientOf(o, 'oracle');
      const r = await client.call('energy.submit_reading', readingOf(json, o.file ? '--file' : '--reading-json'));
      if (o.wait === false) return output(o.format, r, (x) => `credit ${x.credit.amount_kwh} kWh to ${x.credit.provider}, meter_hash ${x.credit.meter_hash} (accepted, ${x.status}${x.tx_hash ? ` in tx ${x.tx_hash}` : ''}; follow: energy.reading_status)`);
      const s = await readingIncluded(client, r.meter_hash);
      output(o.format, { ...r, status: s.status, tx_hash: s.tx_hash ?? r.tx_hash, credit: { ...r.credit, timestamp: s.height ?? r.credit.timestamp } }, (x) => `credit ${x.credit.amount_kwh} kWh to ${x.credit.provider}, meter_hash ${x.credit.meter_hash} (accepted → pending → included in block ${x.credit.timestamp}${x.tx_hash ? `, tx ${x.tx_hash}` : ''})`);
    },
  );
  withCommon(e.command('verify-reading').description('verify a reading offline: signature over the reference digest (key from --public-key, else energy.provider_keys)').requiredOption('--file <reading.json>').option('--public-key <hex>').option('--keys <file>', 'key file (default: TB_ENERGY_PROVIDER_KEYS_FILE, else [energy] provider_keys of --config / config/node.toml)').option('--config <file>'), { rpc: false }).action(
    async (o: CommonOpts & { file: string; publicKey?: string; keys?: string; config?: string }) => {
      const p = readingOf(await readJson(o.file, '--file'), '--file');
      const r = { provider_id: p.provider_id, meter_address: p.meter_address, total_kwh: BigInt(p.kwh_reading), timestamp: p.timestamp, nonce: BigInt(p.nonce), signature: Uint8Array.from(Buffer.from(p.signature, 'hex')) };
      let key: string | undefined = o.publicKey;
      let source = '--public-key';
      if (key !== undefined && !/^[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('--public-key: must be 64 hex digits (32-byte Ed25519 key)');
      if (key === undefined) {
        const file = o.keys ?? process.env.TB_ENERGY_PROVIDER_KEYS_FILE;
        const raw = file ? await readJson(file, '--keys') : ((parseToml(await localInput(readFile(o.config ?? path.join(process.cwd(), 'config', 'node.toml'), 'utf8'))) as { energy?: unknown }).energy ?? { provider_keys: [] });
        const k = parseKeyEntries(raw).keys.get(p.provider_id);
        source = file ?? 'config [energy] provider_keys';
        key = k ? Buffer.from(k).toString('hex') : undefined;
      }
      const digest = Buffer.from(signingDigest(r)).toString('hex');
      const hash = meterHash(r);
      const verdict = key === undefined ? { valid: false, reason: 'provider_not_registered', message: `no key for ${p.provider_id} in ${source}` } : verifyReading(r, Uint8Array.from(Buffer.from(key, 'hex'))) ? { valid: true, reason: 'ok', message: `signature verifies with the key from ${source}` } : { valid: false, reason: 'invalid_signature', message: `signature does not verify with the key from ${source} (Ed25519 over BLAKE3 of provider_id ‖ meter ‖ total_kwh LE ‖ timestamp LE ‖ nonce LE)` };
      output(o.format, { ...verdict, digest, meter_hash: hash, public_key: key ?? null }, (x) => [`${x.valid ? 'VALID' : 'INVALID'}: ${x.reason} — ${x.message}`, `digest ${digest}`, `meter_hash ${hash}`]);
      if (!verdict.valid) throw new SilentFailure();
    },
  );
  mutating(e.command('settle').description('settle kWh of a credit (energy.settle; admin)').requiredOption('--provider <id>').requiredOption('--kwh <n>').requiredOption('--meter-hash <hex>')).action(
    async (o: Opts & { provider: string; kwh: string; meterHash: string }) => {
      const client = clientOf(o);
      const r = await client.call('energy.settle', { provider_id: o.provider, kwh_consumed: intFlag('--kwh', o.kwh), meter_hash: o.meterHash });
      if (o.wait === false) return output(o.format, r, (x) => `settlement submitted: tx ${x.tx_hash} (pending)`);
      await included(client, r.tx_hash);
      const receipt = (await client.call('energy.receipts', { provider_id: o.provider, page: 0, page_size: 1 })).receipts[0];
      output(o.format, { ...r, status: 'included', receipt }, (x) => `receipt: ${x.receipt.kwh_delivered} kWh of ${o.provider}, paid ${x.receipt.price_paid}, treasury fee ${x.receipt.treasury_fee} at block ${x.receipt.block_settled}${x.receipt.trade ? '' : ' (rehearsal: no value moved)'}`);
    },
  );
  for (const [name, key] of [['receipts', 'receipts'], ['credits', 'credits'], ['slashes', 'slashes']] as const)
    common(e.command(name).description(`${name}, newest first (energy.${name})`).option('--provider-id <id>').option('--page <n>', '', '0').option('--page-size <n>', '1-250', '25')).action(async (o: Opts & { providerId?: string; page: string; pageSize: string }) => {
      const r = (await clientOf(o).call(`energy.${name}` as 'energy.receipts', { provider_id: o.providerId, page: intFlag('--page', o.page), page_size: intFlag('--page-size', o.pageSize) })) as unknown as Record<string, unknown[]> & { total: number };
      output(o.format, r, (x) => [`${x.total} ${key}`, ...x[key].map((i) => JSON.stringify(i))]);
    });
  common(e.command('disputes').description('disputes (energy.disputes)').option('--provider-id <id>').addOption(new Option('--status <s>').choices(['open', 'resolved'])).option('--meter-hash <hex>').option('--page <n>', '', '0').option('--page-size <n>', '1-250', '25')).action(
    async (o: Opts & { providerId?: string; status?: 'open'; meterHash?: string; page: string; pageSize: string }) => {
      const r = await clientOf(o).call('energy.disputes', { provider_id: o.providerId, status: o.status, meter_hash: o.meterHash, page: intFlag('--page', o.page), page_size: intFlag('--page-size', o.pageSize) });
      output(o.format, r, (x) => [`${x.total} dispute(s)`, ...x.disputes.map((d) => `${d.id} ${d.status}${d.outcome ? ` (${d.outcome}, slash ${d.slash_applied})` : ''} ${d.provider_id} ${d.meter_hash} — ${d.reason}`)]);
    },
  );
  mutating(e.command('flag-dispute').description('open a dispute on a meter_hash (energy.flag_dispute; admin)').requiredOption('--meter-hash <hex>').requiredOption('--reason <text>').option('--reporter <name>', '', '')).action(
    async (o: Opts & { meterHash: string; reason: string; reporter: string }) => {
      const client = clientOf(o);
      const r = await client.call('energy.flag_dispute', { meter_hash: o.meterHash, reason: o.reason, reporter: o.reporter });
      if (o.wait !== false) await included(client, r.tx_hash);
      output(o.format, r, (x) => `dispute flagged: tx ${x.tx_hash}`);
    },
  );
  mutating(e.command('resolve-dispute').description('vote on a dispute as this validator (energy.resolve_dispute; admin)').requiredOption('--dispute-id <n>').addOption(new Option('--outcome <o>').choices(['uphold', 'dismiss']).makeOptionMandatory()).option('--resolution-note <text>', '', '')).action(
    async (o: Opts & { disputeId: string; outcome: 'uphold' | 'dismiss'; resolutionNote: string }) => {
      const client = clientOf(o);
      const r = await client.call('energy.resolve_dispute', { dispute_id: intFlag('--dispute-id', o.disputeId), outcome: o.outcome, resolution_note: o.resolutionNote });
      if (o.wait !== false) await included(client, r.tx_hash);
      output(o.format, r, (x) => `vote ${o.outcome} on dispute ${o.disputeId}: tx ${x.tx_hash}`);
    },
  );
  const keyLines = (k: { source: string; generation: number; keys: { provider_id: string; public_key_hex: string }[]; errors: string[] }) => [`source ${k.source} (generation ${k.generation})`, ...k.keys.map((x) => `${x.provider_id}  ${x.public_key_hex}`), ...k.errors.map((x) => `error: ${x}`)];
  common(e.command('keys').description('the verifier registry (energy.provider_keys)')).action(async (o: Opts) => output(o.format, await clientOf(o).call('energy.provider_keys', {}), keyLines));
  common(e.command('reload-keys').description('re-read the key file and hot-swap the registry (energy.reload_keys; admin)')).action(async (o: Opts) => output(o.format, await clientOf(o).call('energy.reload_keys', {}), keyLines));
  common(e.command('set-key').description('add or rotate a provider key (energy.set_provider_key; admin)').requiredOption('--provider <id>').requiredOption('--public-key <hex>')).action(async (o: Opts & { provider: string; publicKey: string }) =>
    output(o.format, await clientOf(o).call('energy.set_provider_key', { provider_id: o.provider, public_key_hex: o.publicKey }), keyLines),
  );
  common(e.command('revoke-key').description('revoke a provider key (energy.revoke_provider_key; admin)').requiredOption('--provider <id>')).action(async (o: Opts & { provider: string }) =>
    output(o.format, await clientOf(o).call('energy.revoke_provider_key', { provider_id: o.provider }), keyLines),
  );
  return e;
}
