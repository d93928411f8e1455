/**
 * `contract-cli`: operator CLI of The Block (commander). Commands: node start|status,
 * wallet new|show|list, tx transfer, account show, chain tip|block|replay, snapshots
 * create|list|verify|restore, and `console` when
 * the console module is present. Human output by default, `--format json` on every command;
 * the node is found through `--rpc` / `TB_RPC_URL` (default http://127.0.0.1:8545) and
 * `TB_RPC_AUTH_TOKEN` is sent as a Bearer token. Exit codes: see common.ts.
 */
import '../node-core/polyfills.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { NODE_VERSION } from '../node-core/version.js';
import { accountCommand } from './commands/account.js';
import { chainCommand } from './commands/chain.js';
import { governorCommand } from './commands/governor.js';
import { nodeCommand } from './commands/node.js';
import { snapshotsCommand } from './commands/snapshots.js';
import { txCommand } from './commands/tx.js';
import { walletCommand } from './commands/wallet.js';
import { runProgram } from './common.js';
import { testnetCommand } from './commands/testnet.js';
import { diagnosticsCommand, meshCommand } from './commands/mesh.js';

/** Builds the program (exported for tests and for `console.ts` to extend). */
export async function buildContractCli(): Promise<Command> {
  const program = new Command('contract-cli')
    .description(
      'Operate a node of The Block: run it, inspect the chain, manage local wallets, send transfers.',
    )
    .version(NODE_VERSION)
    .addCommand(nodeCommand())
    .addCommand(walletCommand())
    .addCommand(txCommand())
    .addCommand(accountCommand())
    .addCommand(chainCommand())
    .addCommand(testnetCommand())
    .addCommand(meshCommand())
    .addCommand(diagnosticsCommand())
    .addCommand(governorCommand())
    .addCommand(snapshotsCommand());
  // `console` belongs to the console module; registered when it exists.
  const consoleFile = fileURLToPath(new URL('./console.ts', import.meta.url));
  if (existsSync(consoleFile)) {
    try {
      const mod = (await import(new URL('./console.ts', import.meta.url).href)) as {
        consoleCommand?: () => Command;
        default?: () => Command;
      };
      const make = mod.consoleCommand ?? mod.default;
      if (typeof make === 'function') program.addCommand(make());
    } catch (err) {
      // A broken console module must not take the node/wallet/chain commands down with it.
      const message = (err as Error).message.split('\n')[0];
      program
        .command('console')
        .description('(unavailable: the console module failed to load)')
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          throw new Error(`the console module failed to load: ${message}`);
        });
    }
  }
  return program;
}

/** Entry used by bin/contract-cli.mjs. */
export async function main(argv: string[] = process.argv): Promise<void> {
  await runProgram(await buildContractCli(), argv);
}
