/**
 * `contract-cli wallet new|show|list`: the local keystore (`<data dir>/keys/wallets/`, 0600),
 * usable without a running node. The data dir and network come from the same settings as the
 * node (`--data-dir`/`TB_DATA_DIR`, `--network`/`TB_NETWORK`, `--config`, `.env`). Balances are
 * added when a node answers at `--rpc` (best effort, 2 s).
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import type { Client } from '../../shared/api/client.js';
import { loadConfig } from '../../node-core/node-config.js';
import { clientFor, localInput, output, table, UsageError, withCommon, type CommonOpts } from '../common.js';

export interface LocalOpts {
  dataDir?: string;
  network?: string;
  config?: string;
}

/** Adds `--data-dir`, `--network`, `--config` (where the local keystore / chain DB is). */
export function withLocal(cmd: Command): Command {
  cmd.addOption(
    new Option('--data-dir <dir>', 'data directory root (env TB_DATA_DIR; default ~/.the_block/<network>)'),
  );
  cmd.addOption(new Option('--network <name>', 'network (env TB_NETWORK; default dev)'));
  cmd.addOption(new Option('--config <file>', 'node TOML config to read data_dir/network from'));
  return cmd;
}

/** Data dir root and network as the node would resolve them. */
export function localRoot(opts: LocalOpts): { root: string; network: string } {
  const { config } = loadConfig({
    configFile: opts.config,
    flags: { data_dir: opts.dataDir, network: opts.network },
  });
  return { root: config.data_dir, network: config.network };
}

export async function openKeystore(opts: LocalOpts) {
  const { root, network } = localRoot(opts);
  const { Keystore } = await import('../../node-core/wallet/keystore.js');
  return { keystore: new Keystore(root, network), root, network };
}

async function balanceOf(client: Client | undefined, address: string): Promise<string | undefined> {
  if (!client) return undefined;
  try {
    return (await client.call('account.get', [address])).balance;
  } catch {
    return undefined;
  }
}

function tryClient(opts: CommonOpts): Client | undefined {
  try {
    return clientFor(opts, 2000).client;
  } catch {
    return undefined;
  }
}

export function walletCommand(): Command {
  const wallet = new Command('wallet').description('local wallet keys (work without a running node)');

  withLocal(
    withCommon(
      wallet
        .command('new')
        .description('create a wallet key')
        .option('--name <name>', 'wallet name (a-z, 0-9, _ and -, up to 32)')
        .argument('[name]', 'wallet name (same as --name)'),
      { rpc: false },
    ),
  ).action(async (arg: string | undefined, opts: CommonOpts & LocalOpts & { name?: string }) => {
    const name = opts.name ?? arg;
    if (!name) throw new UsageError('wallet new: give a name with --name <name>');
    const { keystore, root } = await openKeystore(opts);
    const w = await localInput(keystore.create(name));
    const file = path.join(root, 'keys', 'wallets', `${name}.json`);
    output(opts.format, { ...w, key_file: file }, (r) => [
      `created wallet ${r.name}`,
      ...table([
        ['address', r.address],
        ['key file', `${r.key_file} (mode 0600)`],
      ]),
    ]);
  });

  withLocal(
    withCommon(
      wallet
        .command('show')
        .description('address and public key of a wallet (and its balance when a node answers)')
        .option('--name <name>', 'wallet name')
        .argument('[name]', 'wallet name (same as --name)'),
    ),
  ).action(async (arg: string | undefined, opts: CommonOpts & LocalOpts & { name?: string }) => {
    const name = opts.name ?? arg;
    if (!name) throw new UsageError('wallet show: give a name with --name <name>');
    const { keystore } = await openKeystore(opts);
    const k = await localInput(keystore.get(name));
    const balance = await balanceOf(tryClient(opts), k.address);
    const r = {
      name,
      address: k.address,
      public_key: Buffer.from(k.publicKey).toString('hex'),
      ...(balance !== undefined ? { balance } : {}),
    };
    output(opts.format, r, (x) =>
      table([
        ['name', x.name],
        ['address', x.address],
        ['public key', x.public_key],
        ['balance', x.balance ?? '(node not reachable)'],
      ]),
    );
  });

  withLocal(withCommon(wallet.command('list').description('all local wallets (faucet first on dev); damaged key files are listed apart'))).action(
    async (opts: CommonOpts & LocalOpts) => {
      const { keystore } = await openKeystore(opts);
      const client = tryClient(opts);
      const { wallets, unreadable } = await keystore.list();
      const rows = [];
      for (const w of wallets) {
        const balance = await balanceOf(client, w.address);
        rows.push(balance !== undefined ? { ...w, balance } : w);
      }
      // JSON: {wallets, unreadable} as wallet.list answers. A damaged file is reported, not fatal
      // (exit 0): the readable wallets are what the operator asked for.
      output(opts.format, { wallets: rows, unreadable }, (r) => [
        ...(r.wallets.length === 0 && r.unreadable.length === 0
          ? ['no wallets (create one with: contract-cli wallet new --name <name>)']
          : table(r.wallets.map((w) => [w.name, 'balance' in w ? `${w.address}  ${w.balance}` : w.address]))),
        ...r.unreadable.map((u) => `unreadable: ${u.name}  ${u.path}: ${u.reason} (restore it from a backup or move it aside)`),
      ]);
    },
  );
  withLocal(
    withCommon(
      wallet
        .command('history')
        .description('transfers in and out of a wallet (by name) or an address, newest first (node method wallet.history)')
        .argument('<wallet-or-address>', 'a local wallet name, or an address tb1…')
        .option('--limit <n>', 'at most this many entries (1-500)', '20')
        .option('--max-blocks <n>', 'scan at most this many recent blocks (1-100000)', '10000'),
    ),
  ).action(async (who: string, opts: CommonOpts & LocalOpts & { limit: string; maxBlocks: string }) => {
    const address = /^tb1[0-9a-f]{40}$/.test(who) ? who : (await localInput((await openKeystore(opts)).keystore.get(who))).address;
    const { client } = clientFor(opts);
    const limit = Number(opts.limit);
    const maxBlocks = Number(opts.maxBlocks);
    if (!Number.isInteger(limit) || !Number.isInteger(maxBlocks)) throw new UsageError('--limit and --max-blocks are whole numbers');
    const r = await client.call('wallet.history', { address, limit, max_blocks: maxBlocks });
    output(opts.format, r, (x) => [
      `${x.address}: ${x.entries.length} transfer${x.entries.length === 1 ? '' : 's'} in blocks ${x.scanned_from}..${x.scanned_to}${x.truncated ? ' (more before: raise --limit)' : ''}`,
      ...x.entries.map((e) => `#${e.height}  ${e.direction === 'in' ? 'in ' : 'out'}  ${e.direction === 'in' ? '+' : '-'}${e.amount}  ${e.direction === 'in' ? 'from' : 'to'} ${e.counterparty}  fee ${e.fee}  ${e.hash}`),
    ]);
  });
  return wallet;
}
