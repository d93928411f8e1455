/**
 * `contract-cli tx transfer --from <wallet> --to <tb1…> --amount N [--fee N] [--nonce N] [--wait]`:
 * signs locally with the keystore key (chain/tx.ts `signTransfer`: chain id from `node.status`,
 * nonce from `account.get` pending_nonce, fee from `mempool.stats` fee_floor unless given) and
 * submits the canonical bytes with `tx.submit`. Prints the tx hash; `--wait` then polls
 * `tx.status` until the transaction is in a block (or `--timeout` seconds pass → exit 1).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { zAddress } from '../../shared/api/numbers.js';
import {
  clientFor,
  localInput,
  output,
  secondsFlag,
  table,
  u64Flag,
  UsageError,
  withCommon,
  type CommonOpts,
} from '../common.js';
import { openKeystore, withLocal, type LocalOpts } from './wallet.js';

interface TransferOpts extends CommonOpts, LocalOpts {
  from: string;
  to: string;
  amount: string;
  fee?: string;
  nonce?: string;
  wait?: boolean;
  timeout: string;
}

const POLL_MS = 250;

export function txCommand(): Command {
  const tx = new Command('tx').description('transactions');
  withLocal(
    withCommon(
      tx
        .command('transfer')
        .description('sign a transfer with a local wallet key and submit it (tx.submit)')
        .requiredOption('--from <wallet>', 'local wallet name ("faucet" on dev)')
        .requiredOption('--to <address>', 'recipient address (tb1 + 40 hex)')
        .requiredOption('--amount <n>', 'amount in base units of BLOCK (integer)')
        .option('--fee <n>', 'fee in base units (default: the mempool fee floor)')
        .option('--nonce <n>', 'sender nonce (default: the account’s pending nonce)')
        .option('--wait', 'wait until the transaction is in a block')
        .option('--timeout <secs>', 'with --wait: give up after this many seconds', '30'),
    ),
  ).action(async (opts: TransferOpts) => {
    if (!zAddress.safeParse(opts.to).success)
      throw new UsageError(`--to: "${opts.to}" must be an address like tb1 followed by 40 hex digits`);
    const amount = u64Flag('--amount', opts.amount);
    const feeFlag = opts.fee !== undefined ? u64Flag('--fee', opts.fee) : undefined;
    const nonceFlag = opts.nonce !== undefined ? u64Flag('--nonce', opts.nonce) : undefined;
    const timeoutS = secondsFlag('--timeout', opts.timeout);
    const { keystore } = await openKeystore(opts);
    const key = await localInput(keystore.get(opts.from));
    const { client } = clientFor(opts);
    const status = await client.call('node.status');
    const nonce = nonceFlag ?? BigInt((await client.call('account.get', [key.address])).pending_nonce);
    const fee = feeFlag ?? BigInt((await client.call('mempool.stats')).fee_floor);
    const { signTransfer } = await import('../../node-core/chain/tx.js');
    const signed = signTransfer({
      chainId: status.chain_id,
      publicKey: key.publicKey,
      secretKey: key.secretKey,
      to: opts.to,
      amount,
      fee,
      nonce,
    });
    const res = await client.call('tx.submit', [Buffer.from(signed.bytes).toString('hex')]);
    const result: Record<string, unknown> = {
      hash: res.hash,
      status: res.status,
      from: key.address,
      to: opts.to,
      amount: amount.toString(),
      fee: fee.toString(),
      nonce: nonce.toString(),
    };
    if (opts.wait) {
      if (opts.format === 'human') process.stderr.write(`submitted ${res.hash}; waiting for a block…\n`);
      const deadline = performance.now() + timeoutS * 1000;
      for (;;) {
        const st = await client.call('tx.status', [res.hash]);
        if (st.status === 'included') {
          Object.assign(result, { status: 'included', height: st.height, block_hash: st.block_hash });
          break;
        }
        if (st.status === 'unknown')
          throw new Error(
            `transaction ${res.hash} is no longer known to the node (dropped from the mempool?)`,
          );
        if (performance.now() > deadline)
          throw new Error(`transaction ${res.hash} was not included within ${timeoutS} s (still pending)`);
        await sleep(POLL_MS);
      }
    }
    output(opts.format, result, (r) =>
      r.status === 'included'
        ? table([
            ['tx', r.hash],
            ['status', `included at height ${r.height}`],
            ['block', r.block_hash],
            ['fee', r.fee],
            ['nonce', r.nonce],
          ])
        : String(r.hash),
    );
  });
  return tx;
}
