/**
 * The CLI's command list — the one place a command group is switched on. `contract-cli`
 * (src/cli/contract-cli.ts) registers every group in this order; `npm start` in console server
 * mode (bin/start.mjs) loads only `console`, so a console start does not load the other groups.
 *
 * Each group is loaded on demand (`import()`), and a group whose module fails to load becomes a
 * stub that explains the failure when run — one broken group never takes the others down.
 * Adding a group: its `xxxCommand(): Command` in `src/cli/commands/<group>.ts`, then one line below.
 */
import type { Command } from 'commander';

export interface CommandGroup {
  /** The top-level command word (`contract-cli <name> …`). */
  name: string;
  /** Builds the group's commander command (loads its module). */
  load(): Promise<Command>;
}

export const COMMAND_GROUPS = [
  { name: 'node', load: async () => (await import('./node.js')).nodeCommand() },
  { name: 'wallet', load: async () => (await import('./wallet.js')).walletCommand() },
  { name: 'tx', load: async () => (await import('./tx.js')).txCommand() },
  { name: 'account', load: async () => (await import('./account.js')).accountCommand() },
  { name: 'chain', load: async () => (await import('./chain.js')).chainCommand() },
  { name: 'testnet', load: async () => (await import('./testnet.js')).testnetCommand() },
  { name: 'mesh', load: async () => (await import('./mesh.js')).meshCommand() },
  { name: 'diagnostics', load: async () => (await import('./mesh.js')).diagnosticsCommand() },
  { name: 'governor', load: async () => (await import('./governor.js')).governorCommand() },
  { name: 'gov', load: async () => (await import('./gov.js')).govCommand() },
  { name: 'ad-market', load: async () => (await import('./ad-market.js')).adMarketCommand() },
  { name: 'energy', load: async () => (await import('./energy.js')).energyCommand() },
  { name: 'gateway', load: async () => (await import('./gateway.js')).gatewayCommand() },
  { name: 'net', load: async () => (await import('./gateway.js')).netCommand() },
  { name: 'snapshots', load: async () => (await import('./snapshots.js')).snapshotsCommand() },
  { name: 'console', load: async () => (await import('../console.js')).consoleCommand() },
] as const satisfies readonly CommandGroup[];

export type CommandGroupName = (typeof COMMAND_GROUPS)[number]['name'];

/**
 * Loads one group's command.
 * @throws Error naming the group when its module fails to load or its name is not listed.
 */
export async function loadCommandGroup(name: CommandGroupName): Promise<Command> {
  const g = COMMAND_GROUPS.find((c) => c.name === name);
  if (!g) throw new Error(`no command group "${name}" (src/cli/commands/index.ts)`);
  return g.load();
}

/**
 * Every group's command, in list order. A group that fails to load is replaced by a command of
 * the same name that fails with the load error (exit 1) when run, and says so in `--help`.
 */
export async function loadCommandGroups(make: (name: string) => Command, groups: readonly CommandGroup[] = COMMAND_GROUPS): Promise<Command[]> {
  return Promise.all(
    groups.map(async (g) => {
      try {
        const cmd = await g.load();
        if (cmd.name() !== g.name) throw new Error(`the module listed as "${g.name}" built a command named "${cmd.name()}"`);
        return cmd;
      } catch (err) {
        const message = (err as Error).message.split('\n')[0];
        return make(g.name)
          .description(`(unavailable: the ${g.name} commands failed to load)`)
          .allowUnknownOption()
          .allowExcessArguments()
          .action(() => {
            throw new Error(`the ${g.name} commands failed to load: ${message}`);
          });
      }
    }),
  );
}
