/**
 * The operator flow of issue 14 with real processes: `contract-cli energy register` against a
 * dev node whose key file is examples/energy/oracle-keys.json, `tb-mock-oracle` signing readings
 * with those keys (checked here by an independent verifier), `POST /meter/:id/submit` accepted
 * end to end, `submit-reading --file`, the offline `verify-reading` verdicts, `market --verbose`,
 * `settle`; the oracle's --help, its refusal of a non-loopback address and its clean shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { cleanEnv, REPO, removeTemp, runCli, tempDir } from '../node/helpers.js';

const ORACLE = path.join(REPO, 'bin/tb-mock-oracle.mjs');
const KEYS = path.join(REPO, 'examples/energy/oracle-keys.json');
let dir: string;
let node: Node | undefined;
let rpcUrl: string;
let oracle: ChildProcess | undefined;
let oracleUrl: string;

const cli = (args: string[]) => runCli('contract-cli', ['energy', ...args, '--rpc', rpcUrl]);
function runOracle(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [ORACLE, ...args], { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  for (const c of ['READ', 'SUBMIT', 'SETTLE', 'DISPUTE']) process.env[`TB_RPC_ENERGY_${c}_TOKENS_PER_SEC`] = '0';
  dir = await tempDir('tb-energy-cli');
  const { config } = loadConfig({
    cwd: os.tmpdir(),
    env: { TB_ENERGY_PROVIDER_KEYS_FILE: KEYS },
    flags: { data_dir: path.join(dir, 'node'), rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '400', log_level: 'warn', rpc_tokens_per_sec: '10000' },
  });
  node = await Node.start(config, { stdout: false });
  rpcUrl = `http://127.0.0.1:${node.rpcPort}`;
  oracle = spawn(process.execPath, [ORACLE, '--listen', '127.0.0.1:0', '--keys', KEYS, '--node', rpcUrl], { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  oracleUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    oracle!.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    oracle!.once('exit', (code) => reject(new Error(`oracle exited ${code}`)));
  });
}, 60_000);
afterAll(async () => {
  if (oracle && oracle.exitCode === null) oracle.kill('SIGTERM');
  await node?.stop();
  await removeTemp(dir);
});

describe('energy operator flow: contract-cli + tb-mock-oracle', () => {
  let meterHash: string;

  it('registers a provider from the CLI', async () => {
    const r = await cli(['register', '--capacity-kwh', '500', '--price', '25', '--meter', 'meter-01', '--jurisdiction', 'US_CA', '--stake', '1500']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/registered energy-0x00000000 on meter meter-01 at block \d+ \(stake 1500, rehearsal: not escrowed\)/);
    expect(r.code).toBe(0);
  }, 180_000);

  it('the oracle signs real Ed25519 readings (independent check) and submits one end to end', async () => {
    const reading: any = await (await fetch(`${oracleUrl}/meter/meter-01/reading`)).json();
    expect(reading).toMatchObject({ provider_id: 'energy-0x00000000', meter_address: 'meter-01', kwh_reading: 250, nonce: 1 });
    const keys = JSON.parse(await fs.readFile(KEYS, 'utf8')).meters[0];
    const u64 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      return b;
    };
    const te = new TextEncoder();
    const h = blake3.create();
    for (const p of [te.encode(reading.provider_id), te.encode(reading.meter_address), u64(reading.kwh_reading), u64(reading.timestamp), u64(reading.nonce)]) h.update(p);
    expect(await ed.verifyAsync(Buffer.from(reading.signature, 'hex'), h.digest(), Buffer.from(keys.public_key_hex, 'hex'))).toBe(true);
    const sub: any = await (await fetch(`${oracleUrl}/meter/meter-01/submit`, { method: 'POST' })).json();
    expect(sub).toMatchObject({ status: 'ok', result: { status: 'pending', credit: { provider: 'energy-0x00000000', amount_kwh: 500 } } });
    meterHash = sub.result.credit.meter_hash;
  });

  it('submit-reading --file, verify-reading offline (valid and tampered), market --verbose, settle', async () => {
    const file = path.join(dir, 'reading.json');
    await fs.writeFile(file, JSON.stringify(await (await fetch(`${oracleUrl}/meter/meter-01/reading`)).json()));
    // submitted first: on a loaded machine the offline check can outlast the 30-block oracle timeout
    const s = await cli(['submit-reading', '--file', file]);
    expect(s.stdout, s.stderr).toMatch(/credit 250 kWh to energy-0x00000000, meter_hash [0-9a-f]{64} \(accepted → pending → included in block \d+, tx [0-9a-f]{64}\)/);
    const v = await runCli('contract-cli', ['energy', 'verify-reading', '--file', file, '--keys', KEYS]);
    expect(v.stdout).toMatch(/^VALID: ok/);
    expect(v.code).toBe(0);
    const tampered = { ...JSON.parse(await fs.readFile(file, 'utf8')), kwh_reading: 9999 };
    await fs.writeFile(file, JSON.stringify(tampered));
    const bad = await runCli('contract-cli', ['energy', 'verify-reading', '--file', file, '--keys', KEYS]);
    expect(bad.stdout).toMatch(/^INVALID: invalid_signature/);
    expect(bad.code).toBe(1);
    const m = await cli(['market', '--verbose']);
    const snap = JSON.parse(m.stdout);
    expect(snap.providers[0]).toMatchObject({ provider_id: 'energy-0x00000000', readings: 2, last_meter_value: 750 });
    const st = await cli(['settle', '--provider', 'energy-0x00000000', '--kwh', '40', '--meter-hash', meterHash]);
    expect(st.stdout).toMatch(/receipt: 40 kWh of energy-0x00000000, paid 1000, treasury fee 25 at block \d+ \(rehearsal: no value moved\)/);
    const again = await cli(['settle', '--provider', 'energy-0x00000000', '--kwh', '9999', '--meter-hash', meterHash]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/available|credit/);
  }, 420_000);

  it('oracle: --help, refuses a non-loopback address without --allow-remote, stops cleanly on SIGTERM', async () => {
    const h = await runOracle(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('GET  /meter/:id/reading');
    const r = await runOracle(['--listen', '0.0.0.0:0', '--keys', KEYS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address/);
    const exited = new Promise<number | null>((resolve) => oracle!.once('exit', (code) => resolve(code)));
    oracle!.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
