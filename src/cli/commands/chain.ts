/**
 * `contract-cli chain tip | block <height|hash> | replay --from-genesis | repair`.
 * `tip` and `block` ask the node (`chain.tip`, `chain.block`); `replay` and `repair` work on the
 * local chain DB of a stopped node: `replay` (`chain/replay.ts`) rebuilds the state from genesis
 * in a temp dir, compares the state root at every height, and exits 1 at the first mismatch;
 * `repair` runs LevelDB repair (`ChainDb.repair`, the first way out named by a corrupt-DB error)
 * and then the same replay to verify the result.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { BlockView, Tip } from '../../shared/api/index.js';
import { clientFor, intFlag, output, table, UsageError, withCommon, type CommonOpts } from '../common.js';
import { localRoot, withLocal, type LocalOpts } from './wallet.js';

/** Pid of a live node holding `<root>/node.lock`, if any. */
async function liveLockHolder(root: string): Promise<number | undefined> {
  let info: { pid?: number };
  try {
    info = JSON.parse(await readFile(path.join(root, 'node.lock'), 'utf8')) as { pid?: number };
  } catch {
    return undefined;
  }
  const { staleReason } = await import('../../node-core/storage/datadir.js');
  return staleReason(info) === null ? info.pid : undefined;
}

function tipLines(t: Tip): string[] {
  return table([
    ['height', t.height],
    ['hash', t.hash],
    ['state root', t.state_root],
    ['time', `${new Date(t.timestamp_ms).toISOString()} (${t.timestamp_ms} ms)`],
    ['epoch', t.epoch],
    ['finalized', t.finalized_height],
  ]);
}

function blockLines(b: BlockView): string[] {
  const lines = table([
    ['height', b.height],
    ['hash', b.hash],
    ['parent', b.parent_hash],
    ['time', `${new Date(b.timestamp_ms).toISOString()} (${b.timestamp_ms} ms)`],
    ['proposer', b.proposer],
    ['tx root', b.tx_root],
    ['state root', b.state_root],
    ['epoch', b.epoch],
    ['transactions', b.tx_count],
  ]);
  for (const t of b.transactions)
    lines.push(
      t.call
        ? `  ${t.hash}  ${t.from}  ${t.call.summary}  fee ${t.fee}  nonce ${t.nonce}`
        : `  ${t.hash}  ${t.from} → ${t.to}  amount ${t.amount}  fee ${t.fee}  nonce ${t.nonce}`,
    );
  return lines;
}

/** `<root>/chain` of a data dir that no live node holds (replay/repair open the DB directly). */
async function stoppedChainDir(opts: LocalOpts, what: string): Promise<string> {
  const { root } = localRoot(opts);
  const holder = await liveLockHolder(root);
  if (holder !== undefined)
    throw new Error(
      `data directory ${root} is in use by pid ${holder}: stop that node first (${what} opens the chain DB directly)`,
    );
  return path.join(root, 'chain');
}

type ReplayOut = Awaited<ReturnType<typeof import('../../node-core/node-modules.js').replayChain>>;

/** From-genesis replay with a progress line on an interactive stderr. */
async function replay(chainDir: string, opts: CommonOpts & { tmpDir?: string }): Promise<ReplayOut> {
  const { replayChain } = await import('../../node-core/node-modules.js');
  let lastPrint = 0;
  const r = await replayChain(chainDir, {
    tmpDir: opts.tmpDir,
    onProgress: (height, total) => {
      const now = performance.now();
      if (opts.format === 'human' && process.stderr.isTTY && now - lastPrint > 500) {
        lastPrint = now;
        process.stderr.write(`\rreplaying block ${height}/${total}…`);
      }
    },
  });
  if (opts.format === 'human' && process.stderr.isTTY && lastPrint > 0) process.stderr.write('\n');
  return r;
}

function replayLines(x: ReplayOut & { chain_dir: string }): string[] {
  return x.ok
    ? table([
        ['result', `ok: the state root matches at every height 0..${x.height}`],
        ['height', x.height],
        ['state root', x.stateRoot],
        ['chain dir', x.chain_dir],
      ])
    : table([
        ['result', `MISMATCH at height ${x.firstMismatch?.height}`],
        ['stored', x.firstMismatch?.expected],
        ['replayed', x.firstMismatch?.actual],
        ['error', x.error],
        ['chain dir', x.chain_dir],
      ]);
}

export function chainCommand(): Command {
  const chain = new Command('chain').description('blocks and chain state');

  withCommon(chain.command('tip').description('head of the chain (chain.tip)')).action(
    async (opts: CommonOpts) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call('chain.tip'), tipLines);
    },
  );

  withCommon(
    chain
      .command('block')
      .description('a block by height or hash (chain.block)')
      .argument('<height|hash>', 'block height (integer) or hash (64 hex)'),
  ).action(async (which: string, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const params = /^[0-9a-f]{64}$/.test(which)
      ? { hash: which }
      : { height: intFlag('<height|hash>', which) };
    output(opts.format, await client.call('chain.block', params), blockLines);
  });

  withLocal(
    withCommon(
      chain
        .command('replay')
        .description(
          'rebuild the state from genesis out of the stored blocks (in a temp dir) and compare the state root at every height',
        )
        .addOption(new Option('--from-genesis', 'replay from block 0 (the only mode in v1)'))
        .option('--tmp-dir <dir>', 'where to build the scratch state (default: the OS temp dir)'),
      { rpc: false },
    ),
  ).action(async (opts: CommonOpts & LocalOpts & { fromGenesis?: boolean; tmpDir?: string }) => {
    if (!opts.fromGenesis) throw new UsageError('chain replay: only --from-genesis is supported');
    const chainDir = await stoppedChainDir(opts, 'replay');
    const r = await replay(chainDir, opts);
    output(opts.format, { chain_dir: chainDir, ...r }, replayLines);
    if (!r.ok) process.exitCode = 1;
  });

  withLocal(
    withCommon(
      chain
        .command('repair')
        .description(
          'run LevelDB repair on the chain DB of a stopped node, then verify it with a from-genesis replay (exit 1 if it does not match)',
        )
        .option('--tmp-dir <dir>', 'where the verifying replay builds its scratch state'),
      { rpc: false },
    ),
  ).action(async (opts: CommonOpts & LocalOpts & { tmpDir?: string }) => {
    const chainDir = await stoppedChainDir(opts, 'repair');
    const { ChainDb } = await import('../../node-core/storage/chaindb.js');
    await ChainDb.repair(chainDir);
    if (opts.format === 'human')
      process.stderr.write(`repaired ${chainDir}; verifying with a from-genesis replay…\n`);
    const r = await replay(chainDir, opts);
    output(opts.format, { chain_dir: chainDir, repaired: true, ...r }, replayLines);
    if (!r.ok) process.exitCode = 1;
  });
  return chain;
}
