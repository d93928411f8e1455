// Streamed genesis build (chain/genesis-stream.ts) against the normal path (Chain.open creating
// block 0 from a genesis held in memory): same genesis hash, block 0, state root and every record.
import { ClassicLevel } from 'classic-level';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { Chain } from '../../../src/node-core/chain/chain.js';
import { genesisHash, GenesisError, GenesisHasher, type Genesis } from '../../../src/node-core/chain/genesis.js';
import { buildGenesisChain, type Allocation } from '../../../src/node-core/chain/genesis-stream.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { keysFromSeed } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { tempRoot } from './helpers.js';

const validator = keysFromSeed(new Uint8Array(32).fill(200));
const nodeKey = { ...validator, address: addressOf(validator.publicKey) };
const sender = keysFromSeed(new Uint8Array(32).fill(7));

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await fs.rm(r, { recursive: true, force: true });
});

function head(): Omit<Genesis, 'hash'> {
  return {
    network: 'bench', chain_id: 31337, block_time_ms: 1000, timestamp_ms: 1_700_000_000_000,
    validators: [{ address: nodeKey.address, public_key: toHex(validator.publicKey), stake: '1' }],
    accounts: [],
  };
}

/** n allocations: the sender, zero balances, several per bucket (shared 16-bit prefixes), a u64-max-ish one. */
function allocations(n: number): Allocation[] {
  const out: Allocation[] = [{ address: addressOf(sender.publicKey), balance: '1000000000' }];
  const rnd = randomBytes(20 * n);
  for (let i = 1; i < n; i++) {
    if (i % 5 === 0) rnd.copy(rnd, 20 * i, 20 * (i - 1), 20 * (i - 1) + 2); // same bucket as the previous one
    out.push({ address: 'tb1' + rnd.toString('hex', 20 * i, 20 * i + 20), balance: i % 7 === 0 ? '0' : String(1 + i * 1000) });
  }
  return out;
}

/** Every record of a closed chain DB, hex key → hex value. */
async function records(dir: string): Promise<Map<string, string>> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: false });
  const out = new Map<string, string>();
  for await (const [k, v] of db.iterator()) out.set(toHex(k), toHex(v));
  await db.close();
  return out;
}

async function* slowly(xs: Allocation[]): AsyncIterable<Allocation> {
  for (const [i, x] of xs.entries()) {
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    yield x;
  }
}

describe('streamed genesis build', () => {
  it.each([1, 23, 24, 300, 3000])('%i accounts: same genesis hash, block 0, state root and records as Chain.open in memory', async (n) => {
    const root = await tempRoot('tb genesis-stream-');
    roots.push(root);
    const accounts = allocations(n);
    const g: Genesis = { ...head(), accounts, hash: genesisHash({ ...head(), accounts }) };
    const normal = await Chain.open({ dir: path.join(root, 'normal'), genesis: g, nodeKey });
    const normalHead = normal.headBlock();
    await normal.close();

    const built = await buildGenesisChain(path.join(root, 'streamed'), head(), n, slowly(accounts));
    expect(built.genesis.hash).toBe(g.hash);
    expect(built.genesis.accounts).toEqual([]);
    expect(built.blockHash).toBe(normalHead.hashHex);
    expect(built.stateRoot).toBe(toHex(normalHead.header.stateRoot));
    expect(built.allocations).toBe(n);
    expect(built.accounts).toBe(accounts.filter((a) => a.balance !== '0').length);
    expect(existsSync(path.join(root, 'streamed.partial'))).toBe(false);
    const a = await records(path.join(root, 'normal'));
    const b = await records(path.join(root, 'streamed'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(b.get(k), k).toBe(v);
  });

  it('the streamed genesis hash equals genesisHash at every CBOR array-header size (up to 70,000 accounts, 4-byte count)', async () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536, 70_000]) {
      const accounts = allocations(Math.max(n, 1)).slice(0, n);
      const h = await GenesisHasher.create(head(), n);
      for (let i = 0; i < n; i += 5000) h.update(accounts.slice(i, i + 5000));
      expect(h.digest(), `${n} accounts`).toBe(genesisHash({ ...head(), accounts }));
    }
  });

  it('the built chain opens with the genesis head alone and produces a block', async () => {
    const root = await tempRoot('tb genesis-stream-');
    roots.push(root);
    const dir = path.join(root, 'chain');
    const built = await buildGenesisChain(dir, head(), 200, allocations(200));
    const chain = await Chain.open({ dir, genesis: built.genesis, nodeKey, mempool: { minFee: 1n } });
    try {
      expect(chain.headBlock().hashHex).toBe(built.blockHash);
      const from = addressOf(sender.publicKey);
      expect(chain.accountState(from).balance).toBe(1000000000n);
      chain.submit(signTransfer({ chainId: 31337, publicKey: sender.publicKey, secretKey: sender.secretKey, to: 'tb1' + '11'.repeat(20), amount: 1000n, fee: 1n, nonce: 0n }).bytes);
      const h = await chain.produceBlock();
      expect(h.tx_count).toBe(1);
    } finally {
      await chain.close();
    }
  });

  it('refuses a duplicate address, a count mismatch and a supply beyond u64, leaving no directory', async () => {
    const root = await tempRoot('tb genesis-stream-');
    roots.push(root);
    const dir = path.join(root, 'chain');
    const xs = allocations(50);
    await expect(buildGenesisChain(dir, head(), 51, [...xs, xs[17]])).rejects.toThrow(new GenesisError(`genesis: account ${xs[17].address} is listed twice`));
    await expect(buildGenesisChain(dir, head(), 49, xs)).rejects.toThrow(/more than the announced 49 accounts/);
    await expect(buildGenesisChain(dir, head(), 51, xs)).rejects.toThrow(/50 accounts were given, 51 announced/);
    const big = [{ address: 'tb1' + 'aa'.repeat(20), balance: '18446744073709551615' }, { address: 'tb1' + 'bb'.repeat(20), balance: '1' }];
    await expect(buildGenesisChain(dir, head(), 2, big)).rejects.toThrow(/total supply exceeds/);
    await expect(buildGenesisChain(dir, head(), 1, [{ address: 'tb1XYZ', balance: '1' }])).rejects.toThrow(/genesis account 0 is invalid: address/);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.partial`)).toBe(false);
  });

  it('kill -9 while the pages are written: nothing at the chain path; the next build completes', async () => {
    const root = await tempRoot('tb genesis-stream-');
    roots.push(root);
    const dir = path.join(root, 'chain');
    const mod = fileURLToPath(new URL('../../../src/node-core/chain/genesis-stream.ts', import.meta.url));
    const code = `import { buildGenesisChain } from ${JSON.stringify(mod)};
      const h = ${JSON.stringify(head())};
      function* xs() { for (let i = 0; i < 1e6; i++) yield { address: 'tb1' + i.toString(16).padStart(8, '0') + 'ab'.repeat(16), balance: '5' }; }
      await buildGenesisChain(${JSON.stringify(dir)}, h, 1e6, xs());`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    // Killed once LevelDB holds records (the page phase), long before block 0.
    while (!existsSync(path.join(`${dir}.partial`, 'CURRENT')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
    const built = await buildGenesisChain(dir, head(), 10, allocations(10));
    expect(existsSync(`${dir}.partial`)).toBe(false);
    expect((await records(dir)).size).toBeGreaterThan(10);
    expect(built.allocations).toBe(10);
  }, 120_000);

  it('a build that fails mid-stream leaves nothing at the chain path; a stale .partial is replaced', async () => {
    const root = await tempRoot('tb genesis-stream-');
    roots.push(root);
    const dir = path.join(root, 'chain');
    async function* broken(): AsyncIterable<Allocation> {
      yield* allocations(100);
      throw new Error('source died');
    }
    await expect(buildGenesisChain(dir, head(), 200, broken())).rejects.toThrow('source died');
    expect(existsSync(dir)).toBe(false);
    // A killed build's leftover: never opened, removed by the next build.
    await fs.mkdir(`${dir}.partial`, { recursive: true });
    await fs.writeFile(path.join(`${dir}.partial`, 'CURRENT'), 'junk');
    const built = await buildGenesisChain(dir, head(), 10, allocations(10));
    expect(existsSync(`${dir}.partial`)).toBe(false);
    const chain = await Chain.open({ dir, genesis: built.genesis, nodeKey });
    expect(chain.headBlock().hashHex).toBe(built.blockHash);
    await chain.close();
    await expect(buildGenesisChain(dir, head(), 10, allocations(10))).rejects.toThrow(/exists/);
  });
});
