// The node's Tendermint engine on real chain DBs (temp dirs), four validators and a full node in
// one process, wired by an in-memory gossip bus: blocks are committed with commit certificates
// that verify, every node holds the same blocks, the consensus state file exists before any
// signature leaves, a block offered by sync without a valid certificate is refused, and a
// double-signing validator is caught everywhere with a re-verifiable proof.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { Chain } from '../../../src/node-core/chain/chain.js';
import { ConsensusEngine } from '../../../src/node-core/chain/engine.js';
import { genesisHash, type Genesis } from '../../../src/node-core/chain/genesis.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { decodeMessage, encodeCertificate, verifyCertificate } from '../../../src/node-core/chain/tendermint/wire.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex, toHex } from '../../../src/node-core/crypto/hash.js';
import { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';
import type { KeyPair } from '../../../src/node-core/wallet/keystore.js';

const kp = (): KeyPair => {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
};
const vals = [kp(), kp(), kp(), kp()];
const faucet = kp();
const body = {
  network: 'tmtest', chain_id: 4343, block_time_ms: 50, timestamp_ms: Date.now() - 60_000,
  validators: vals.map((v) => ({ address: v.address, public_key: toHex(v.publicKey), stake: '1000' })),
  accounts: [{ address: faucet.address, balance: '1000000' }],
};
const genesis: Genesis = { ...body, hash: genesisHash(body) };
const keys = { chainId: genesis.chain_id, keyOf: (a: string) => { const v = vals.find((x) => x.address.slice(3) === a); return v?.publicKey; } };
const stakes = new Map(vals.map((v) => [v.address.slice(3), 1000n]));

const pool = new VerifyPool(1);
const dirs: string[] = [];
const nodes: { chain: Chain; engine: ConsensusEngine; dir: string }[] = [];

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startNode(key: KeyPair, fault?: 'double_sign') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb tm-'));
  dirs.push(dir);
  const chain = await Chain.open({ dir: path.join(dir, 'chain'), genesis, nodeKey: key, verifyPool: pool });
  const engine = new ConsensusEngine({ chain, nodeKey: key, dataDir: dir, fault });
  const n = { chain, engine, dir };
  // The bus: every message reaches every other node, asynchronously and in any order.
  engine.publishBlock = (b) => { for (const o of nodes) if (o !== n) setImmediate(() => void o.engine.handleBlock(b)); };
  engine.publishVote = (v) => { for (const o of nodes) if (o !== n) setImmediate(() => o.engine.handleVote(v)); };
  nodes.push(n);
  return n;
}

afterAll(async () => {
  for (const n of nodes) await n.engine.stop();
  for (const n of nodes) await n.chain.close();
  await pool.close();
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('Tendermint in the node (4 validators + a full node, in-memory gossip)', () => {
  it('commits blocks with verifying commit certificates; all nodes hold the same chain; a double-signer is caught', async () => {
    for (const [i, v] of vals.entries()) await startNode(v, i === 3 ? 'double_sign' : undefined);
    const full = await startNode(kp());
    for (const n of nodes) await n.engine.start();
    const tx = signTransfer({ chainId: genesis.chain_id, publicKey: faucet.publicKey, secretKey: faucet.secretKey, to: vals[1].address, amount: 5n, fee: 1n, nonce: 0n });
    nodes[0].chain.submit(tx.bytes);
    for (const n of nodes.slice(1)) n.chain.submit(tx.bytes, { fromGossip: true });
    // The double-signer's evidence is committed in a block; 12 more blocks follow without it.
    const bad = vals[3].address.slice(3);
    await until('an exclusion everywhere', () => nodes.every((n) => n.engine.view().excluded_validators.length === 1));
    const from = full.engine.view().excluded_validators[0].from_height;
    await until('12 blocks after the exclusion everywhere', () => nodes.every((n) => n.chain.headBlock().header.height >= from + 12));
    for (const n of nodes) expect(n.engine.view().excluded_validators).toEqual([{ address: vals[3].address, from_height: from }]);
    const withEvidence = (await full.chain.blockAt(from - 1))!;
    expect(withEvidence.evidence.length).toBe(1);
    for (let h = 1; h <= from + 12; h++) {
      const hashes = new Set(await Promise.all(nodes.map(async (n) => n.chain.hashAt(h))));
      expect(hashes.size, `block ${h}`).toBe(1);
      const b = (await full.chain.blockAt(h))!;
      if (h !== from - 1) expect(b.evidence.length, `evidence in block ${h}`).toBe(0);
      const cert = await full.chain.certificateAt(h);
      expect(cert, `certificate ${h}`).toBeDefined();
      // From the exclusion height on, > 2/3 of the active stake (3000) certifies.
      const active = h >= from ? new Map([...stakes].filter(([a]) => a !== bad)) : stakes;
      expect(verifyCertificate(cert!, b, keys, active).height).toBe(h);
      // proposer(h, r) runs over the active validators: the excluded one builds no block from then on.
      if (h >= from) expect(toHex(b.header.proposer)).not.toBe(bad);
    }
    const proposers = new Set<string>();
    for (let h = from; h <= from + 12; h++) proposers.add(toHex((await full.chain.blockAt(h))!.header.proposer));
    expect(proposers.size).toBe(3);
    // Every committed block is final at once.
    for (const n of nodes) expect(n.chain.finalized().height).toBe(n.chain.headBlock().header.height);
    expect((await full.chain.accountState(faucet.address)).nonce).toBe(1n);
    // The validators' consensus state files exist (saved before they signed anything).
    for (const n of nodes.slice(0, 4)) await expect(fs.stat(path.join(n.dir, 'consensus', 'priv_validator_state.json'))).resolves.toBeDefined();
    // The double-signer (validator 4) is caught by every other node, with a proof that re-verifies.
    await until('evidence everywhere', () => nodes.slice(0, 3).concat(full).every((n) => n.engine.evidence.has(vals[3].address.slice(3))));
    const view = full.engine.view();
    expect(view.equivocated_stake).toBe('1000');
    expect(view.excluded_stake).toBe('1000');
    expect(view.effective_total_stake).toBe('3000');
    expect(view.finality_threshold).toBe('2001');
    expect(view.validators.find((v) => v.address === vals[3].address)?.excluded_from_height).toBe(from);
    expect(view.consensus).toMatchObject({ protocol: 'tendermint' });
    const e = view.equivocations[0];
    expect(e.validator).toBe(vals[3].address);
    const [a, b] = e.votes.map((m) => decodeMessage(fromHex(m.signed_message), keys).msg);
    expect(a.from).toBe(b.from);
    expect(a.type).toBe(b.type);
    expect(e.votes[0].block_hash).not.toBe(e.votes[1].block_hash);
  }, 120_000);

  it('sync refuses a block without a valid commit certificate and takes it with one', async () => {
    const lone = await (async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb tm-'));
      dirs.push(dir);
      const chain = await Chain.open({ dir: path.join(dir, 'chain'), genesis, nodeKey: kp(), verifyPool: pool });
      return { chain, engine: new ConsensusEngine({ chain, nodeKey: kp() }) };
    })();
    try {
      const src = nodes[0].chain;
      const b1 = (await src.blockAt(1))!;
      const good = (await src.certificateAt(1))!;
      await expect(lone.engine.adoptBlocks([b1.bytes], [new Uint8Array(0)])).rejects.toThrow(ImportError);
      // A certificate with one precommit (1000 of 4000) is not > 2/3.
      const weak = encodeCertificate({ height: 1, round: 0, hashHex: b1.hashHex, precommits: [] });
      await expect(lone.engine.adoptBlocks([b1.bytes], [weak])).rejects.toThrow(/not more than 2\/3/);
      // Block 2's certificate does not certify block 1.
      await expect(lone.engine.adoptBlocks([b1.bytes], [(await src.certificateAt(2))!])).rejects.toThrow(/certificate/);
      expect(lone.chain.headBlock().header.height).toBe(0);
      expect((await lone.engine.adoptBlocks([b1.bytes], [good])).imported).toBe(1);
      expect(lone.chain.finalized().height).toBe(1);
      // Sync past the exclusion: certificates are checked against the set active at each height,
      // and the synced node holds the same exclusion (it is chain state).
      const head = src.headBlock().header.height;
      const bytes: Uint8Array[] = [];
      const certs: Uint8Array[] = [];
      for (let h = 2; h <= head; h++) {
        bytes.push((await src.blockAt(h))!.bytes);
        certs.push((await src.certificateAt(h))!);
      }
      // The range is group-committed: one synced write for the whole run, and finality never runs
      // ahead of what is synced (each certified block is final only after the fsync that covers it).
      type Db = { commitBlocks(cs: { height: number }[], o?: { sync?: boolean }): Promise<void>; putMeta(e: [string, Uint8Array][]): Promise<void> };
      const db = (lone.chain as unknown as { db: Db }).db;
      const [commitBlocks, putMeta] = [db.commitBlocks.bind(db), db.putMeta.bind(db)];
      let synced = lone.chain.finalized().height;
      const writes: boolean[] = [];
      const finalityAhead: number[] = [];
      const watch = () => {
        if (lone.chain.finalized().height > synced) finalityAhead.push(lone.chain.finalized().height);
      };
      db.commitBlocks = async (cs, o) => {
        watch();
        writes.push(o?.sync ?? true);
        await commitBlocks(cs, o);
        if (o?.sync ?? true) synced = cs[cs.length - 1].height;
      };
      db.putMeta = async (e) => {
        watch();
        const h = lone.chain.headBlock().header.height;
        await putMeta(e);
        synced = h;
      };
      const adopted = lone.engine.adoptBlocks(bytes, certs);
      const poll = setInterval(watch, 1);
      expect((await adopted).imported).toBe(head - 1);
      clearInterval(poll);
      watch();
      expect(finalityAhead).toEqual([]);
      expect(writes.filter((x) => x).length).toBeLessThanOrEqual(1);
      expect(lone.chain.finalized().height).toBe(head);
      expect(lone.engine.view().excluded_validators).toEqual(nodes[0].engine.view().excluded_validators);
      expect(toHex(lone.chain.headBlock().header.stateRoot)).toBe(toHex(src.headBlock().header.stateRoot));
      // Replay from genesis re-checks the evidence and reproduces every state root, the exclusion included.
      await lone.engine.stop();
      await lone.chain.close();
      const dir = dirs[dirs.length - 1];
      await fs.writeFile(path.join(dir, 'chain', 'genesis.json'), JSON.stringify(genesis));
      const r = await replayFromGenesis(path.join(dir, 'chain'));
      expect(r).toMatchObject({ ok: true, height: head, stateRoot: toHex(src.headBlock().header.stateRoot) });
    } finally {
      await lone.engine.stop();
      await lone.chain.close().catch(() => {});
    }
  });
});
