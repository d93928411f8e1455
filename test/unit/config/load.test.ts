import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, dataDirGiven, KEYS, loadConfig, redactConfig } from '../../../src/node-core/node-config.js';

let dir: string;
const home = '/home/op';
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-config-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<string> {
  const p = path.join(dir, rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, text);
  return p;
}

function load(o: Parameters<typeof loadConfig>[0] = {}) {
  return loadConfig({ cwd: dir, home, env: {}, ...o });
}

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it("follow the console's first-run data folder (~/.the_block/console.json); flags and env still win", async () => {
    const chosen = path.join(dir, 'tb data ü');
    await fs.mkdir(path.join(home, '.the_block'), { recursive: true });
    const file = path.join(home, '.the_block', 'console.json');
    await fs.writeFile(file, JSON.stringify({ version: 1, data_parent: chosen, network: 'dev', keep_running: false, rpc_auth: false, completed_at_ms: 1 }));
    try {
      const { config, sources } = load();
      expect(config.data_dir).toBe(path.join(chosen, 'dev'));
      expect(sources.data_dir).toBe(`the console's first run (${file})`);
      // Still a default for the console (its saved network applies): not a choice of the operator's.
      expect(dataDirGiven(sources)).toBe(false);
      expect(dataDirGiven(load({ env: { TB_DATA_DIR: '/srv/tb' } }).sources)).toBe(true);
      expect(load({ env: { TB_NETWORK: 'testnet' } }).config.data_dir).toBe(path.join(chosen, 'testnet'));
      expect(load({ env: { TB_DATA_DIR: '/srv/tb' } }).config.data_dir).toBe('/srv/tb');
      await fs.writeFile(file, '{ not json');
      expect(load().config.data_dir).toBe(path.join(home, '.the_block', 'dev'));
    } finally {
      await fs.rm(file, { force: true });
    }
  });


  it('uses the documented defaults with no file, .env, env or flags', () => {
    const { config, sources } = load();
    expect(config).toEqual({
      network: 'dev',
      data_dir: path.join(home, '.the_block', 'dev'),
      rpc_addr: '127.0.0.1:8545',
      metrics_addr: '127.0.0.1:26658',
      telemetry: true,
      rpc_tokens_per_sec: 100,
      rpc_allowed_hosts: [],
      rpc_cors_origins: [],
      log_level: 'info',
      log_max_size_mb: 10,
      log_max_files: 5,
      governor_enabled: false,
      governor_shadow_only: true,
      governor_sign: false,
      dns_dev_trade: false,
      energy_dev_trade: false,
      ad_policy_snapshot_keep: 336,
      p2p: true,
      p2p_quic_addr: '127.0.0.1:0',
      p2p_tcp_addr: '127.0.0.1:0',
      p2p_bootstrap: [],
      p2p_static_peers: [],
      p2p_ban_secs: 600,
      p2p_sync_interval_ms: 500,
      p2p_test_hooks: false,
      test_fault: 'none',
      simple_db_engine: 'file',
    });
    expect(sources.rpc_addr).toBe('default');
  });

  it('derives the default data dir from the final network', () => {
    const { config } = load({ env: { TB_NETWORK: 'testnet' } });
    expect(config.data_dir).toBe(path.join(home, '.the_block', 'testnet'));
  });
});

describe('loadConfig precedence: defaults < node.toml < .env < TB_* env < flags', () => {
  it('each layer overrides the one below, key by key', async () => {
    await write(
      'config/node.toml',
      'rpc_addr = "127.0.0.1:1001"\nmetrics_addr = "127.0.0.1:2001"\nlog_level = "debug"\nblock_time_ms = 500\nrpc_tokens_per_sec = 7\n',
    );
    await write(
      '.env',
      'TB_METRICS_ADDR=127.0.0.1:2002\nTB_LOG_LEVEL=warn\nTB_BLOCK_TIME_MS=400\nOTHER_TOOL=x\n',
    );
    const { config, sources } = load({
      env: { TB_LOG_LEVEL: 'error', TB_BLOCK_TIME_MS: '300', PATH: '/bin' },
      flags: { block_time_ms: '200' },
    });
    expect(config.rpc_tokens_per_sec).toBe(7);
    expect(sources.rpc_tokens_per_sec).toBe(path.join('config', 'node.toml'));
    expect(config.rpc_addr).toBe('127.0.0.1:1001');
    expect(config.metrics_addr).toBe('127.0.0.1:2002');
    expect(sources.metrics_addr).toBe('.env');
    expect(config.log_level).toBe('error');
    expect(sources.log_level).toBe('TB_LOG_LEVEL');
    expect(config.block_time_ms).toBe(200);
    expect(sources.block_time_ms).toBe('--block-time-ms');
  });

  it('reads an explicit --config / --env-file and TB_CONFIG', async () => {
    const toml = await write('elsewhere/a.toml', 'network = "testnet"\n');
    const envf = await write('elsewhere/vars', 'TB_RPC_ADDR=127.0.0.1:9999\n');
    const r = load({ configFile: toml, envFile: envf });
    expect(r.config.network).toBe('testnet');
    expect(r.config.rpc_addr).toBe('127.0.0.1:9999');
    expect(r.configFile).toBe(toml);
    expect(load({ env: { TB_CONFIG: toml } }).config.network).toBe('testnet');
  });

  it('never mutates process.env', async () => {
    await write('.env', 'TB_RPC_ADDR=127.0.0.1:4444\n');
    const before = process.env.TB_RPC_ADDR;
    loadConfig({ cwd: dir, home });
    expect(process.env.TB_RPC_ADDR).toBe(before);
  });

  it('parses booleans, lists and numbers from strings; `~` and relative data dirs become absolute', async () => {
    const r = load({
      env: {
        TB_ENABLE_TELEMETRY: 'off',
        TB_RPC_ALLOWED_HOSTS: 'node.lan, 10.0.0.2',
        TB_RPC_TOKENS_PER_SEC: '16.67',
        TB_DATA_DIR: '~/data dir/ünï',
      },
    });
    expect(r.config.telemetry).toBe(false);
    expect(r.config.rpc_allowed_hosts).toEqual(['node.lan', '10.0.0.2']);
    expect(r.config.rpc_tokens_per_sec).toBe(16.67);
    expect(r.config.data_dir).toBe(path.join(home, 'data dir', 'ünï'));
    expect(load({ flags: { data_dir: 'rel/x' } }).config.data_dir).toBe(path.join(dir, 'rel', 'x'));
    expect(load({ flags: { telemetry: false } }).config.telemetry).toBe(false);
  });

  it('treats empty env values as unset and warns about unknown TB_* process variables', () => {
    const r = load({ env: { TB_RPC_AUTH_TOKEN: '', TB_RPC_ADR: 'x', TB_RPC_URL: 'http://127.0.0.1:1' } });
    expect(r.config.rpc_auth_token).toBeUndefined();
    expect(r.warnings).toEqual([
      'ignoring unknown environment variable TB_RPC_ADR (did you mean "TB_RPC_ADDR"?)',
    ]);
  });

  it('redacts the auth token', () => {
    const { config } = load({ env: { TB_RPC_AUTH_TOKEN: 's3cret-token' } });
    expect(config.rpc_auth_token).toBe('s3cret-token');
    expect(JSON.stringify(redactConfig(config))).not.toContain('s3cret');
  });
});

describe('loadConfig errors name the key and the file', () => {
  it('unknown key in node.toml', async () => {
    await write('config/node.toml', '# comment\nrpc_adr = "127.0.0.1:8545"\n');
    const e = configError(() => load());
    expect(e.message).toBe(
      `${path.join('config', 'node.toml')}: unknown key "rpc_adr" (did you mean "rpc_addr"?)`,
    );
    expect(e.key).toBe('rpc_adr');
    expect(e.exitCode).toBe(2);
  });

  it('unknown table in node.toml', async () => {
    await write('config/node.toml', '[rpc]\naddr = "x"\n');
    expect(configError(() => load()).message).toBe(`${path.join('config', 'node.toml')}: unknown key "rpc"`);
  });

  it('bad value in node.toml', async () => {
    await write('config/node.toml', 'rpc_addr = "localhost"\n');
    expect(configError(() => load()).message).toBe(
      `${path.join('config', 'node.toml')}: rpc_addr: must be host:port (e.g. 127.0.0.1:8545)`,
    );
  });

  it('wrong TOML type', async () => {
    await write('config/node.toml', 'telemetry = "yes"\n');
    expect(configError(() => load()).message).toContain('node.toml: telemetry: must be true or false');
  });

  it('bad values in env, .env and flags', async () => {
    expect(configError(() => load({ env: { TB_RPC_ADDR: 'nope' } })).message).toBe(
      'TB_RPC_ADDR: must be host:port (e.g. 127.0.0.1:8545)',
    );
    expect(configError(() => load({ env: { TB_RPC_ADDR: '127.0.0.1:70000' } })).message).toBe(
      'TB_RPC_ADDR: port 70000 is out of range: ports are 0–65535 (0 = any free port)',
    );
    expect(configError(() => load({ env: { TB_BLOCK_TIME_MS: '1e3' } })).message).toBe(
      'TB_BLOCK_TIME_MS: must be an integer number of ms',
    );
    expect(configError(() => load({ env: { TB_BLOCK_TIME_MS: '5' } })).message).toBe(
      'TB_BLOCK_TIME_MS: must be at least 50 ms',
    );
    expect(configError(() => load({ env: { TB_ENABLE_TELEMETRY: 'maybe' } })).message).toContain(
      'TB_ENABLE_TELEMETRY: must be true or false',
    );
    expect(configError(() => load({ env: { TB_LOG_LEVEL: 'loud' } })).message).toContain(
      'TB_LOG_LEVEL: must be one of trace, debug',
    );
    expect(configError(() => load({ env: { TB_NETWORK: 'Dev Net' } })).message).toContain(
      'TB_NETWORK: must be a network name',
    );
    for (const token of ['has space', 'abc✓defgh', 'tökénüxyz1'])
      expect(configError(() => load({ env: { TB_RPC_AUTH_TOKEN: token } })).message).toBe(
        'TB_RPC_AUTH_TOKEN: must be printable ASCII without spaces (it travels in an HTTP header)',
      );
    expect(load({ env: { TB_RPC_AUTH_TOKEN: 'A-z0.9_~!$%&*+/=?^`{|}' } }).config.rpc_auth_token).toBe('A-z0.9_~!$%&*+/=?^`{|}');
    await write('.env', 'TB_METRICS_ADDR=:26658\n');
    expect(configError(() => load()).message).toBe(
      '.env: TB_METRICS_ADDR: must be host:port (e.g. 127.0.0.1:8545)',
    );
    await fs.rm(path.join(dir, '.env'));
    expect(configError(() => load({ flags: { rpc_tokens_per_sec: '-3' } })).message).toBe(
      '--rpc-tokens-per-sec: must be a positive number',
    );
    // operator finding F9: -5 is an integer; the rule broken is the minimum
    expect(configError(() => load({ flags: { block_time_ms: '-5' } })).message).toBe(
      '--block-time-ms: must be at least 50 ms',
    );
    expect(configError(() => load({ env: { TB_BLOCK_TIME_MS: '-5' } })).message).toBe(
      'TB_BLOCK_TIME_MS: must be at least 50 ms',
    );
  });

  it('unknown TB_* key in .env', async () => {
    await write('.env', 'TB_RPC_ADR=127.0.0.1:1\n');
    const e = configError(() => load());
    expect(e.message).toBe('.env: unknown key "TB_RPC_ADR" (did you mean "TB_RPC_ADDR"?)');
  });

  it('never echoes a secret value in an error', () => {
    const e = configError(() => load({ env: { TB_RPC_AUTH_TOKEN: 'super secret' } }));
    expect(e.message).not.toContain('super');
  });

  it('corrupt node.toml names file, line and column', async () => {
    await write('config/node.toml', 'network = "dev"\nrpc_addr = "127.0.0.1:8545\nlog_level = "info"\n');
    const e = configError(() => load());
    expect(e.message).toMatch(
      new RegExp(`^${path.join('config', 'node.toml').replace(/[.\\]/g, '\\$&')}:2:\\d+: invalid TOML \\(`),
    );
  });

  it('missing explicit files', () => {
    expect(configError(() => load({ configFile: 'nope.toml' })).message).toBe(
      'nope.toml: config file not found',
    );
    expect(configError(() => load({ envFile: 'nope.env' })).message).toBe('nope.env: env file not found');
  });
});

describe('shipped config files', () => {
  const repo = path.resolve(import.meta.dirname, '../../..');
  it('config/node.toml loads and equals the defaults', () => {
    const viaFile = loadConfig({ cwd: dir, home, env: {}, configFile: path.join(repo, 'config/node.toml') });
    const defaults = loadConfig({ cwd: dir, home, env: {} });
    expect(viaFile.config).toEqual(defaults.config);
  });
  it('.env.example documents every key', async () => {
    const text = await fs.readFile(path.join(repo, '.env.example'), 'utf8');
    const toml = await fs.readFile(path.join(repo, 'config/node.toml'), 'utf8');
    for (const k of KEYS) {
      expect(text).toContain(k.env);
      expect(toml).toContain(k.key);
    }
    // Every line of .env.example is a comment or a known assignment, so copying it to .env is valid.
    await write('.env', text);
    expect(() => load()).not.toThrow();
  });
});
