// Energy roles and rate limits (spec/energy.md §6): tokens from env or secrets/energy_*.token,
// admin ⊇ oracle ⊇ provider, admin falling back to the RPC token, IPC always the operator;
// per-IP buckets per method class answering −32001; −33009 with the role needed.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnergyAccess } from '../../../src/node-core/energy/access.js';

const http = (bearer?: string, remote = '10.0.0.1') => ({ transport: 'http' as const, remote, headers: (bearer ? { authorization: `Bearer ${bearer}` } : {}) as Record<string, string> });
const code = (f: () => void): number | 'ok' => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: number }).code;
  }
};
const NO_LIMITS = { TB_RPC_ENERGY_READ_TOKENS_PER_SEC: '0', TB_RPC_ENERGY_SUBMIT_TOKENS_PER_SEC: '0', TB_RPC_ENERGY_SETTLE_TOKENS_PER_SEC: '0', TB_RPC_ENERGY_DISPUTE_TOKENS_PER_SEC: '0' };

describe('energy access', () => {
  it('roles: admin ⊇ oracle ⊇ provider; IPC is the operator; wrong tokens get −33009', () => {
    const a = new EnergyAccess('/nonexistent', undefined, { ...NO_LIMITS, TB_ENERGY_ADMIN_TOKEN: 'adm', TB_ENERGY_ORACLE_TOKEN: 'ora', TB_ENERGY_PROVIDER_TOKEN: 'pro' });
    expect(code(() => a.check(http('ora'), 'oracle', 'submit', 'energy.submit_reading'))).toBe('ok');
    expect(code(() => a.check(http('adm'), 'oracle', 'submit', 'energy.submit_reading'))).toBe('ok');
    expect(code(() => a.check(http('pro'), 'oracle', 'submit', 'energy.submit_reading'))).toBe(-33009);
    expect(code(() => a.check(http('ora'), 'admin', 'settle', 'energy.settle'))).toBe(-33009);
    expect(code(() => a.check(http('pro'), 'provider', 'read', 'energy.market_state'))).toBe('ok');
    expect(code(() => a.check(http(), 'provider', 'read', 'energy.market_state'))).toBe(-33009);
    expect(code(() => a.check({ transport: 'ipc' }, 'admin', 'settle', 'energy.settle'))).toBe('ok');
  });

  it('tokens from secrets files; admin falls back to the RPC token; an open node stays open', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-energy-acc-'));
    await fs.mkdir(path.join(root, 'secrets'));
    await fs.writeFile(path.join(root, 'secrets', 'energy_oracle.token'), 'file-oracle\n');
    const a = new EnergyAccess(root, 'rpc-tok', NO_LIMITS);
    expect(code(() => a.check(http('file-oracle'), 'oracle', 'submit', 'x'))).toBe('ok');
    expect(code(() => a.check(http('rpc-tok'), 'admin', 'settle', 'x'))).toBe('ok');
    expect(code(() => a.check(http('file-oracle'), 'admin', 'settle', 'x'))).toBe(-33009);
    const open = new EnergyAccess('/nonexistent', undefined, NO_LIMITS);
    expect(code(() => open.check(http(), 'admin', 'settle', 'x'))).toBe('ok');
    const rpcOnly = new EnergyAccess('/nonexistent', 'rpc-tok', NO_LIMITS);
    expect(code(() => rpcOnly.check(http(), 'provider', 'read', 'x'))).toBe('ok');
    expect(code(() => rpcOnly.check(http(), 'oracle', 'submit', 'x'))).toBe(-33009);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('per-IP, per-class buckets: the submit class (100/min by default) runs dry (−32001, then banned −32002) while reads still pass; other IPs unaffected', () => {
    const a = new EnergyAccess('/nonexistent', undefined, {});
    const codes: (number | 'ok')[] = [];
    for (let i = 0; i < 50; i++) codes.push(code(() => a.check(http(undefined, '10.0.0.9'), 'oracle', 'submit', 'energy.submit_reading')));
    // the bucket starts with rate-per-second tokens (1.67): one passes, the next is −32001, then the address is banned
    expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(2);
    const first = codes.indexOf(-32001);
    expect(first).toBeGreaterThan(0);
    expect(codes.slice(first + 1).every((c) => c === -32002)).toBe(true);
    expect(code(() => a.check(http(undefined, '10.0.0.9'), 'provider', 'read', 'energy.market_state'))).toBe('ok');
    expect(code(() => a.check(http(undefined, '10.0.0.10'), 'oracle', 'submit', 'energy.submit_reading'))).toBe('ok');
  });
});
