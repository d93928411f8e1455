// Console settings: validation refuses invalid values in place (field-level −32602 issues, nothing
// written), persistence is atomic (0600 file, no temp leftovers, the old content stays when a
// patch is refused), and settings become node flags / environment.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsPatch } from '../../../src/shared/api/desktop.js';
import { RpcError } from '../../../src/shared/api/errors.js';
import { applyToArgs, applyToEnv, launchOverrides } from '../../../src/host/desktop/node-options.js';
import { flagValue } from '../../../src/host/network-switch.js';
import { SETTINGS_FILE, SettingsStore, settingsDirFor } from '../../../src/host/desktop/settings-store.js';
import { portToCheck, settingsPatchIssues } from '../../../src/shared/api/settings-rules.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refused(p: Promise<unknown>): Promise<{ path: (string | number)[]; message: string }[]> {
  const e = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RpcError);
  expect((e as RpcError).code).toBe(-32602);
  return (e as RpcError).data!.issues as { path: (string | number)[]; message: string }[];
}

describe('settings store', () => {
  it('starts from defaults without a file and persists a valid patch atomically (0600, no temp files)', async () => {
    const s = new SettingsStore(dir);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    const r = await s.update({
      rpc_port: 18545,
      theme: 'dark',
      governor: { shadow_only: false },
      rpc_auth_token: 'abcdefghijklmnop-123',
    });
    expect(r.changed.sort()).toEqual(['governor', 'rpc_auth_token', 'rpc_port', 'theme']);
    const file = path.join(dir, SETTINGS_FILE);
    const body = JSON.parse(await readFile(file, 'utf8'));
    expect(body.settings.rpc_port).toBe(18545);
    expect(body.settings.governor).toEqual({ enabled: null, shadow_only: false, window_secs: null });
    expect(body.rpc_auth_token).toBe('abcdefghijklmnop-123');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A second store reads what the first wrote.
    const again = new SettingsStore(dir);
    expect(again.get().theme).toBe('dark');
    expect(again.authToken()).toBe('abcdefghijklmnop-123');
  });

  it.each([
    [{ rpc_port: 80 }, ['patch', 'rpc_port'], /1024/],
    [{ rpc_port: 70000 }, ['patch', 'rpc_port'], /65535/],
    [{ rpc_port: 1.5 }, ['patch', 'rpc_port'], /whole/],
    [{ metrics_port: 'x' }, ['patch', 'metrics_port'], /port number/],
    [{ rpc_port: 20000, metrics_port: 20000 }, ['patch', 'metrics_port'], /same port as rpc_port/],
    [
      { disk: { warn_free_mib: 100, refuse_free_mib: 200 } },
      ['patch', 'disk', 'refuse_free_mib'],
      /below the warning/,
    ],
    [{ governor: { window_secs: 30 } }, ['patch', 'governor', 'window_secs'], /at least 120/],
    // A non-number gets a sentence in the field's unit, not zod's "expected number, received string".
    [{ governor: { window_secs: 'soon' } }, ['patch', 'governor', 'window_secs'], /^must be a number of seconds/],
    [{ disk: { warn_free_mib: 'lots', refuse_free_mib: 256 } }, ['patch', 'disk', 'warn_free_mib'], /^must be a number of MiB$/],
    [{ disk: { warn_free_mib: 2048, refuse_free_mib: '' } }, ['patch', 'disk', 'refuse_free_mib'], /^must be a number of MiB$/],
    [{ log_level: 'loud' }, ['patch', 'log_level'], /./],
    [{ theme: 'pink' }, ['patch', 'theme'], /./],
    [{ governor: { bogus: true } }, ['patch', 'governor'], /./],
  ])('refuses %j in place with a field-level issue, writing nothing', async (patch, where, msg) => {
    const s = new SettingsStore(dir);
    await s.update({ theme: 'light' });
    const before = await readFile(path.join(dir, SETTINGS_FILE), 'utf8');
    const issues = await refused(s.update(patch as Record<string, unknown>));
    expect(issues.some((i) => JSON.stringify(i.path) === JSON.stringify(where) && msg.test(i.message))).toBe(
      true,
    );
    expect(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')).toBe(before);
    expect(s.get().theme).toBe('light');
    // The Settings page checks a field as it is left with the same function: the same issues, before Save.
    expect(settingsPatchIssues(s.get(), patch as Record<string, unknown>).map((i) => ({ ...i, path: ['patch', ...i.path] }))).toEqual(issues);
  });

  it('the check run as a field is left: the patch\'s own rules (the token, unknown keys) as app.setSettings\'s params, nothing for a valid patch', () => {
    const base = structuredClone(DEFAULT_SETTINGS);
    expect(settingsPatchIssues(base, { rpc_port: 18545, disk: { warn_free_mib: 4096 }, rpc_auth_token: 'abcdefghijklmnop-123' })).toEqual([]);
    expect(settingsPatchIssues(base, { rpc_auth_token: 'short' })).toEqual([
      { path: ['rpc_auth_token'], message: 'must be at least 16 characters' },
    ]);
    expect(settingsPatchIssues(base, { nope: 1 })[0].path).toEqual([]);
    // A bad token does not hide a bad port.
    expect(settingsPatchIssues(base, { rpc_port: 80, rpc_auth_token: 'short' }).map((i) => i.path.join('.'))).toEqual(['rpc_auth_token', 'rpc_port']);
    // Judged on top of the saved settings: a port that is free alone collides with a saved one.
    expect(settingsPatchIssues({ ...base, rpc_port: 20000 }, { metrics_port: 20000 })).toEqual([
      { path: ['metrics_port'], message: 'is the same port as rpc_port' },
    ]);
  });

  it('the patch schema refuses unknown keys and a bad token before the store sees them', () => {
    expect(SettingsPatch.safeParse({ nope: 1 }).success).toBe(false);
    expect(SettingsPatch.safeParse({ rpc_auth_token: 'short' }).success).toBe(false);
    expect(SettingsPatch.safeParse({ rpc_auth_token: 'has spaces in it ok?' }).success).toBe(false);
    expect(SettingsPatch.safeParse({ rpc_auth_token: null }).success).toBe(true);
  });

  it('an invalid file on disk is reported and left in place; defaults are used', async () => {
    await writeFile(path.join(dir, SETTINGS_FILE), '{"version":1,"settings":{"rpc_port":5}}');
    const s = new SettingsStore(dir);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(s.loadError).toMatch(/rpc_port/);
    expect(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')).toContain('"rpc_port":5');
  });

  it('settings directory: TB_CONSOLE_DIR, else the front door’s, else the parent of the data root', () => {
    expect(settingsDirFor({ env: { TB_CONSOLE_DIR: '/x/y' }, explicit: '/a', dataRoot: '/b/dev' })).toBe(
      '/x/y',
    );
    expect(settingsDirFor({ env: {}, explicit: '/a', dataRoot: '/b/dev' })).toBe('/a');
    expect(settingsDirFor({ env: {}, dataRoot: '/b/dev' })).toBe('/b');
  });
});

describe('settings → node options', () => {
  const s = {
    ...DEFAULT_SETTINGS,
    rpc_port: 18545,
    metrics_port: 18546,
    p2p_port: 30444,
    telemetry: false,
    log_level: 'debug' as const,
    data_dir: '/srv/tb dev',
    data_dir_network: 'dev',
    governor: { enabled: true, shadow_only: false, window_secs: 600 },
  };
  it('flags replace the launch values; null settings leave them', () => {
    const a = applyToArgs(
      ['--data-dir', '/old', '--rpc-addr', '127.0.0.1:0', '--telemetry'],
      s,
      undefined,
      {},
    );
    expect(a).toEqual([
      '--data-dir',
      '/srv/tb dev',
      '--rpc-addr',
      '127.0.0.1:18545',
      '--metrics-addr',
      '127.0.0.1:18546',
      '--p2p-tcp-addr',
      '0.0.0.0:30444',
      '--log-level',
      'debug',
      '--no-telemetry',
    ]);
    expect(applyToArgs(['--rpc-addr', '127.0.0.1:0'], DEFAULT_SETTINGS, undefined, {})).toEqual([
      '--rpc-addr',
      '127.0.0.1:0',
    ]);
  });
  it('a setting emptied after a saved value gives the LAUNCH value back, not the saved one', () => {
    const launch = ['--data-dir', '/d', '--rpc-addr', '127.0.0.1:8545', '--log-level', 'info', '--no-telemetry'];
    const saved = applyToArgs(
      launch,
      { ...DEFAULT_SETTINGS, rpc_port: 2024, metrics_port: 2025, p2p_port: 2026, log_level: 'debug', telemetry: true },
      undefined,
      {},
      launch,
    );
    const flags = (a: string[]) => ({
      rpc: flagValue(a, '--rpc-addr'),
      metrics: flagValue(a, '--metrics-addr'),
      p2p: flagValue(a, '--p2p-tcp-addr'),
      log: flagValue(a, '--log-level'),
      telemetry: a.filter((x) => x.endsWith('-telemetry') || x === '--telemetry'),
      dir: flagValue(a, '--data-dir'),
    });
    expect(flags(saved)).toEqual({
      rpc: '127.0.0.1:2024',
      metrics: '127.0.0.1:2025',
      p2p: '0.0.0.0:2026',
      log: 'debug',
      telemetry: ['--telemetry'],
      dir: '/d',
    });
    // All emptied (the saved args are the base, as the supervisor's are): the launch flags, and
    // no flag where the launch had none.
    const keys = ['rpc_port', 'metrics_port', 'p2p_port', 'log_level', 'telemetry'];
    const back = applyToArgs(saved, DEFAULT_SETTINGS, keys, {}, launch);
    expect(flags(back)).toEqual(flags(launch));
    expect(back).toHaveLength(launch.length);
    // Only the keys asked for go back; a flag another part of the console set (--network) stays.
    const partly = applyToArgs([...saved, '--network', 'testnet'], DEFAULT_SETTINGS, ['rpc_port'], {}, launch);
    expect(partly).toContain('127.0.0.1:8545');
    expect(partly).toContain('127.0.0.1:2025');
    expect(flagValue(partly, '--network')).toBe('testnet');
    // Launch values given as --flag=value come back as such a value.
    expect(applyToArgs(['--rpc-addr', '127.0.0.1:2024'], DEFAULT_SETTINGS, ['rpc_port'], {}, ['--rpc-addr=127.0.0.1:9'])).toEqual([
      '--rpc-addr',
      '127.0.0.1:9',
    ]);
  });
  it('names the launch flags a saved setting replaced (the terminal says so at start)', () => {
    const launch = ['--data-dir', '/srv/old', '--rpc-addr=127.0.0.1:8545', '--log-level', 'info'];
    const applied = applyToArgs(launch, { ...DEFAULT_SETTINGS, data_dir: '/srv/moved', rpc_port: 9000, log_level: 'info' }, undefined, {});
    expect(launchOverrides(launch, applied)).toEqual([
      { flag: '--data-dir', setting: 'data directory', launch: '/srv/old', used: '/srv/moved' },
      { flag: '--rpc-addr', setting: 'JSON-RPC port', launch: '127.0.0.1:8545', used: '127.0.0.1:9000' },
    ]);
    // A flag not given at launch, or set to what was asked, is not an override.
    expect(launchOverrides(['--log-level', 'info'], ['--log-level', 'info', '--data-dir', '/x'])).toEqual([]);
  });

  it('a moved data directory applies only to its own network', () => {
    expect(applyToArgs(['--network', 'testnet', '--data-dir', '/t'], s, ['data_dir'], {})).toEqual([
      '--network',
      'testnet',
      '--data-dir',
      '/t',
    ]);
    expect(applyToArgs(['--network', '/x/dev.json'], s, ['data_dir'], {})).toContain('/srv/tb dev');
  });
  it('governor options and the token go to the environment (never the process list)', () => {
    const e = applyToEnv({ PATH: '/bin', TB_RPC_AUTH_TOKEN: 'old' }, s, 'new-token-0123456789', true);
    expect(e).toMatchObject({
      PATH: '/bin',
      TB_GOVERNOR_ENABLED: '1',
      TB_GOVERNOR_SHADOW_ONLY: '0',
      TB_GOVERNOR_WINDOW_SECS: '600',
      TB_RPC_AUTH_TOKEN: 'new-token-0123456789',
    });
    expect(
      applyToEnv({ TB_RPC_AUTH_TOKEN: 'old' }, DEFAULT_SETTINGS, undefined, true).TB_RPC_AUTH_TOKEN,
    ).toBeUndefined();
  });
});

describe('the live "port free?" check', () => {
  it('speaks only for a port the field rules accept (the field error wins over "✓ free")', () => {
    const base = { ...DEFAULT_SETTINGS, metrics_port: 9100 };
    expect(portToCheck(base, { rpc_port: 18545 }, 'rpc_port')).toBe(18545);
    expect(portToCheck(base, { rpc_port: 80 }, 'rpc_port')).toBeNull();
    expect(portToCheck(base, { rpc_port: 70000 }, 'rpc_port')).toBeNull();
    expect(portToCheck(base, { rpc_port: '12a' }, 'rpc_port')).toBeNull();
    expect(portToCheck(base, { rpc_port: null }, 'rpc_port')).toBeNull();
    // Two fields on one port: the rules name the later field, which gets no check.
    expect(portToCheck(base, { rpc_port: 9100 }, 'metrics_port')).toBeNull();
    expect(portToCheck(base, { rpc_port: 23456, p2p_port: 23456 }, 'p2p_port')).toBeNull();
    // A saved port (not edited) is still checked: an in-use port saved anyway keeps its warning.
    expect(portToCheck(base, {}, 'metrics_port')).toBe(9100);
    // Another field's error does not hide this one's check.
    expect(portToCheck(base, { rpc_port: 18545, rpc_auth_token: 'short' }, 'rpc_port')).toBe(18545);
  });
});
