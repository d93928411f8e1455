/** `contract-cli node start|status|unlock`. */
import { Command } from 'commander';
import { addNodeFlags, flagsToLoadOptions } from '../../node-core/node-config.js';
import { clientFor, output, table, withCommon, type CommonOpts } from '../common.js';
import { addUnlockCommand } from './node-unlock.js';
import { npmLaunchers, watchLaunchers } from '../launcher-watch.js';

export function nodeCommand(): Command {
  const node = new Command('node').description('run and inspect the node');

  addNodeFlags(
    node
      .command('start')
      .description('run the node in the foreground (headless); Ctrl-C / SIGTERM stop it cleanly (under npm/npx it also stops when npm is gone)')
      .allowExcessArguments(false),
  ).action(async (opts: Record<string, unknown>) => {
    // Loaded lazily: the node (chain DB, crypto, servers) is heavy and only this command needs it.
    const { runNode, processIpcPort } = await import('../../node-core/main.js');
    // Under npm (npx contract-cli node start): stop when npm is gone, never linger as an orphan.
    const stopWatch = watchLaunchers(npmLaunchers(), (l) => {
      process.stderr.write(`the launcher ${l.command.split(' ')[0] || 'process'} (pid ${l.pid}) has exited: stopping the node\n`);
      process.kill(process.pid, 'SIGTERM');
    });
    const code = await runNode(flagsToLoadOptions(opts), { ipc: processIpcPort() });
    stopWatch();
    process.exit(code);
  });

  withCommon(
    node
      .command('status')
      .description('phase, version, network, chain id, data dir, uptime and height of a running node'),
  ).action(async (opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const s = await client.call('node.status');
    output(opts.format, s, (r) =>
      table([
        ['phase', r.phase_reason ? `${r.phase} (${r.phase_reason})` : r.phase],
        ['version', r.version],
        ['network', r.network],
        ['chain id', r.chain_id],
        ['node address', r.node_address],
        ['data dir', r.data_dir],
        ['pid', r.pid],
        ['uptime', `${Math.round(r.uptime_ms / 1000)} s`],
        ['height', r.height],
        ['finalized', r.finalized_height],
        ['peers', r.peers],
      ]),
    );
  });
  addUnlockCommand(node);
  return node;
}
