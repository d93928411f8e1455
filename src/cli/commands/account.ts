/** `contract-cli account show <address>`: balance (base units of BLOCK) and nonces (`account.get`). */
import { Command } from 'commander';
import { zAddress } from '../../shared/api/numbers.js';
import { clientFor, output, table, UsageError, withCommon, type CommonOpts } from '../common.js';

export function accountCommand(): Command {
  const account = new Command('account').description('accounts');
  withCommon(
    account
      .command('show')
      .description('balance and nonces of an address')
      .argument('<address>', 'tb1 + 40 hex'),
  ).action(async (address: string, opts: CommonOpts) => {
    if (!zAddress.safeParse(address).success)
      throw new UsageError(`address "${address}" must be tb1 followed by 40 hex digits`);
    const { client } = clientFor(opts);
    const a = await client.call('account.get', [address]);
    output(opts.format, a, (r) =>
      table([
        ['address', r.address],
        ['balance', r.balance],
        ['nonce', r.nonce],
        ['pending nonce', r.pending_nonce],
      ]),
    );
  });
  return account;
}
