// Data-directory move: refusals that touch nothing (target inside the source, not empty, not
// writable, too small), a full move (copy → verify → switch → start), a tampered copy that fails
// verification and keeps the node on the source, and a simulated crash at every step boundary and
// mid-copy after which a fresh job (a restarted console) resumes from the journal and finishes.
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MoveStep } from '../../../src/shared/api/desktop.js';
import { RpcError } from '../../../src/shared/api/errors.js';
import {
  listFiles,
  MOVE_JOURNAL,
  MoveJob,
  SimulatedCrash,
  type MoveNode,
} from '../../../src/host/desktop/move-datadir.js';
import { SettingsStore } from '../../../src/host/desktop/settings-store.js';

let base: string;
let source: string;
let settingsDir: string;

class FakeNode implements MoveNode {
  running = true;
  log: string[] = [];
  a: string[] = ['--data-dir', ''];
  async stop() {
    this.running = false;
    this.log.push('stop');
  }
  start() {
    this.running = true;
    this.log.push('start');
  }
  args() {
    return [...this.a];
  }
  setArgs(a: string[]) {
    this.a = [...a];
  }
}

const FILES: Record<string, string> = {
  'chain/000001.log': 'blocks'.repeat(5000),
  'chain/CURRENT': 'MANIFEST-000002\n',
  'governor_db/state.json': '{"x":1}',
  'logs/node.log': 'line\n'.repeat(100),
  'überall/ä file.txt': 'unicode',
  'keys/node_key.json': '{"seed":"00"}',
};

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'tb-move-'));
  source = path.join(base, 'data dir ü');
  settingsDir = path.join(base, 'settings');
  for (const [rel, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(source, rel)), { recursive: true });
    await writeFile(path.join(source, rel), text);
  }
  await writeFile(path.join(source, 'node.lock'), '123');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function job(node: FakeNode, settings: SettingsStore, hook?: (s: MoveStep, n: number) => void, reserve = 0) {
  node.a = ['--data-dir', source];
  return new MoveJob({
    settingsDir,
    settings,
    node,
    current: () => ({ dataDir: source, network: 'dev' }),
    reserveBytes: () => reserve,
    hook,
  });
}

async function expectMoved(target: string, settings: SettingsStore, node: FakeNode) {
  for (const [rel, text] of Object.entries(FILES))
    expect(await readFile(path.join(target, rel), 'utf8')).toBe(text);
  expect(existsSync(path.join(target, 'node.lock'))).toBe(false);
  // The source is left as it was.
  for (const [rel, text] of Object.entries(FILES))
    expect(await readFile(path.join(source, rel), 'utf8')).toBe(text);
  expect(settings.get()).toMatchObject({ data_dir: target, data_dir_network: 'dev' });
  expect(new SettingsStore(settingsDir).get().data_dir).toBe(target); // persisted
  expect(node.args()).toEqual(['--data-dir', target]);
  expect(node.running).toBe(true);
  expect(JSON.parse(await readFile(path.join(settingsDir, MOVE_JOURNAL), 'utf8')).step).toBe('done');
}

async function reason(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RpcError);
  return (e as RpcError).data?.reason as string;
}

describe('data-directory move', () => {
  it('refuses a target inside the source, not empty, not writable or too small — touching nothing', async () => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    expect(await reason(job(node, settings).start(path.join(source, 'sub')))).toBe('target_inside_source');
    expect(await reason(job(node, settings).start(source))).toBe('target_inside_source');
    const full = path.join(base, 'full');
    await mkdir(full);
    await writeFile(path.join(full, 'x'), 'x');
    expect(await reason(job(node, settings).start(full))).toBe('target_not_empty');
    expect(await reason(job(node, settings).start(path.join(full, 'x')))).toBe('not_writable'); // a file
    // Below a regular file nothing can be created (a permission test would not hold as root).
    expect(await reason(job(node, settings).start(path.join(full, 'x', 'data')))).toBe('not_writable');
    // Under a pseudo file system: refused at once (a recursive mkdir there never settled on Node 22
    // and burned a core; the move stayed at "Checking the target…"). 30 s is a liveness bound only.
    if (process.platform === 'linux') {
      const proc = job(node, settings).start('/proc/tb-move-target/data');
      const outcome = await Promise.race([reason(proc), new Promise((r) => setTimeout(() => r('still checking after 30 s'), 30_000).unref())]);
      expect(outcome).toBe('not_writable');
    }
    const same = await job(node, settings).start(source).then(() => undefined, (e: Error) => e.message);
    expect(same).toContain('is the current data directory');
    const small = job(node, settings, undefined, Number.MAX_SAFE_INTEGER);
    expect(await reason(small.start(path.join(base, 'new')))).toBe('no_space');
    expect(small.status()).toMatchObject({ step: 'failed', reason: 'no_space' });
    expect(existsSync(path.join(base, 'new'))).toBe(false);
    expect(node.log).toEqual([]);
    expect(settings.get().data_dir).toBeNull();
  });

  it('precheck: the same checks before the confirmation, the node untouched and nothing left behind', async () => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    const j = job(node, settings);
    expect(await reason(j.precheck(source))).toBe('target_inside_source');
    await expect(j.precheck('relative/dir')).rejects.toMatchObject({ code: -32602, data: { issues: [{ path: ['target'] }] } });
    expect(await reason(j.precheck('/proc/tb-precheck/data'))).toBe('not_writable');
    // A new folder two levels down: checked by creating it, then removed again, both levels.
    const deep = path.join(base, 'pre-new', 'deeper');
    const r = await j.precheck(deep);
    expect(r).toMatchObject({ target: deep });
    expect(r.need_bytes).toBeGreaterThan(0);
    expect(r.free_bytes).toBeGreaterThan(r.need_bytes);
    expect(existsSync(path.join(base, 'pre-new'))).toBe(false);
    // An empty folder the operator made is theirs: kept (also when the space check refuses).
    const mine = path.join(base, 'pre-mine');
    await mkdir(mine);
    await j.precheck(mine);
    expect(await reason(job(node, settings, undefined, Number.MAX_SAFE_INTEGER).precheck(mine))).toBe('no_space');
    expect(existsSync(mine)).toBe(true);
    expect(node.log).toEqual([]);
    expect(j.status().step).toBe('idle');
    expect(settings.get().data_dir).toBeNull();
  });

  it('moves: stop, copy, verify, switch (settings + --data-dir), start; progress with an ETA', async () => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    const j = job(node, settings);
    const steps: MoveStep[] = [];
    j.onChange((p) => steps.at(-1) !== p.step && steps.push(p.step));
    const target = path.join(base, 'new home ✓');
    await (
      await j.start(target)
    ).done;
    expect(steps).toEqual([
      'checking',
      'stopping_node',
      'copying',
      'verifying',
      'switching',
      'starting_node',
      'done',
    ]);
    expect(j.status()).toMatchObject({
      step: 'done',
      files_done: Object.keys(FILES).length,
      files_total: Object.keys(FILES).length,
    });
    expect(node.log).toEqual(['stop', 'start']);
    await expectMoved(target, settings, node);
  });

  it('a copy that differs fails verification and keeps the node on the source', async () => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    const target = path.join(base, 'new');
    // The copy is changed between copy and verify (a bad disk, another program).
    const j2 = job(node, settings, (step, n) => {
      if (step === 'verifying' && n === 0) writeFileSync(path.join(target, 'chain', 'CURRENT'), 'tampered');
    });
    await (
      await j2.start(target)
    ).done;
    expect(j2.status()).toMatchObject({ step: 'failed', reason: 'verify_failed' });
    expect(j2.status().message).toMatch(/chain\/CURRENT/);
    expect(settings.get().data_dir).toBeNull();
    expect(node.args()).toEqual(['--data-dir', source]);
    expect(node.running).toBe(true);
  });

  it('the last move is forgotten once the node runs on another data directory (a network switch), kept on its own', async () => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    const j = job(node, settings);
    const seen: string[] = [];
    j.onChange((p) => seen.push(p.step));
    const target = path.join(base, 'moved');
    await (await j.start(target)).done;
    // The node the move started again runs on the target: the "Moved to …" message stays.
    j.nodeRunsOn(target);
    j.nodeRunsOn(`${target}${path.sep}`);
    expect(j.status()).toMatchObject({ step: 'done', target });
    const before = seen.length;
    // Switched to another network: another data root, the move's message is gone (and said so).
    j.nodeRunsOn(path.join(base, 'testnet'));
    expect(j.status()).toMatchObject({ step: 'idle', bytes_total: 0, resumed: false });
    expect(j.status().target).toBeUndefined();
    expect(seen.slice(before)).toEqual(['idle']);
    // A refused move concerns the folder the node stayed on (its source).
    const small = job(node, settings, undefined, Number.MAX_SAFE_INTEGER);
    await small.start(path.join(base, 'other')).catch(() => {});
    small.nodeRunsOn(source);
    expect(small.status()).toMatchObject({ step: 'failed', reason: 'no_space' });
    small.nodeRunsOn(path.join(base, 'testnet'));
    expect(small.status().step).toBe('idle');
  });

  const crashPoints: [MoveStep, number][] = [
    ['copying', 1],
    ['copying', 4],
    ['verifying', 0],
    ['verifying', 3],
    ['switching', 0],
    ['starting_node', 0],
  ];
  it.each(crashPoints)('resumes after a crash at %s (after %i files)', async (step, n) => {
    const node = new FakeNode();
    const settings = new SettingsStore(settingsDir);
    const target = path.join(base, 'new');
    const first = job(node, settings, (s, k) => {
      if (s === step && k === n) throw new SimulatedCrash(`crash at ${s} ${k}`);
    });
    await expect((await first.start(target)).done).rejects.toBeInstanceOf(SimulatedCrash);
    // The console restarts: a new store and job read the files left behind.
    const node2 = new FakeNode();
    const settings2 = new SettingsStore(settingsDir);
    const second = job(node2, settings2);
    expect(second.pending()?.target).toBe(target);
    await second.resume();
    expect(second.status()).toMatchObject({ step: 'done', resumed: true });
    await expectMoved(target, settings2, node2);
    expect(second.pending()).toBeUndefined();
    expect(second.resume()).toBeUndefined();
  });
});

describe('listFiles on a running node\'s folder', () => {
  it('skips a file deleted between the listing and its stat (LevelDB compaction), and still fails on other errors', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tb-list-'));
    try {
      await mkdir(path.join(root, 'chain'));
      await writeFile(path.join(root, 'chain', '000005.ldb'), 'x'.repeat(10));
      await writeFile(path.join(root, 'chain', 'CURRENT'), 'MANIFEST\n');
      const real = fsp.lstat.bind(fsp);
      const gone = vi.spyOn(fsp, 'lstat').mockImplementation(async (p, ...rest) => {
        if (String(p).endsWith('000005.ldb')) throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
        return real(p, ...(rest as []));
      });
      expect(await listFiles(root)).toEqual([{ rel: path.join('chain', 'CURRENT'), size: 9 }]);
      gone.mockImplementation(async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      });
      await expect(listFiles(root)).rejects.toThrow('EACCES');
      gone.mockRestore();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
