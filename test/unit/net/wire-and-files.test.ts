// Wire formats (bounded, strict), network files (schema, genesis hash, name/path resolution), the
// overlay peer store (atomic JSON, reload, purge), bans, and the chaos hook's settings.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { genesisHash } from '../../../src/node-core/chain/genesis.js';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { Chaos } from '../../../src/node-core/net/chaos.js';
import { listenMultiaddr } from '../../../src/node-core/net/host.js';
import { loadNetworkGenesis, networkFileOf, parseNetworkFile, resolveNetwork, writeNetworkFile } from '../../../src/node-core/net/network-file.js';
import { peerAddr } from '../../../src/node-core/net/network.js';
import { PeerStore } from '../../../src/node-core/net/peer-store.js';
import { BAN_SCORE, PeerBook } from '../../../src/node-core/net/peers.js';
import {
  decodeBlocksRequest, decodeBlocksResponse, decodeStatus, encodeBlocksRequest, encodeBlocksResponse, encodeStatus, MAX_SYNC_BLOCKS, topicName,
} from '../../../src/node-core/net/protocol.js';
import { loadConfig } from '../../../src/node-core/node-config.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'tb net ü-'));
  dirs.push(d);
  return d;
}

function genesis(name = 'testnet-a') {
  const k = generateKeys();
  const body = { network: name, chain_id: 9, block_time_ms: 500, timestamp_ms: 1, validators: [{ address: addressOf(k.publicKey), public_key: toHex(k.publicKey), stake: '5' }], accounts: [] };
  return { ...body, hash: genesisHash(body) };
}

describe('wire formats', () => {
  it('round-trips a status and rejects oversized or malformed ones', () => {
    const s = { chainId: 9, genesisHash: 'aa'.repeat(32), headHeight: 7, headHash: 'bb'.repeat(32), finalizedHeight: 5, finalizedHash: 'cc'.repeat(32), agent: 'the-block/0.1.0' };
    expect(decodeStatus(encodeStatus(s))).toEqual(s);
    expect(() => decodeStatus(new Uint8Array(600))).toThrow(/bytes/);
    expect(() => decodeStatus(encodeCanonical([9, new Uint8Array(31), 0, new Uint8Array(32), 0, new Uint8Array(32), 'x']))).toThrow(/32 bytes/);
    expect(() => decodeStatus(encodeCanonical([9, new Uint8Array(32), -1, new Uint8Array(32), 0, new Uint8Array(32), 'x']))).toThrow();
  });

  it('bounds block requests and responses', () => {
    expect(decodeBlocksRequest(encodeBlocksRequest(10, 128))).toEqual({ from: 10, count: 128 });
    expect(() => decodeBlocksRequest(encodeBlocksRequest(10, 0))).toThrow(/count/);
    expect(() => decodeBlocksRequest(encodeBlocksRequest(10, MAX_SYNC_BLOCKS + 1))).toThrow(/count/);
    expect(() => decodeBlocksRequest(new Uint8Array([0xff, 1, 2]))).toThrow();
    const r = { blocks: [new Uint8Array([1, 2]), new Uint8Array([3])], proof: [new Uint8Array([9])] };
    expect(decodeBlocksResponse(encodeBlocksResponse(r.blocks, r.proof))).toEqual(r);
    expect(() => decodeBlocksResponse(encodeCanonical([Array.from({ length: MAX_SYNC_BLOCKS + 1 }, () => new Uint8Array(1)), []]))).toThrow(/more than/);
    expect(() => decodeBlocksResponse(encodeCanonical([[1], []]))).toThrow(/byte string/);
  });

  it('names topics by chain id and genesis, and listen/peer addresses as multiaddrs', () => {
    expect(topicName(9, 'ab'.repeat(32), 'votes')).toBe('tb/9/abababababababab/votes');
    expect(listenMultiaddr('127.0.0.1:30333', 'quic')).toBe('/ip4/127.0.0.1/udp/30333/quic-v1');
    expect(listenMultiaddr('localhost:0', 'tcp')).toBe('/ip4/127.0.0.1/tcp/0');
    expect(() => listenMultiaddr('example.com:1', 'tcp')).toThrow(/IP address/);
    expect(peerAddr('127.0.0.1:4000')).toBe('/ip4/127.0.0.1/tcp/4000');
    expect(peerAddr('/ip4/127.0.0.1/udp/1/quic-v1')).toBe('/ip4/127.0.0.1/udp/1/quic-v1');
  });
});

describe('network files', () => {
  it('parses a valid file and refuses a modified genesis, a wrong hash or a name mismatch', () => {
    const g = genesis();
    const nf = networkFileOf(g, ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWAbc']);
    expect(parseNetworkFile(JSON.stringify(nf), 'x.json')).toEqual(nf);
    const modified = { ...nf, genesis: { ...nf.genesis, block_time_ms: 100 } };
    expect(() => parseNetworkFile(JSON.stringify(modified), 'x.json')).toThrow(/does not hash/);
    expect(() => parseNetworkFile(JSON.stringify({ ...nf, genesis_hash: '00'.repeat(32) }), 'x.json')).toThrow(/genesis_hash/);
    expect(() => parseNetworkFile(JSON.stringify({ ...nf, name: 'other' }), 'x.json')).toThrow(/differs/);
    expect(() => parseNetworkFile('{', 'x.json')).toThrow(/not valid JSON/);
    expect(() => parseNetworkFile(JSON.stringify({ ...nf, bootstrap: ['tcp://x'] }), 'x.json')).toThrow(/multiaddrs/);
  });

  it('--network takes a name or a file path; the config gets the name, the file and the default data dir', async () => {
    const d = await tmp();
    const g = genesis('my-net');
    const file = path.join(d, 'network.json');
    await writeNetworkFile(file, networkFileOf(g, []));
    expect(resolveNetwork('dev', d)).toEqual({ name: 'dev' });
    expect(resolveNetwork('./network.json', d)).toEqual({ name: 'my-net', file });
    expect(() => resolveNetwork('./missing.json', d)).toThrow(/does not exist/);
    const { config } = loadConfig({ flags: { network: './network.json' }, cwd: d, env: {}, home: d });
    expect(config).toMatchObject({ network: 'my-net', network_file: file, data_dir: path.join(d, '.the_block', 'my-net') });
    expect(() => loadConfig({ flags: { network: './nope.json' }, cwd: d, env: {}, home: d })).toThrow(/--network: network file .* does not exist/);
  });

  it('writes the genesis into a fresh data dir and refuses a data dir of another chain', async () => {
    const d = await tmp();
    const a = networkFileOf(genesis('net-a'), []);
    const b = networkFileOf(genesis('net-b'), []);
    expect(await loadNetworkGenesis(d, a)).toEqual(a.genesis);
    expect(JSON.parse(readFileSync(path.join(d, 'chain', 'genesis.json'), 'utf8')).hash).toBe(a.genesis_hash);
    expect(await loadNetworkGenesis(d, a)).toEqual(a.genesis);
    await expect(loadNetworkGenesis(d, b)).rejects.toThrow(/holds the chain of genesis .* not network "net-b"/);
  });
});

describe('peer store and bans', () => {
  it('persists peers atomically, reloads them, and purges on reseed', async () => {
    const d = await tmp();
    const file = path.join(d, 'overlay', 'overlay_peers.json');
    const s = new PeerStore(file);
    s.seen('12D3KooWA', '/ip4/127.0.0.1/tcp/1');
    s.seen('12D3KooWB', '/ip4/127.0.0.1/tcp/2');
    await s.flush();
    expect((await fs.readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = new PeerStore(file);
    expect((await again.load()).map((p) => p.peer_id).sort()).toEqual(['12D3KooWA', '12D3KooWB']);
    expect(await again.purge()).toBe(2);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
    await fs.writeFile(file, 'not json');
    expect(await new PeerStore(file).load()).toEqual([]);
  });

  it('bans a peer whose score falls to the ban score, persists and lifts bans', async () => {
    const d = await tmp();
    const banFile = path.join(d, 'peer_db', 'net_bans.json');
    const hung: string[] = [];
    const b = new PeerBook({ banFile, banSecs: 60, onBan: (id) => hung.push(id) });
    expect(b.penalize('p1', 'invalid_block')).toBe(false);
    expect(b.appScore('p1')).toBe(-40);
    b.penalize('p1', 'invalid_block');
    expect(b.penalize('p1', 'malformed_sync')).toBe(true);
    expect(b.appScore('p1')).toBeLessThanOrEqual(BAN_SCORE);
    expect(b.isBanned('p1')).toBe(true);
    for (let i = 0; i < 50 && hung.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hung).toEqual(['p1']);
    expect(b.penaltiesOf('p1')).toEqual({ invalid_block: 2, malformed_sync: 1 });
    for (let i = 0; i < 50 && !existsSync(banFile); i++) await new Promise((r) => setTimeout(r, 20));
    const reloaded = new PeerBook({ banFile, banSecs: 60 });
    await reloaded.load();
    expect(reloaded.isBanned('p1')).toBe(true);
    expect(reloaded.unban('p1')).toBe(true);
    expect(reloaded.isBanned('p1')).toBe(false);
  });

  it('chaos hook: loss percent, partition set, clear', () => {
    let r = 0;
    const c = new Chaos(() => r);
    expect(c.active).toBe(false);
    c.set({ loss_percent: 10, partition: ['x'] });
    r = 0.05;
    expect(c.drop()).toBe(true);
    r = 0.2;
    expect(c.drop()).toBe(false);
    expect(c.isCut('x')).toBe(true);
    c.clear();
    expect(c.active).toBe(false);
    expect(c.isCut('x')).toBe(false);
  });
});
