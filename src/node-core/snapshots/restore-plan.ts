/**
 * Restore pre-checks (cf. Daedalus mithril preflight): what restoring a snapshot into a data
 * directory would do, and whether it may. Used by `snapshots.inspect` (the restore wizard's
 * pre-check step, which adds the checksum pass through `snapshots.verify`) and by the restore
 * itself, which refuses on the first failing check before touching anything.
 *
 * Checks: the data directory not in use by a running node and either new, empty or a node's
 * (else refused unless forced, naming what is there) — first, before the snapshot is read; manifest readable and of a known format version; node version and chain DB layout
 * compatible (a snapshot written by a newer minor/major version is refused); network equal to
 * the target's; chain id and genesis equal to the data directory's own (when it has one); enough
 * free space next to the data directory for the staging copy (the current data is kept aside).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { SnapshotReason, type Manifest, type RestoreCheck, type RestorePlan } from '../../shared/api/snapshots.js';
import { readGenesisFile } from '../chain/genesis.js';
import { SCHEMA_VERSION, UPGRADABLE_SCHEMAS } from '../storage/chaindb.js';
import { heldByThisProcess, LOCK_FILE, readLock, staleReason } from '../storage/lock.js';
import { NODE_VERSION } from '../version.js';
import { freeBytes } from './create.js';
import { compactTime, locate, SnapshotError, summary, type LocatedSnapshot } from './manifest.js';
import { definitions, NEVER_INCLUDED, walk } from './subsystems.js';

/** Space kept free beyond the staging copy. */
export const RESTORE_MARGIN = 16 * 1024 * 1024;

/** `<root>.pre-restore-<YYYYMMDDTHHMMSSZ>`: where the current data is kept by a restore. */
export function preRestorePath(root: string, at: Date): string {
  return `${path.resolve(root)}.pre-restore-${compactTime(at)}`;
}

/** Is the snapshot's node version newer (major/minor) than ours? null when it is not a version. */
export function newerNode(version: string): boolean | null {
  const theirs = semver.coerce(version);
  const ours = semver.coerce(NODE_VERSION)!;
  if (!theirs) return null;
  return semver.gt(`${theirs.major}.${theirs.minor}.0`, `${ours.major}.${ours.minor}.0`);
}

/** Top-level data-dir entries the snapshot replaces: those of its subsystems, and every entry it holds. */
export async function replacedEntries(root: string, m: Manifest): Promise<Set<string>> {
  const defs = await definitions(root);
  const out = new Set<string>();
  for (const d of defs) if (m.subsystems.includes(d.id)) for (const p of d.paths) out.add(p);
  for (const f of m.files) out.add(f.path.split('/')[0]);
  return out;
}

async function entrySize(root: string, name: string): Promise<number> {
  const w = await walk(root, name);
  return w.files.reduce((n, f) => n + f.size, 0);
}

export interface RestorePlanOptions {
  /** Restore into a non-empty folder that is not a node's data directory (its content is kept aside). */
  force?: boolean;
  /** Skip the "in use" check: the caller (the console) stops its own node before restoring. */
  ownNode?: boolean;
  /**
   * Asked by the running node itself (`snapshots.inspect`), which holds the lock: `console` when
   * the console supervises it (its restore stops the node first: the check passes, saying so),
   * `node` when it runs on its own (it must be stopped before `contract-cli snapshots restore`).
   */
  askedBy?: 'console' | 'node';
}

/** Entries that mark a node's data directory. */
const NODE_ROOT_MARKS = ['chain', 'node.lock', 'restore_history'];

/**
 * The data directory's own pre-check: not held by a running node (pid named), and either new,
 * empty, a node's data directory, or `force`d. null when there is nothing to say (a new folder).
 */
async function targetCheck(abs: string, o: RestorePlanOptions): Promise<{ check: RestoreCheck; reason: SnapshotReason } | null> {
  const label = 'Data directory';
  let names: string[];
  try {
    names = await fs.readdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { check: { id: 'target', label, ok: true, detail: `${abs} is new (created by the restore)` }, reason: SnapshotReason.bad_path };
    return { check: { id: 'target', label, ok: false, detail: `${abs} cannot be used as a data directory (${code ?? (err as Error).message})` }, reason: SnapshotReason.bad_path };
  }
  if (!o.ownNode && names.includes(LOCK_FILE)) {
    const holder = await readLock(path.join(abs, LOCK_FILE));
    // The asking node's own lock: staleReason calls a lock naming this pid "left by an earlier
    // run", which is only true when this process does not hold it.
    if (holder.pid === process.pid && heldByThisProcess(abs)) {
      if (o.askedBy === 'console') return { check: { id: 'target', label, ok: true, detail: `${abs} is in use by this console's node: it will be stopped for the restore` }, reason: SnapshotReason.node_running };
      return {
        check: { id: 'target', label, ok: false, detail: `data directory ${abs} is in use by this node (pid ${process.pid}) — stop the node, then restore with contract-cli snapshots restore` },
        reason: SnapshotReason.node_running,
      };
    }
    if (staleReason(holder) === null && typeof holder.pid === 'number')
      return {
        check: { id: 'target', label, ok: false, detail: `data directory ${abs} is in use by pid ${holder.pid}${holder.hostname && holder.hostname !== os.hostname() ? ` on host "${holder.hostname}"` : ''} — stop the node first` },
        reason: SnapshotReason.node_running,
      };
  }
  if (names.length === 0) return { check: { id: 'target', label, ok: true, detail: `${abs} is empty` }, reason: SnapshotReason.bad_path };
  // Only say "not in use" when the lock was looked at (ownNode skips it: the caller stops its node).
  if (names.some((n) => NODE_ROOT_MARKS.includes(n)))
    return { check: { id: 'target', label, ok: true, detail: o.ownNode ? `${abs} is a node's data directory` : `${abs} is a node's data directory, not in use` }, reason: SnapshotReason.bad_path };
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} entries)` : '');
  if (o.force) return { check: { id: 'target', label, ok: true, detail: `${abs} is not a node's data directory (it holds ${shown}); --force: it is kept aside` }, reason: SnapshotReason.bad_path };
  return {
    check: { id: 'target', label, ok: false, detail: `${abs} is not a node's data directory (no chain/ or node.lock; it holds ${shown}) — check the path, or pass --force to move it aside and restore there` },
    reason: SnapshotReason.bad_path,
  };
}

/**
 * Runs every pre-check of restoring `from` into `root` for a node of `network`. Never throws for
 * a check that fails: it is reported in `checks` and `ok` is false.
 */
export async function planRestore(
  from: string,
  root: string,
  network: string,
  at = new Date(),
  o: RestorePlanOptions = {},
): Promise<{ plan: RestorePlan; snapshot?: LocatedSnapshot; failure?: SnapshotError }> {
  const abs = path.resolve(root);
  const checks: RestoreCheck[] = [];
  let failure: SnapshotError | undefined;
  const check = (c: RestoreCheck, reason?: SnapshotReason) => {
    checks.push(c);
    if (c.ok === false && !failure) failure = new SnapshotError(reason ?? SnapshotReason.invalid_manifest, c.detail);
  };
  const base: RestorePlan = { data_dir: abs, checks, subsystems: [], current_height: null, pre_restore_path: preRestorePath(abs, at), ok: false };
  // First the target itself: a running node's directory, or a folder that is not a node's, is
  // refused before the snapshot is even read (nothing else in the plan matters then).
  const target = await targetCheck(abs, o);
  if (target) {
    check(target.check, target.reason);
    if (target.check.ok === false) return { plan: base, failure };
  }
  let s: LocatedSnapshot;
  try {
    s = await locate(from);
  } catch (err) {
    const e = err instanceof SnapshotError ? err : new SnapshotError(SnapshotReason.bad_path, (err as Error).message);
    check({ id: e.reason === SnapshotReason.newer_format ? 'format' : 'manifest', label: 'Manifest', ok: false, detail: e.message }, e.reason);
    return { plan: base, failure: e };
  }
  const m = s.manifest;
  check({ id: 'manifest', label: 'Manifest', ok: true, detail: `${m.id}: height ${m.height}, ${m.files.length} files, ${m.total_bytes} bytes, created ${m.created_at}` });
  check({ id: 'format', label: 'Format version', ok: true, detail: `format version ${m.format_version} (this node reads up to 1)` });
  const newer = newerNode(m.node_version);
  const schemaOk = m.chain_schema === SCHEMA_VERSION || UPGRADABLE_SCHEMAS.includes(m.chain_schema); // 3: the node builds the state tree at its first open
  check(
    {
      id: 'version',
      label: 'Node version',
      ok: newer === false && schemaOk,
      detail: !schemaOk
        ? `the snapshot's chain database layout is version ${m.chain_schema}; this node ${NODE_VERSION} uses ${SCHEMA_VERSION}` +
          `${m.chain_schema < 3 ? ' (layout 3 keeps every chain module\'s state under its own key)' : ''}. Ways out: restore a snapshot taken by this node version, or resync (start the node on an empty data directory)`
        : newer === null
          ? `the snapshot names node version "${m.node_version}", which is not a version`
          : newer
            ? `written by node ${m.node_version}, newer than this node ${NODE_VERSION}: upgrade the node first`
            : `written by node ${m.node_version}; this node is ${NODE_VERSION}`,
    },
    SnapshotReason.incompatible_version,
  );
  check(
    {
      id: 'network',
      label: 'Network',
      ok: m.network === network,
      detail: m.network === network ? `${m.network}` : `the snapshot is of network ${m.network}; this node runs ${network} — restore it into a ${m.network} data directory`,
    },
    SnapshotReason.wrong_network,
  );
  let currentGenesis;
  try {
    currentGenesis = await readGenesisFile(path.join(abs, 'chain', 'genesis.json'));
  } catch {
    currentGenesis = undefined;
  }
  const sameChain = !currentGenesis || (currentGenesis.chain_id === m.chain_id && currentGenesis.hash === m.genesis_hash);
  check(
    {
      id: 'chain_id',
      label: 'Chain id and genesis',
      ok: sameChain,
      detail: !currentGenesis
        ? `chain id ${m.chain_id} (the data directory has no chain yet)`
        : sameChain
          ? `chain id ${m.chain_id}, genesis ${m.genesis_hash.slice(0, 12)}…`
          : `the snapshot is of chain id ${m.chain_id} (genesis ${m.genesis_hash.slice(0, 12)}…), the data directory holds chain id ${currentGenesis.chain_id} (genesis ${currentGenesis.hash.slice(0, 12)}…)` +
            (currentGenesis.chain_id === m.chain_id ? ` — same chain id but a different genesis (another ${m.network} chain)` : ''),
    },
    SnapshotReason.wrong_network,
  );

  // What is replaced and what is kept; the staging copy needs the snapshot plus the kept entries.
  const replaced = await replacedEntries(abs, m);
  let current: string[] = [];
  try {
    current = (await fs.readdir(abs)).filter((n) => !NEVER_INCLUDED.has(n) && !n.startsWith('.'));
  } catch {
    /* no data dir yet */
  }
  const kept = current.filter((n) => !replaced.has(n));
  // Wallet keys made since the snapshot: the restore replaces the keys folder, so they would be
  // left in the pre-restore copy only — said before the operator confirms (and after, by the console).
  if (replaced.has('keys')) {
    const inSnap = new Set(m.files.map((f) => f.path));
    let wallets: string[] = [];
    try {
      wallets = (await fs.readdir(path.join(abs, 'keys', 'wallets'))).filter((n) => n.endsWith('.json'));
    } catch {
      /* no wallets here */
    }
    base.wallets_not_in_snapshot = wallets.filter((n) => !inSnap.has(`keys/wallets/${n}`)).map((n) => n.slice(0, -'.json'.length)).sort();
  }
  let keptBytes = 0;
  for (const n of kept) keptBytes += await entrySize(abs, n);
  const bySub = new Map<string, number>();
  const defs = await definitions(abs);
  for (const f of m.files) {
    const top = f.path.split('/')[0];
    const d = defs.find((x) => x.paths.includes(top));
    const id = d?.id ?? 'other';
    bySub.set(id, (bySub.get(id) ?? 0) + f.size);
  }
  for (const d of defs) {
    const cur = (await Promise.all(d.paths.map((p) => entrySize(abs, p)))).reduce((a, b) => a + b, 0);
    const inSnap = m.subsystems.includes(d.id);
    if (cur === 0 && !(inSnap && bySub.has(d.id))) continue;
    base.subsystems.push({ id: d.id, label: d.label, action: inSnap ? 'replace' : 'keep', current_bytes: cur, snapshot_bytes: bySub.get(d.id) ?? 0 });
  }
  const need = m.total_bytes + keptBytes + RESTORE_MARGIN;
  const { free } = await freeBytes(path.dirname(abs));
  check(
    {
      id: 'free_space',
      label: 'Free space',
      ok: free >= need,
      detail: `${need} bytes needed next to the data directory (snapshot ${m.total_bytes} + kept data ${keptBytes} + margin), ${free} free`,
    },
    SnapshotReason.no_space,
  );
  check({ id: 'checksums', label: 'Checksums', ok: null, detail: 'every file is hashed while it is restored; run verify to check them first' });
  base.snapshot = summary(s);
  base.ok = checks.every((c) => c.ok !== false);
  return { plan: base, snapshot: s, failure };
}
