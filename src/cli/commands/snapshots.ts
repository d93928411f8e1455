/**
 * `contract-cli snapshots create|list|verify|restore` (operations guide "Storage, Snapshots").
 *
 * - `create --path <dir>` asks the running node (`snapshots.create`, then `snapshots.job` until it
 *   ends); with `--data-dir` the node must be stopped and the CLI reads the data directory itself,
 *   holding its lock meanwhile so no node starts on it.
 * - `list --path <dir>` and `verify --path <snapshot>` read the files themselves (no node needed).
 * - `restore --from <snapshot>` works on a stopped node's data directory (refused while a node holds
 *   its lock), shows the pre-checks and what is replaced, and asks for confirmation unless `--yes`.
 * Every failure exits non-zero with one line on stderr; progress is drawn on an interactive stderr.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { SnapshotReason, type CreateResult, type SnapshotJob } from '../../shared/api/snapshots.js';
import { clientFor, output, SilentFailure, UsageError, withCommon, type CommonOpts } from '../common.js';
import { confirmRestore, createLines, fmtDuration, listLines, planLines, progressLine, verifyLines } from './snapshots-output.js';
import { localRoot, withLocal, type LocalOpts } from './wallet.js';

interface CreateOpts extends CommonOpts, LocalOpts {
  path?: string;
  include?: string;
  tar?: boolean;
}

function needPath(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`give ${flag} <path>`);
  return path.resolve(v);
}

function includeList(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Waits for a node job, drawing its progress; resolves with the final job. */
async function followJob(call: (jobId: string) => Promise<SnapshotJob>, jobId: string, show: boolean): Promise<SnapshotJob> {
  const line = progressLine(show);
  try {
    for (;;) {
      const j = await call(jobId);
      if (j.state !== 'running') return j;
      line.update(j);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    line.done();
  }
}

async function createLocal(opts: CreateOpts, dest: string): Promise<CreateResult> {
  const { root, network } = localRoot(opts);
  const { openDataDir, DataDirLockedError } = await import('../../node-core/storage/datadir.js');
  let dd;
  try {
    dd = await openDataDir(root);
  } catch (err) {
    if (err instanceof DataDirLockedError)
      throw new Error(`data directory ${root} is in use by pid ${err.pid} (the node is running): omit --data-dir to ask the running node for the snapshot, or stop it first`);
    throw err;
  }
  const { createSnapshot } = await import('../../node-core/snapshots/create.js');
  const line = progressLine(opts.format === 'human');
  try {
    return await createSnapshot({ root, dest, include: includeList(opts.include), format: opts.tar ? 'tar' : 'dir', origin: 'cli', network, onProgress: (p) => line.update(p) });
  } finally {
    line.done();
    await dd.release();
  }
}

export function snapshotsCommand(): Command {
  const snapshots = new Command('snapshots').description('create, list, verify and restore snapshots of the data directory');

  withLocal(
    withCommon(
      snapshots
        .command('create')
        .description('snapshot the running node into a folder (or, with --data-dir, a stopped node\'s data directory)')
        .option('--path <dir>', 'destination folder (created if missing)')
        .option('--include <ids>', 'comma-separated subsystems to include (default: all but logs; see the console or snapshots.subsystems)')
        .addOption(new Option('--tar', 'write one .tar file instead of a directory')),
    ),
  ).action(async (opts: CreateOpts) => {
    const dest = needPath(opts.path, '--path');
    let r: CreateResult;
    if (opts.dataDir !== undefined) r = await createLocal(opts, dest);
    else {
      const { client } = clientFor(opts);
      const { job_id } = await client.call('snapshots.create', { path: dest, include: includeList(opts.include), format: opts.tar ? 'tar' : 'dir', origin: 'cli' });
      const j = await followJob((id) => client.call('snapshots.job', { job_id: id }), job_id, opts.format === 'human');
      if (j.state !== 'done' || !j.create) throw new Error(j.error ? `${j.error.message} (${j.error.reason})` : `the snapshot job ended ${j.state}`);
      r = j.create;
    }
    output(opts.format, r, createLines);
  });

  withCommon(
    snapshots
      .command('list')
      .description('complete snapshots in a folder, newest first (reads the folder; no node needed)')
      .option('--path <dir>', 'folder holding snapshots'),
    { rpc: false },
  ).action(async (opts: CommonOpts & { path?: string }) => {
    const { listSnapshots } = await import('../../node-core/snapshots/manifest.js');
    const r = await listSnapshots(needPath(opts.path, '--path'));
    output(opts.format, r, listLines);
  });

  withCommon(
    snapshots
      .command('verify')
      .description('check a snapshot: manifest, every file size and SHA-256 (exit 1 when anything differs)')
      .option('--path <snapshot>', 'snapshot directory or .tar file')
      .option('--checksum <sha256>', 'expected checksum (printed by create) to compare the manifest with'),
    { rpc: false },
  ).action(async (opts: CommonOpts & { path?: string; checksum?: string }) => {
    if (opts.checksum !== undefined && !/^[0-9a-f]{64}$/.test(opts.checksum)) throw new UsageError('--checksum: must be 64 lowercase hex digits');
    const { verifySnapshot } = await import('../../node-core/snapshots/verify.js');
    const line = progressLine(opts.format === 'human');
    let r;
    try {
      r = await verifySnapshot(needPath(opts.path, '--path'), { checksum: opts.checksum, onProgress: (p) => line.update(p) });
    } finally {
      line.done();
    }
    if (r.ok || opts.format === 'json') output(opts.format, r, verifyLines);
    else process.stderr.write(verifyLines(r).map((l, i) => (i === 0 ? `error: ${l}` : l)).join('\n') + '\n');
    if (!r.ok) throw new SilentFailure(1);
  });

  withLocal(
    withCommon(
      snapshots
        .command('restore')
        .description('replace a stopped node\'s data directory with a snapshot (the old data is kept as <data dir>.pre-restore-<time>)')
        .option('--from <snapshot>', 'snapshot directory or .tar file')
        .option('--yes', 'do not ask for confirmation')
        .option('--force', 'restore into a non-empty folder that is not a node data directory (its content is kept aside)'),
      { rpc: false },
    ),
  ).action(async (opts: CommonOpts & LocalOpts & { from?: string; yes?: boolean; force?: boolean }) => {
    const from = needPath(opts.from, '--from');
    const { root, network } = localRoot(opts);
    const { planRestore } = await import('../../node-core/snapshots/restore-plan.js');
    const { restoreSnapshot } = await import('../../node-core/snapshots/restore.js');
    const at = new Date();
    const { plan, failure } = await planRestore(from, root, network, at, { force: opts.force });
    if (opts.format === 'human') process.stderr.write(planLines(plan).join('\n') + '\n\n');
    if (failure) throw failure;
    if (!opts.yes) {
      if (!process.stdin.isTTY) throw new UsageError('snapshots restore asks for confirmation: run it in a terminal, or pass --yes');
      if (!(await confirmRestore())) {
        process.stderr.write('cancelled; nothing was changed\n');
        throw new SilentFailure(1);
      }
    }
    const line = progressLine(opts.format === 'human');
    let r;
    try {
      r = await restoreSnapshot({ from, root, network, at, force: opts.force, onProgress: (p) => line.update(p) });
    } catch (err) {
      line.done();
      const e = err as { reason?: string; message: string };
      if (e.reason === SnapshotReason.node_running) throw new Error(e.message);
      throw err;
    }
    line.done();
    output(opts.format, { data_dir: root, ...r }, (x) => [
      ...(x.rolled_back ? [`note: ${x.rolled_back.message}`] : []),
      `restored ${x.snapshot.id} into ${x.data_dir} (height ${x.height}, state root ${x.state_root}) in ${fmtDuration(x.duration_ms)}`,
      x.pre_restore_path ? `the previous data is kept in ${x.pre_restore_path}; remove it once the node runs well` : 'the data directory was new',
      `start the node: contract-cli node start --data-dir ${JSON.stringify(x.data_dir)}`,
    ]);
  });
  return snapshots;
}
