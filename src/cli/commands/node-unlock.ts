/**
 * `contract-cli node unlock`: take over a data-directory lock that no live node of this host holds
 * — one written on another host (a re-created container, a renamed machine, a disk moved here),
 * which this host cannot check, or a stale one. It shows the holder (host, pid, start time) and
 * asks the operator to type that host name to confirm (`--yes` skips the question, for scripts).
 * A lock of a live node of this host is never removed (exit 1, the node's pid named).
 * Exit codes: 0 removed (or no lock); 1 refused (live holder, lock changed); 2 not confirmed.
 */
import os from 'node:os';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Command } from 'commander';
import { output, table, UsageError, withCommon, type CommonOpts } from '../common.js';
import { localRoot, withLocal, type LocalOpts } from './wallet.js';

/** Reads one line of stdin (TTY or pipe); '' when stdin ends first. */
function ask(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
    let answered = false;
    rl.question(question, (a) => {
      answered = true;
      rl.close();
      resolve(a.trim());
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

export function addUnlockCommand(node: Command): void {
  withLocal(
    withCommon(
      node
        .command('unlock')
        .description('take over the data-directory lock of a node that no longer runs (e.g. one left by another host), after a confirmation')
        .option('--yes', 'do not ask: the operator has checked that no node uses this data directory'),
      { rpc: false },
    ),
  ).action(async (opts: CommonOpts & LocalOpts & { yes?: boolean }) => {
    const { root } = localRoot(opts);
    const { readLock, staleReason, unlockDataDir, LOCK_FILE } = await import('../../node-core/storage/lock.js');
    const holder = await readLock(path.join(root, LOCK_FILE));
    if (holder.pid === undefined && holder.hostname === undefined) {
      // No lock, or an unreadable one (which unlockDataDir judges stale and removes without asking).
      const r = await unlockDataDir(root);
      return output(opts.format, r, (x) => (x.removed ? `removed the unreadable lock ${x.lock_file}` : `no lock in ${root}: nothing to do`));
    }
    const elsewhere = holder.hostname !== undefined && holder.hostname !== os.hostname();
    const started = typeof holder.started_at_ms === 'number' ? new Date(holder.started_at_ms).toISOString() : 'unknown';
    if (!elsewhere && staleReason(holder) === null)
      // unlockDataDir refuses too; say it before asking anything.
      await unlockDataDir(root);
    if (!opts.yes) {
      process.stderr.write(
        [
          `The data directory ${root} is locked by:`,
          ...table([
            ['host', holder.hostname ?? 'unknown'],
            ['pid', holder.pid ?? 'unknown'],
            ['started', started],
          ]).map((l) => '  ' + l),
          elsewhere
            ? `This host ("${os.hostname()}") cannot check whether that node still runs. Taking the lock over while it runs would let two nodes write the same chain.`
            : `That process is gone (${staleReason(holder)}).`,
          '',
        ].join('\n'),
      );
      const want = holder.hostname ?? 'yes';
      const a = await ask(`Type the host name "${want}" to take the lock over: `);
      if (a !== want) throw new UsageError(`not confirmed (expected "${want}"): the lock was left in place`);
    }
    const r = await unlockDataDir(root, { expectPid: holder.pid });
    output(opts.format, r, (x) => [
      `took over the lock of ${root}: removed ${x.lock_file} (was pid ${x.holder?.pid} on host "${x.holder?.hostname}", started ${started}; ${x.why})`,
      'start the node now: contract-cli node start',
    ]);
  });
}
