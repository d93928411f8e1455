/**
 * Every restore refusal, through `contract-cli snapshots restore --yes` (and `verify` where it
 * applies): wrong network, another chain's data directory, a tampered file, a truncated archive,
 * missing files, a newer format version, the previous chain layout, a chain DB whose head is not the
 * manifest's, a node holding the data directory. Each exits non-zero
 * with a clear message and leaves the data directory's content exactly as it was.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemp, runCli, spawnNode, stopNode, tempDir } from '../node/helpers.js';
import { makeDataDir, treeHash } from './helpers.js';

let dir: string;
let data: string;
let snapDir: string;
let snapTar: string;

beforeAll(async () => {
  dir = await tempDir('tb-refuse');
  data = path.join(dir, 'data');
  await makeDataDir(data, 4);
  for (const extra of [[], ['--tar']]) {
    const r = await runCli('contract-cli', ['snapshots', 'create', '--path', path.join(dir, 'bk'), '--data-dir', data, '--format', 'json', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { path: string };
    if (extra.length) snapTar = out.path;
    else snapDir = out.path;
  }
}, 60_000);
afterAll(async () => {
  await removeTemp(dir);
});

/** A copy of the directory snapshot, changed by `mutate`. */
async function variant(name: string, mutate: (p: string) => Promise<void>): Promise<string> {
  const p = path.join(dir, 'variants', name);
  await fs.cp(snapDir, p, { recursive: true });
  await mutate(p);
  return p;
}

async function editManifest(p: string, edit: (m: any) => void): Promise<void> {
  const f = path.join(p, 'manifest.json');
  const m = JSON.parse(await fs.readFile(f, 'utf8'));
  edit(m);
  await fs.writeFile(f, JSON.stringify(m, null, 2));
}

async function refused(from: string, message: RegExp, target = data): Promise<void> {
  const before = await treeHash(target);
  const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', from, '--data-dir', target, '--yes']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n').pop()).toMatch(/^error: /);
  expect(await treeHash(target)).toEqual(before);
  const left = (await fs.readdir(path.dirname(target))).filter((n) => /pre-restore|restore-staging|restore\.lock/.test(n));
  expect(left).toEqual([]);
}

describe('restore refuses, touching nothing', () => {
  it('a snapshot of another network', async () => {
    const p = await variant('network', (x) => editManifest(x, (m) => (m.network = 'testnet')));
    await refused(p, /error: .*the snapshot is of network testnet; this node runs dev/);
  });

  it('a data directory of another chain (other genesis)', async () => {
    const other = path.join(dir, 'other chain');
    await makeDataDir(other, 1);
    await refused(snapDir, /error: .*the snapshot is of chain id 31337 \(genesis [0-9a-f]{12}…\), the data directory holds chain id 31337 \(genesis [0-9a-f]{12}…\) — same chain id but a different genesis \(another dev chain\)/, other);
  });

  it('a non-empty folder that is not a node data directory, unless --force (operator finding F5)', async () => {
    const mine = path.join(dir, 'forced', 'mine');
    await fs.mkdir(mine, { recursive: true });
    await fs.writeFile(path.join(mine, 'notes.txt'), 'my precious');
    await refused(snapDir, /error: .*mine is not a node's data directory \(no chain\/ or node\.lock; it holds notes\.txt\) — check the path, or pass --force/, mine);
    const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', snapDir, '--data-dir', mine, '--yes', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const kept = (await fs.readdir(path.dirname(mine))).find((n) => n.startsWith('mine.pre-restore-'))!;
    expect(await fs.readFile(path.join(path.dirname(mine), kept, 'notes.txt'), 'utf8')).toBe('my precious');
  });

  it('a tampered file (one flipped byte)', async () => {
    const p = await variant('tampered', async (x) => {
      const ldb = (await fs.readdir(path.join(x, 'chain'))).find((n) => n.endsWith('.ldb'))!;
      const f = path.join(x, 'chain', ldb);
      const b = await fs.readFile(f);
      b[b.length >> 1] ^= 0x01;
      await fs.writeFile(f, b);
    });
    await refused(p, /error: snapshot tb-dev-\d+-\S+ failed verification: it was modified or damaged: chain\/\d+\.ldb: SHA-256 is [0-9a-f]{16}…, the manifest says [0-9a-f]{16}…; nothing was restored/);
    const v = await runCli('contract-cli', ['snapshots', 'verify', '--path', p]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/error: snapshot .* failed verification: it was modified or damaged: chain\/\d+\.ldb/);
  });

  it('a truncated archive', async () => {
    const p = path.join(dir, 'variants', 'truncated.tar');
    const b = await fs.readFile(snapTar);
    await fs.writeFile(p, b.subarray(0, Math.floor(b.length * 0.6)));
    await refused(p, /error: .*(truncated|ends early)/);
    const v = await runCli('contract-cli', ['snapshots', 'verify', '--path', p]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/truncated|ends early/);
  });

  it('missing files', async () => {
    const p = await variant('missing', (x) => fs.rm(path.join(x, 'keys', 'node_key.json')));
    await refused(p, /error: snapshot .* failed verification: files are missing \(1, e\.g\. keys\/node_key\.json\); nothing was restored/);
    const v = await runCli('contract-cli', ['snapshots', 'verify', '--path', p]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('keys/node_key.json: missing');
  });

  it('a newer format version', async () => {
    const p = await variant('newer', (x) => editManifest(x, (m) => (m.format_version = 2)));
    await refused(p, /error: .*snapshot format version 2 is newer than this node understands \(1\); upgrade the node to use it/);
  });

  it('a snapshot of the previous chain layout (2, before chain modules): names the versions and the ways out', async () => {
    const p = await variant('layout-2', (x) => editManifest(x, (m) => (m.chain_schema = 2)));
    await refused(p, /error: .*chain database layout is version 2; this node .* uses \d+ .*Ways out: restore a snapshot taken by this node version, or resync/);
  });

  it('a chain DB whose head is not the manifest\'s (checked during the copy), and that reported after a damaged file', async () => {
    // Every file intact, the manifest's state root another: the staged chain DB's check refuses it.
    const wrongRoot = (m: any) => (m.state_root = '0'.repeat(64));
    const p = await variant('other-head', (x) => editManifest(x, wrongRoot));
    await refused(p, /error: snapshot \S+: the restored chain database does not match the manifest \(its head is height \d+, state root [0-9a-f]{12}…, the manifest says height \d+, state root 000000000000…\); nothing was restored/);
    // A chain file damaged as well: the damaged file is what the refusal names (hashes first).
    const q = await variant('other-head-damaged', async (x) => {
      await editManifest(x, wrongRoot);
      const chain = path.join(x, 'chain');
      const sized = await Promise.all((await fs.readdir(chain)).map(async (n) => ({ n, size: (await fs.stat(path.join(chain, n))).size })));
      const f = path.join(chain, sized.sort((a, b) => b.size - a.size)[0].n);
      const buf = await fs.readFile(f);
      buf[Math.floor(buf.length / 2)] ^= 0xff;
      await fs.writeFile(f, buf);
    });
    await refused(q, /error: snapshot \S+ failed verification: it was modified or damaged: chain\/\S+: SHA-256 is/);
  });

  it('a snapshot written by a newer node version', async () => {
    const p = await variant('newer-node', (x) => editManifest(x, (m) => (m.node_version = '9.0.0')));
    await refused(p, /error: written by node 9\.0\.0, newer than this node \d+\.\d+\.\d+: upgrade the node first/);
  });

  it('a data directory a running node holds', async () => {
    const n = spawnNode({ dataDir: data, args: ['--block-time-ms', '600000'] });
    try {
      await n.ready;
      // The lock is checked first (operator finding F6): a snapshot of another chain is not compared.
      const otherSnap = path.join(dir, 'other-chain-bk');
      await makeDataDir(path.join(dir, 'other chain 2'), 1);
      const o = await runCli('contract-cli', ['snapshots', 'create', '--path', otherSnap, '--data-dir', path.join(dir, 'other chain 2'), '--format', 'json']);
      expect(o.code, o.stderr).toBe(0);
      for (const from of [snapDir, (JSON.parse(o.stdout) as { path: string }).path]) {
        const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', from, '--data-dir', data, '--yes']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`error: data directory .* is in use by pid ${n.pid} — stop the node first`));
        expect(r.stderr).not.toMatch(/genesis|Manifest|pre-restore/);
      }
      const c = await runCli('contract-cli', ['snapshots', 'create', '--path', path.join(dir, 'bk2'), '--data-dir', data]);
      expect(c.code).toBe(1);
      expect(c.stderr).toMatch(/is in use by pid \d+ \(the node is running\): omit --data-dir to ask the running node/);
    } finally {
      await stopNode(n);
    }
  });

  it('and the untouched snapshot still restores (the refusals were about the snapshots)', async () => {
    const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', snapDir, '--data-dir', data, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const v = await runCli('contract-cli', ['snapshots', 'verify', '--path', snapTar]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/is intact: \d+ files/);
  });
});
