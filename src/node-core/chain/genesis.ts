/**
 * Genesis: the chain's first state and parameters. Templates live in `<resources>/genesis/<network>.json` (resources.ts);
 * on first start the node writes the instantiated genesis to `<root>/chain/genesis.json` (atomically)
 * and reuses it on later starts. The dev template (`dev.json`) has a publicly known, INSECURE faucet
 * seed and no validators: the node's own key becomes the single validator, and `timestamp_ms: 0`
 * means "now".
 *
 * `hash` = BLAKE3 of canonical CBOR `[network, chain_id, block_time_ms, timestamp_ms,
 *   [[address, public_key hex, stake u64]…], [[address, balance u64]…]]`, 64 hex; block 0's
 * parent hash is this hash, so the whole chain commits to its genesis.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { genesisDir } from '../resources.js';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { z } from 'zod';
import { U64_MAX } from '../../shared/api/numbers.js';
import { blake3, fromHex, toHex } from '../crypto/hash.js';
import { keysFromSeed } from '../crypto/ed25519.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { addressOf } from './address.js';
import { makeBlock, ZERO_HASH, type Block } from './block.js';
import { encodeCanonical } from './codec.js';
import { State } from './state.js';

export interface Genesis {
  network: string;
  chain_id: number;
  block_time_ms: number;
  timestamp_ms: number;
  validators: { address: string; public_key: string; stake: string }[];
  accounts: { address: string; balance: string }[];
  hash: string;
}

/** Minimal key pair shape (see wallet/keystore.ts KeyPair). */
interface Keys {
  publicKey: Uint8Array;
  address: string;
}

export class GenesisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenesisError';
  }
}

const ADDR_RE = /^tb1[0-9a-f]{40}$/;
const DEC_RE = /^(0|[1-9][0-9]*)$/;
const zAddr = z.string().regex(ADDR_RE, 'must be tb1 followed by 40 lowercase hex digits');
const zDec = z.string().regex(DEC_RE, 'must be a decimal integer string').refine((s) => BigInt(s) <= U64_MAX, 'must fit in 64 bits');
const zBody = {
  network: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'network names are 1-32 of a-z 0-9 _ -'),
  chain_id: z.number().int().min(0).max(0xffffffff),
  block_time_ms: z.number().int().min(50).max(600_000),
  timestamp_ms: z.number().int().min(0),
  validators: z.array(z.object({ address: zAddr, public_key: z.string().regex(/^[0-9a-f]{64}$/), stake: zDec }).strict()),
  accounts: z.array(z.object({ address: zAddr, balance: zDec }).strict()),
};
const zTemplate = z.object({
  ...zBody,
  dev_faucet: z.object({ WARNING: z.string(), seed: z.string().regex(/^[0-9a-f]{64}$/), seed_ascii: z.string().optional(), public_key: z.string(), address: zAddr }).strict().optional(),
  notes: z.string().optional(),
}).strict();
const zGenesis = z.object({ ...zBody, hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
export type GenesisTemplate = z.infer<typeof zTemplate>;

function issuesText(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Genesis hash (see module doc). */
export function genesisHash(g: Omit<Genesis, 'hash'>): string {
  return toHex(
    blake3(
      encodeCanonical([
        g.network, g.chain_id, g.block_time_ms, g.timestamp_ms,
        g.validators.map((v) => [v.address, v.public_key, BigInt(v.stake)]),
        g.accounts.map((a) => [a.address, BigInt(a.balance)]),
      ]),
    ),
  );
}

/**
 * The genesis hash computed over allocations fed in order, for a list too large to hold
 * (chain/genesis-stream.ts): the same bytes `genesisHash` hashes — the canonical CBOR of the body
 * with the accounts array's header written for `count` items, then each `[address, balance]` item
 * — into one BLAKE3 (hash-wasm) hasher of its own.
 */
export class GenesisHasher {
  private fed = 0;
  private constructor(
    private readonly h: IHasher,
    readonly count: number,
  ) {}

  /** A hasher for a genesis `head` (its `accounts` are ignored) followed by `count` allocations. */
  static async create(head: Omit<Genesis, 'hash' | 'accounts'>, count: number): Promise<GenesisHasher> {
    const h = await createBLAKE3();
    h.init();
    // The body with an empty accounts array ends in that array's header (0x80): replace it by the
    // header for `count` items, which is the canonical CBOR of the unsigned integer `count` with
    // the major type set to 4 (array) — RFC 8949 §3.1: both are major type ‖ the same argument.
    const body = encodeCanonical([head.network, head.chain_id, head.block_time_ms, head.timestamp_ms, head.validators.map((v) => [v.address, v.public_key, BigInt(v.stake)]), []]);
    h.update(body.subarray(0, body.length - 1));
    const arr = Uint8Array.from(encodeCanonical(count));
    arr[0] |= 0x80;
    h.update(arr);
    return new GenesisHasher(h, count);
  }

  /** Feeds the next allocations (in genesis order). @throws GenesisError past `count`. */
  update(accounts: readonly { address: string; balance: string }[]): void {
    if (accounts.length === 0) return;
    this.fed += accounts.length;
    if (this.fed > this.count) throw new GenesisError(`more than the announced ${this.count} accounts`);
    // One CBOR array of the chunk, minus its own header = the items' bytes.
    const chunk = encodeCanonical(accounts.map((a) => [a.address, BigInt(a.balance)]));
    this.h.update(chunk.subarray(encodeCanonical(accounts.length).length));
  }

  /** The genesis hash (64 hex). @throws GenesisError unless exactly `count` allocations were fed. */
  digest(): string {
    if (this.fed !== this.count) throw new GenesisError(`${this.fed} accounts were given, ${this.count} announced`);
    return this.h.digest('hex');
  }
}

/**
 * Checks a genesis head (every field but the allocations; `accounts` must be empty): schema and
 * validator keys, as `readGenesisFile` does.
 * @throws GenesisError naming the field.
 */
export function checkGenesisHead(head: Omit<Genesis, 'hash'>, where = 'genesis'): void {
  const r = z.object(zBody).strict().safeParse(head);
  if (!r.success) throw new GenesisError(`${where} is invalid: ${issuesText(r.error)}`);
  if (head.accounts.length !== 0) throw new GenesisError(`${where}: a streamed genesis takes its accounts from the stream, not the head`);
  checkBody(head, where);
}

/** Checks one allocation of a streamed genesis (same rules as the file schema). @throws GenesisError. */
export function checkAllocation(a: { address: string; balance: string }, i: number): void {
  // Fast path for a valid allocation (millions of them): the schema's own rules; zod names the problem otherwise.
  if (typeof a.address === 'string' && typeof a.balance === 'string' && ADDR_RE.test(a.address) && DEC_RE.test(a.balance) && (a.balance.length < 20 || BigInt(a.balance) <= U64_MAX) && Object.keys(a).length === 2) return;
  const r = zBody.accounts.element.safeParse(a);
  if (!r.success) throw new GenesisError(`genesis account ${i} is invalid: ${issuesText(r.error)}`);
}

/**
 * Semantic checks shared by templates and instantiated files.
 * @throws GenesisError on duplicate accounts, a validator whose address is not its key's, or a supply beyond u64.
 */
function checkBody(g: Omit<Genesis, 'hash'>, where: string): void {
  const seen = new Set<string>();
  let supply = 0n;
  for (const a of g.accounts) {
    if (seen.has(a.address)) throw new GenesisError(`${where}: account ${a.address} is listed twice`);
    seen.add(a.address);
    supply += BigInt(a.balance);
  }
  if (supply > U64_MAX) throw new GenesisError(`${where}: total supply ${supply} exceeds 2^64-1 base units`);
  for (const v of g.validators) {
    if (addressOf(fromHex(v.public_key, 32)) !== v.address)
      throw new GenesisError(`${where}: validator ${v.address} does not match its public key`);
  }
}

/**
 * Reads and validates `resources/genesis/<network>.json`.
 * @throws GenesisError when the network has no template or the template is invalid.
 */
export async function loadGenesisTemplate(network: string, dir = genesisDir()): Promise<GenesisTemplate> {
  const file = path.join(dir, `${network}.json`);
  if (!/^[a-z0-9_-]{1,32}$/.test(network) || !existsSync(file))
    throw new GenesisError(`no genesis for network "${network}": expected ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new GenesisError(`genesis template ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const r = zTemplate.safeParse(raw);
  if (!r.success) throw new GenesisError(`genesis template ${file} is invalid: ${issuesText(r.error)}`);
  if (r.data.network !== network) throw new GenesisError(`genesis template ${file} is for network "${r.data.network}", not "${network}"`);
  checkBody(r.data, file);
  return r.data;
}

/**
 * Reads and checks an instantiated genesis file (schema, supply, validator keys, hash).
 * @throws GenesisError naming the file and the problem (plus `wayOut` when given).
 */
export async function readGenesisFile(file: string, wayOut = 'restore it from a backup'): Promise<Genesis> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new GenesisError(`genesis file ${file} cannot be read (${(err as Error).message}); ${wayOut}`);
  }
  const r = zGenesis.safeParse(raw);
  if (!r.success) throw new GenesisError(`genesis file ${file} is invalid: ${issuesText(r.error)}; ${wayOut}`);
  const g = r.data;
  checkBody(g, file);
  if (genesisHash(g) !== g.hash) throw new GenesisError(`genesis file ${file} was modified: its content does not match its hash ${g.hash}; ${wayOut}`);
  return g;
}

/**
 * Loads `<root>/chain/genesis.json`, or creates it from the network's template (dev: the node key is
 * the single validator; timestamp 0 → now) and persists it atomically.
 * @throws GenesisError when the stored genesis is unreadable, tampered (hash mismatch), for another
 *   network or chain id, or (dev) does not name this node key as its validator — each with the way out.
 */
export async function loadOrCreateGenesis(root: string, network: string, nodeKey: Keys): Promise<Genesis> {
  const file = path.join(root, 'chain', 'genesis.json');
  const template = await loadGenesisTemplate(network);
  const wayOut = `move ${path.join(root, 'chain')} aside to start a fresh chain, or restore the matching data directory from a backup`;
  if (existsSync(file)) {
    const g = await readGenesisFile(file, wayOut);
    if (g.network !== network) throw new GenesisError(`genesis file ${file} is for network "${g.network}", but the node runs "${network}"; use the data directory of "${network}" or ${wayOut}`);
    if (g.chain_id !== template.chain_id)
      throw new GenesisError(`genesis file ${file} has chain id ${g.chain_id}, but network "${network}" now uses ${template.chain_id}; ${wayOut}`);
    if (template.validators.length === 0 && !g.validators.some((v) => v.address === nodeKey.address))
      throw new GenesisError(`genesis file ${file} names validator ${g.validators.map((v) => v.address).join(', ')}, not this node's key ${nodeKey.address} (keys/node_key.json was replaced?); restore the original node key or ${wayOut}`);
    return g;
  }
  const body: Omit<Genesis, 'hash'> = {
    network,
    chain_id: template.chain_id,
    block_time_ms: template.block_time_ms,
    timestamp_ms: template.timestamp_ms === 0 ? Date.now() : template.timestamp_ms,
    validators:
      template.validators.length > 0
        ? template.validators
        : [{ address: nodeKey.address, public_key: toHex(nodeKey.publicKey), stake: '1' }],
    accounts: template.accounts,
  };
  checkBody(body, file);
  const g: Genesis = { ...body, hash: genesisHash(body) };
  await writeFileAtomic(file, JSON.stringify(g, null, 2) + '\n');
  return g;
}

/**
 * The dev faucet key from the dev template (publicly known, INSECURE; dev network only).
 * @throws GenesisError when the network's template has no dev faucet.
 */
export async function devFaucetKeys(network: string): Promise<{ publicKey: Uint8Array; secretKey: Uint8Array; address: string }> {
  const t = await loadGenesisTemplate(network);
  if (!t.dev_faucet) throw new GenesisError(`network "${network}" has no dev faucet`);
  const k = keysFromSeed(fromHex(t.dev_faucet.seed, 32));
  const address = addressOf(k.publicKey);
  if (address !== t.dev_faucet.address) throw new GenesisError(`dev faucet seed does not match its address ${t.dev_faucet.address}`);
  return { ...k, address };
}

/** The state after genesis allocations (nonces 0). */
export function genesisState(g: Genesis): State {
  return State.from(g.accounts.map((a) => [a.address.slice(3), { balance: BigInt(a.balance), nonce: 0n }]));
}

/** Block 0: parent hash = genesis hash, no proposer (20 zero bytes), no signature, state root of the allocations. */
export function genesisBlock(g: Genesis, state: State = genesisState(g)): Block {
  return makeBlock(
    { height: 0, parentHash: fromHex(g.hash, 32), timestampMs: g.timestamp_ms, proposer: new Uint8Array(20), txRoot: ZERO_HASH, stateRoot: state.root(), epoch: 0, txCount: 0 },
    [],
  );
}
