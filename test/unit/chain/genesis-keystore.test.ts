// Dev genesis instantiation/reuse/refusal and the keystore (0600 files, names, faucet on dev).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/api/errors.js';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { devFaucetKeys, genesisHash, GenesisError, loadGenesisTemplate, loadOrCreateGenesis } from '../../../src/node-core/chain/genesis.js';
import { keysFromSeed } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex } from '../../../src/node-core/crypto/hash.js';
import { Keystore, KeyFileError, loadOrCreateNodeKey } from '../../../src/node-core/wallet/keystore.js';
import { tempRoot } from './helpers.js';

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await fs.rm(r, { recursive: true, force: true });
});
async function root() {
  const r = await tempRoot('tb genesis ünï-');
  roots.push(r);
  return r;
}
const mode = async (f: string) => (await fs.stat(f)).mode & 0o777;

describe('dev genesis', () => {
  it('template: chain id, block time, faucet with a documented insecure seed and 1e9 base units', async () => {
    const t = await loadGenesisTemplate('dev');
    expect(t).toMatchObject({ network: 'dev', chain_id: 31337, block_time_ms: 1000, validators: [] });
    expect(t.dev_faucet!.WARNING).toMatch(/INSECURE/);
    const k = keysFromSeed(fromHex(t.dev_faucet!.seed));
    expect(addressOf(k.publicKey)).toBe(t.dev_faucet!.address);
    expect(t.accounts).toEqual([{ address: t.dev_faucet!.address, balance: '1000000000' }]);
    expect((await devFaucetKeys('dev')).address).toBe(t.dev_faucet!.address);
  });

  it('is created with the node key as the single validator, persisted, reused, and refused when it does not match', async () => {
    const r = await root();
    const nodeKey = await loadOrCreateNodeKey(r);
    const g = await loadOrCreateGenesis(r, 'dev', nodeKey);
    expect(g.validators).toEqual([{ address: nodeKey.address, public_key: Buffer.from(nodeKey.publicKey).toString('hex'), stake: '1' }]);
    expect(g.timestamp_ms).toBeGreaterThan(0);
    const { hash, ...body } = g;
    expect(hash).toBe(genesisHash(body));
    const file = path.join(r, 'chain', 'genesis.json');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(g);
    expect(await loadOrCreateGenesis(r, 'dev', nodeKey)).toEqual(g); // reused, not re-created
    // another node key: refused
    const r2 = await root();
    const otherKey = await loadOrCreateNodeKey(r2);
    await expect(loadOrCreateGenesis(r, 'dev', otherKey)).rejects.toThrow(/not this node's key/);
    // tampered: refused with the way out
    await fs.writeFile(file, JSON.stringify({ ...g, accounts: [{ address: g.accounts[0].address, balance: '2000000000' }] }));
    const err = await loadOrCreateGenesis(r, 'dev', nodeKey).catch((e) => e);
    expect(err).toBeInstanceOf(GenesisError);
    expect(err.message).toMatch(/was modified.*move .*chain aside/);
    await fs.writeFile(file, '{ not json');
    await expect(loadOrCreateGenesis(r, 'dev', nodeKey)).rejects.toThrow(/cannot be read/);
    await expect(loadOrCreateGenesis(r, 'nosuchnet', nodeKey)).rejects.toThrow(/no genesis for network "nosuchnet"/);
  });
});

describe('keystore', () => {
  it('node key: created once with mode 0600 and reloaded identically', async () => {
    const r = await root();
    const a = await loadOrCreateNodeKey(r);
    const b = await loadOrCreateNodeKey(r);
    expect(b).toEqual(a);
    expect(a.secretKey.length).toBe(64);
    expect(await mode(path.join(r, 'keys', 'node_key.json'))).toBe(0o600);
    await fs.writeFile(path.join(r, 'keys', 'node_key.json'), '{"version":1}');
    await expect(loadOrCreateNodeKey(r)).rejects.toBeInstanceOf(KeyFileError);
  });

  it('creates, lists and gets wallets; faucet on dev; clear errors for names', async () => {
    const r = await root();
    const ks = new Keystore(r, 'dev');
    const faucet = await devFaucetKeys('dev');
    expect(await ks.list()).toEqual({ wallets: [{ name: 'faucet', address: faucet.address }], unreadable: [] });
    const alice = await ks.create('alice');
    expect(alice.address).toMatch(/^tb1[0-9a-f]{40}$/);
    expect(await mode(path.join(r, 'keys', 'wallets', 'alice.json'))).toBe(0o600);
    const bob = await ks.create('bob_2');
    expect(await ks.list()).toEqual({ wallets: [{ name: 'faucet', address: faucet.address }, alice, bob], unreadable: [] });
    const k = await ks.get('alice');
    expect(k.address).toBe(alice.address);
    expect(addressOf(k.publicKey)).toBe(alice.address);
    expect((await ks.get('faucet')).address).toBe(faucet.address);
    await expect(ks.create('alice')).rejects.toMatchObject({ code: ErrorCode.Application, data: { reason: 'duplicate' } });
    await expect(ks.create('faucet')).rejects.toMatchObject({ data: { reason: 'duplicate' } });
    await expect(ks.create('Alice!')).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(ks.create('x'.repeat(33))).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(ks.get('carol')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(ks.get('../keys/node_key')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    // off dev there is no faucet
    const ks2 = new Keystore(r, 'testnet');
    expect((await ks2.list()).wallets.map((w) => w.name)).toEqual(['alice', 'bob_2']);
    await expect(ks2.get('faucet')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
