/**
 * `contract-cli`: operator CLI of The Block (commander). The command groups (node, wallet, tx,
 * account, chain, testnet, mesh, diagnostics, governor, snapshots, console) come from the one
 * list in commands/index.ts. Human output by default, `--format json` on every command;
 * the node is found through `--rpc` / `TB_RPC_URL` (default http://127.0.0.1:8545) and
 * `TB_RPC_AUTH_TOKEN` is sent as a Bearer token. Exit codes: see common.ts.
 */
import '../node-core/polyfills.js';
import { Command } from 'commander';
import { NODE_VERSION } from '../node-core/version.js';
import { loadCommandGroups } from './commands/index.js';
import { runProgram } from './common.js';

/** Builds the program from the command list (exported for tests). */
export async function buildContractCli(): Promise<Command> {
  const program = new Command('contract-cli')
    .description(
      'Operate a node of The Block: run it, inspect the chain, manage local wallets, send transfers.',
    )
    .version(NODE_VERSION);
  for (const cmd of await loadCommandGroups((name) => new Command(name))) program.addCommand(cmd);
  return program;
}

/** Entry used by bin/contract-cli.mjs. */
export async function main(argv: string[] = process.argv): Promise<void> {
  await runProgram(await buildContractCli(), argv);
}
