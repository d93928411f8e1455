// Host pieces of the operator's first hour (#19): preflight checks on real sockets and disks,
// the port holder read from /proc, network import/invite parsing, first-run due rules.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClock, checkDisk, checkPorts, checkWritable, runPreflight } from '../../../src/host/preflight.js';
import { portHolder } from '../../../src/host/port-holder.js';
import { INVITE_PREFIX, importedNetworks, inviteOf, parseShared, saveImported } from '../../../src/host/network-import.js';
import { firstRunDue, readSettings, writeSettings } from '../../../src/host/first-run.js';
import { createLocalnet } from '../../../src/node-core/net/localnet.js';
import { readNetworkFile } from '../../../src/node-core/net/network-file.js';

let tmp: string;
let srv: Server;
let port: number;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tb-firsthour-'));
  srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  port = (srv.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => srv.close(() => r()));
  await rm(tmp, { recursive: true, force: true });
});

describe('preflight', () => {
  it('names the process holding a busy port and the flag that changes it', async () => {
    const c = await checkPorts([{ what: 'JSON-RPC', kind: 'tcp', host: '127.0.0.1', port, flag: '--rpc-addr' }]);
    expect(c.status).toBe('fail');
    expect(c.busy_flags).toEqual(['--rpc-addr']);
    if (process.platform === 'linux') {
      expect(c.detail).toContain(`by pid ${process.pid}`);
      expect(portHolder('tcp', port)?.pid).toBe(process.pid);
    }
    // The console's own node holding it is fine (it is restarted with the new settings).
    expect((await checkPorts([{ what: 'JSON-RPC', kind: 'tcp', host: '127.0.0.1', port, flag: '--rpc-addr' }], [process.pid])).status).toBe(process.platform === 'linux' ? 'ok' : 'fail');
    // Port 0 = any free port: nothing to check.
    expect((await checkPorts([{ what: 'metrics', kind: 'tcp', host: '127.0.0.1', port: 0, flag: '--metrics-addr' }])).status).toBe('ok');
  });

  it('disk: free space against what the network needs (threshold given)', async () => {
    const ok = await checkDisk(path.join(tmp, 'new dir ü', 'dev'), 1);
    expect(ok.status).toBe('ok');
    expect(ok.free_bytes).toBeGreaterThan(0);
    const fail = await checkDisk(tmp, 2 ** 60);
    expect(fail.status).toBe('fail');
    expect(fail.fix).toContain('free some space');
  });

  it('writable: creates the folder (spaces, non-ASCII); a path under a file is refused with a way out', async () => {
    expect((await checkWritable(path.join(tmp, 'dåta dir', 'dev'))).status).toBe('ok');
    await writeFile(path.join(tmp, 'a file'), 'x');
    const bad = await checkWritable(path.join(tmp, 'a file', 'dev'));
    expect(bad.status).toBe('fail');
    expect(bad.detail).toMatch(/ENOTDIR|EEXIST/);
    expect(bad.fix).toContain('choose another folder');
  });

  it.each([
    ['dev', null, 'ok'],
    ['practice', null, 'pending'],
    ['practice', { peers: 0, newestPeerBlockMs: null, receivedAtMs: null }, 'pending'],
    ['practice', { peers: 3, newestPeerBlockMs: 1_000_000, receivedAtMs: 1_000_400 }, 'ok'],
    ['practice', { peers: 3, newestPeerBlockMs: 1_030_000, receivedAtMs: 1_000_000 }, 'fail'],
  ] as const)('clock on %s with %j → %s', (net, c, status) => {
    expect(checkClock(net, c).status).toBe(status);
  });

  it('runs all four in order', async () => {
    const r = await runPreflight({ dataDir: path.join(tmp, 'all'), network: 'dev', ports: [], neededBytes: 1 });
    expect(r.map((c) => c.id)).toEqual(['writable', 'disk', 'ports', 'clock']);
    expect(r.every((c) => c.status === 'ok')).toBe(true);
  });
});

describe('network import and invites', () => {
  it('round-trips an invite, accepts wrapped text, refuses damaged or tampered input', async () => {
    const dir = path.join(tmp, 'bob');
    await createLocalnet({ dir, validators: 1, name: 'bobnet', chainId: 41_000 });
    const nf = readNetworkFile(path.join(dir, 'network.json'));
    const invite = inviteOf(nf);
    expect(invite.startsWith(INVITE_PREFIX)).toBe(true);
    expect(parseShared(invite.replace(/(.{50})/g, '$1\n  '))).toEqual(nf);
    expect(parseShared(JSON.stringify(nf))).toEqual(nf);
    expect(() => parseShared('hello')).toThrow(/not a network/);
    expect(() => parseShared(`${INVITE_PREFIX}***`)).toThrow(/damaged/);
    expect(() => parseShared(JSON.stringify({ ...nf, chain_id: 1 }))).toThrow(/chain_id/);

    const parent = path.join(tmp, 'parent');
    expect((await saveImported(parent, nf, ['dev'])).replaced).toBe(false);
    expect((await saveImported(parent, nf, ['dev'])).replaced).toBe(true);
    expect(importedNetworks(parent).map((e) => [e.name, e.source])).toEqual([['bobnet', 'imported']]);
    await expect(saveImported(parent, { ...nf, name: 'dev' }, ['dev'])).rejects.toThrow(/already has/);
    const other = path.join(tmp, 'bob2');
    await createLocalnet({ dir: other, validators: 1, name: 'bobnet', chainId: 41_000 });
    await expect(saveImported(parent, readNetworkFile(path.join(other, 'network.json')), [])).rejects.toThrow(/different network named "bobnet"/);
  });
});

describe('first run', () => {
  it('is due on a fresh machine only, or when forced', async () => {
    const home = path.join(tmp, 'home');
    await mkdir(home, { recursive: true });
    const def = path.join(home, '.the_block', 'dev');
    expect(firstRunDue({ dataDirGiven: false, defaultDataDir: def, home })).toBe(true);
    expect(firstRunDue({ dataDirGiven: true, defaultDataDir: def, home })).toBe(false);
    expect(firstRunDue({ forced: true, dataDirGiven: true, defaultDataDir: def, home })).toBe(true);
    await writeSettings({ version: 1, data_parent: path.join(home, 'data ü'), network: 'dev', keep_running: true, rpc_auth: true, completed_at_ms: 1 }, home);
    expect(firstRunDue({ dataDirGiven: false, defaultDataDir: def, home })).toBe(false);
    expect(readSettings(home)?.data_parent).toBe(path.join(home, 'data ü'));
    const st = await import('node:fs/promises').then((f) => f.stat(path.join(home, '.the_block', 'console.json')));
    expect(st.mode & 0o777).toBe(0o600);
  });
});
