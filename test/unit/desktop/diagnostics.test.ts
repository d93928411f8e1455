// Diagnostics bundle: secrets seeded into the config file, the environment, the console settings
// and the logs (plus key and wallet files in keys/) never appear in any entry of the zip; the
// entries an operator needs are there; wallet/key files are never included.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDiagnostics } from '../../../src/host/desktop/diagnostics.js';
import { Redactor } from '../../../src/host/desktop/redact.js';
import { SettingsStore } from '../../../src/host/desktop/settings-store.js';

const TOKEN_ENV = 'envtoken-Zq81x7Hc0dP2mN5sW4vB';
const NODE_KEY = 'a1'.repeat(32);
const TOKEN_TOML = 'tomltoken-K3u9Yx2LmQ0wE7rT';
const TOKEN_SETTINGS = 'settingstoken-P5o1Ij8UhG6fD4sA';
const WALLET_SEED = 'f00dfeedbeef'.repeat(5) + 'abcd';
const NODE_KEY_FILE_SEED = '7e'.repeat(32);
const SECRETS = [TOKEN_ENV, NODE_KEY, TOKEN_TOML, TOKEN_SETTINGS, WALLET_SEED, NODE_KEY_FILE_SEED];

let base: string;
let dataDir: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'tb-diag-'));
  dataDir = path.join(base, 'data dir ü');
  await mkdir(path.join(dataDir, 'logs'), { recursive: true });
  await mkdir(path.join(dataDir, 'keys', 'wallet'), { recursive: true });
  await mkdir(path.join(base, 'cwd', 'config'), { recursive: true });
  await writeFile(
    path.join(base, 'cwd', 'config', 'node.toml'),
    `network = "dev"\nrpc_auth_token = "${TOKEN_TOML}"\nlog_level = "info"\n`,
  );
  await writeFile(path.join(base, 'cwd', '.env'), `TB_NODE_KEY_HEX=${NODE_KEY}\nTB_LOG_LEVEL=info\n`);
  await writeFile(
    path.join(dataDir, 'logs', 'node.log'),
    [
      JSON.stringify({ level: 30, msg: 'node started', height: 1 }),
      JSON.stringify({ level: 40, msg: `someone pasted ${TOKEN_ENV} and ${NODE_KEY}` }),
      `curl -H "Authorization: Bearer ${TOKEN_SETTINGS}" http://127.0.0.1:8545`,
      JSON.stringify({ level: 30, msg: 'seed', seed_hex: WALLET_SEED, also: TOKEN_TOML }),
      `node key ${NODE_KEY_FILE_SEED}`,
    ].join('\n'),
  );
  await writeFile(path.join(dataDir, 'logs', 'node.1.log'), `older ${TOKEN_ENV}\n`);
  await writeFile(
    path.join(dataDir, 'keys', 'node_key.json'),
    JSON.stringify({ seed_hex: NODE_KEY_FILE_SEED }),
  );
  await writeFile(
    path.join(dataDir, 'keys', 'wallet', 'alice.json'),
    JSON.stringify({ name: 'alice', seed_hex: WALLET_SEED }),
  );
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('diagnostics bundle', () => {
  it('holds logs, config, status, metrics, versions, peers and crashes — and none of the seeded secrets', async () => {
    const settings = new SettingsStore(path.join(base, 'settings'));
    await settings.update({ rpc_auth_token: TOKEN_SETTINGS, theme: 'dark' });
    const r = await writeDiagnostics({
      dataDir,
      nodeArgs: ['--data-dir', dataDir, '--log-level', 'info'],
      env: {
        PATH: '/usr/bin',
        TB_RPC_AUTH_TOKEN: TOKEN_ENV,
        TB_NODE_KEY_HEX: NODE_KEY,
        TB_LOG_LEVEL: 'info',
        TB_SOME_API_KEY: 'apikeyvalue-123456',
      },
      cwd: path.join(base, 'cwd'),
      supervisor: {
        state: 'running',
        launcher: 'fork',
        node_phase: { phase: 'ready' },
        restarts: 1,
        last_crash: null,
        crash_loop: false,
      },
      crashes: [
        {
          at_ms: 1,
          code: 1,
          signal: null,
          reason: `exited with code 1: token ${TOKEN_ENV}`,
          last_lines: [`TB_RPC_AUTH_TOKEN=${TOKEN_ENV}`],
        },
      ],
      call: async (m) =>
        m === 'node.status'
          ? { phase: 'ready', height: 42, data_dir: dataDir }
          : [{ peer_id: '12D3KooWabc' }],
      metricsPort: null,
      settingsFile: settings.file,
      settingsToken: settings.authToken(),
      mode: 'server',
    });
    expect(r.path.startsWith(path.join(dataDir, 'diagnostics'))).toBe(true);
    const zip = unzipSync(new Uint8Array(await readFile(r.path)));
    const names = Object.keys(zip).sort();
    expect(names).toEqual(
      [
        'README.txt',
        'config/console-settings.json',
        'config/dotenv.txt',
        'config/env.json',
        'config/node-args.json',
        'config/node.toml',
        'logs/node.1.log',
        'logs/node.log',
        'metrics.txt',
        'node-status.json',
        'peers.json',
        'supervisor.json',
        'versions.json',
      ].sort(),
    );
    expect(names.some((n) => n.startsWith('keys') || n.includes('wallet'))).toBe(false);
    const all = names.map((n) => strFromU8(zip[n])).join('\n');
    for (const s of [...SECRETS, 'apikeyvalue-123456'])
      expect(all.includes(s), `secret ${s.slice(0, 12)}… leaked`).toBe(false);
    // Useful content survives redaction.
    expect(strFromU8(zip['node-status.json'])).toContain('"height": 42');
    expect(strFromU8(zip['logs/node.log'])).toContain('node started');
    expect(strFromU8(zip['config/node.toml'])).toMatch(/rpc_auth_token = \[redacted\]/);
    expect(JSON.parse(strFromU8(zip['config/env.json']))).toMatchObject({
      TB_RPC_AUTH_TOKEN: '[redacted]',
      TB_NODE_KEY_HEX: '[redacted]',
      TB_LOG_LEVEL: 'info',
    });
    expect(JSON.parse(strFromU8(zip['supervisor.json'])).recent_crashes).toHaveLength(1);
    expect(strFromU8(zip['metrics.txt'])).toMatch(/unavailable/);
    expect(JSON.parse(strFromU8(zip['versions.json'])).versions.node).toBe(process.versions.node);
    expect(r.bytes).toBe((await readFile(r.path)).byteLength);
  });

  it('redactor: literal values, secret-named assignments and bearer credentials', () => {
    const red = new Redactor(['literal-secret-value']);
    expect(red.text('x literal-secret-value y')).toBe('x [redacted] y');
    expect(red.text('{"rpc_auth_token":"abc","height":5}')).toBe(
      '{"rpc_auth_token":"[redacted]","height":5}',
    );
    expect(red.text('export TB_NODE_KEY_HEX=00ff\nTB_LOG_LEVEL=info')).toBe(
      'export TB_NODE_KEY_HEX=[redacted]\nTB_LOG_LEVEL=info',
    );
    expect(red.text('Authorization: Bearer abc.def')).toBe('Authorization: [redacted]');
    expect(red.text('curl -H "x: Bearer abc.def"')).toBe('curl -H "x: Bearer [redacted]"');
    expect(red.text('block hash 0xabc, height 7')).toBe('block hash 0xabc, height 7');
  });
});
