/**
 * Networks are data (DESIGN.md "Console"): a network file `resources/networks/<name>.json`, or any
 * path (e.g. the `network.json` written by `contract-cli testnet up`), says
 *   `{ name, chain_id, genesis_hash, genesis: {…instantiated genesis…}, bootstrap: [multiaddr…], description? }`.
 * `--network` takes a name (dev, or one of resources/networks/) or a network file path.
 * The genesis inside must hash to `genesis_hash`; a node refuses peers of another chain id or
 * genesis (net/status.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isMissingIssue } from '../../shared/api/define.js';
import { GenesisError, genesisHash, readGenesisFile, type Genesis } from '../chain/genesis.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { networksDir } from '../resources.js';

export const NETWORK_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const zAddr = z.string().regex(/^tb1[0-9a-f]{40}$/);
const zDec = z.string().regex(/^(0|[1-9][0-9]*)$/);
const zGenesis = z
  .object({
    network: z.string().regex(NETWORK_NAME_RE),
    chain_id: z.number().int().min(0).max(0xffffffff),
    block_time_ms: z.number().int().min(50).max(600_000),
    timestamp_ms: z.number().int().min(0),
    validators: z.array(z.object({ address: zAddr, public_key: z.string().regex(/^[0-9a-f]{64}$/), stake: zDec }).strict()).min(1),
    accounts: z.array(z.object({ address: zAddr, balance: zDec }).strict()),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
const zNetworkFile = z
  .object({
    name: z.string().regex(NETWORK_NAME_RE, 'network names are 1-32 of a-z 0-9 _ - (starting with a letter or digit)'),
    chain_id: z.number().int().min(0).max(0xffffffff),
    genesis_hash: z.string().regex(/^[0-9a-f]{64}$/),
    genesis: zGenesis,
    bootstrap: z.array(z.string().regex(/^\/(ip4|ip6|dns4|dns6)\/\S+$/, 'bootstrap entries are multiaddrs like /ip4/127.0.0.1/tcp/30333/p2p/12D3…')).max(64),
    description: z.string().max(500).optional(),
  })
  .strict();
export type NetworkFile = z.infer<typeof zNetworkFile>;

export class NetworkFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkFileError';
  }
}

/**
 * Schema issues for an operator: missing fields named together ("missing chain_id, genesis"),
 * then each other field with its problem, without zod's "Invalid input: expected …" wording.
 */
export function issuesReadable(issues: readonly z.core.$ZodIssue[]): string {
  const at = (i: z.core.$ZodIssue) => i.path.join('.') || '(the whole file)';
  const missing = issues.filter(isMissingIssue).map(at);
  const other = issues
    .filter((i) => !isMissingIssue(i))
    .map((i) => `${at(i)} ${i.message.replace(/^Invalid input: expected (\w+), received (\w+)$/, 'must be a $1, not a $2').replace(/^Invalid input$/, 'is not valid')}`);
  return [...(missing.length ? [`missing ${missing.join(', ')}`] : []), ...other].join('; ');
}

/**
 * Parses and checks a network file's JSON (schema, genesis hash, name/chain id consistency).
 * @throws NetworkFileError naming the file and the problem.
 */
export function parseNetworkFile(text: string, where: string): NetworkFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NetworkFileError(`network file ${where} is not valid JSON: ${(err as Error).message}`);
  }
  const r = zNetworkFile.safeParse(raw);
  if (!r.success) throw new NetworkFileError(`network file ${where} is invalid: ${issuesReadable(r.error.issues)}`);
  const nf = r.data;
  const { hash, ...body } = nf.genesis;
  if (genesisHash(body) !== hash) throw new NetworkFileError(`network file ${where}: its genesis does not hash to ${hash} (modified?)`);
  if (hash !== nf.genesis_hash) throw new NetworkFileError(`network file ${where}: genesis_hash ${nf.genesis_hash} is not the hash of its genesis (${hash})`);
  if (nf.genesis.chain_id !== nf.chain_id) throw new NetworkFileError(`network file ${where}: chain_id ${nf.chain_id} differs from its genesis's ${nf.genesis.chain_id}`);
  if (nf.genesis.network !== nf.name) throw new NetworkFileError(`network file ${where}: name "${nf.name}" differs from its genesis's network "${nf.genesis.network}"`);
  return nf;
}

/** Reads a network file. @throws NetworkFileError. */
export function readNetworkFile(file: string): NetworkFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NetworkFileError(`cannot read network file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseNetworkFile(text, file);
}

/** Writes a network file atomically (pretty JSON). */
export async function writeNetworkFile(file: string, nf: NetworkFile): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(nf, null, 2) + '\n');
}

/** Builds a network file from a genesis and bootstrap addresses. */
export function networkFileOf(genesis: Genesis, bootstrap: string[], description?: string): NetworkFile {
  return { name: genesis.network, chain_id: genesis.chain_id, genesis_hash: genesis.hash, genesis, bootstrap, ...(description ? { description } : {}) };
}

/** True when a `--network` value is a path rather than a name. */
export function isNetworkPath(v: string): boolean {
  return v.includes('/') || v.includes(path.sep) || v.endsWith('.json');
}

/**
 * Resolves a `--network` value: `dev` (or another genesis template name) → no file; a name of
 * `dir` (default `<resources>/networks`, see resources.ts) → that file; a path (relative to `cwd`) → that file.
 * @returns the network name and the absolute network file, if any.
 * @throws NetworkFileError for a missing or invalid file.
 */
export function resolveNetwork(value: string, cwd: string, dir = networksDir()): { name: string; file?: string } {
  if (isNetworkPath(value)) {
    const file = path.resolve(cwd, value);
    if (!existsSync(file)) throw new NetworkFileError(`network file ${file} does not exist`);
    return { name: readNetworkFile(file).name, file };
  }
  const builtin = path.join(dir, `${value}.json`);
  if (NETWORK_NAME_RE.test(value) && existsSync(builtin)) return { name: readNetworkFile(builtin).name, file: builtin };
  return { name: value };
}

export interface NetworkEntry {
  name: string;
  /** Absolute network file, absent for dev. */
  file?: string;
  chain_id: number;
  validators: number;
  bootstrap: number;
  source: 'dev' | 'builtin' | 'local' | 'practice' | 'imported';
  description?: string;
}

/**
 * The networks in `dir` (default: `<resources>/networks`, see resources.ts; invalid files are
 * skipped, their problem in `errors`).
 */
export function builtinNetworks(dir = networksDir()): { entries: NetworkEntry[]; errors: string[] } {
  const entries: NetworkEntry[] = [];
  const errors: string[] = [];
  if (!existsSync(dir)) return { entries, errors };
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    try {
      entries.push(entryOf(path.join(dir, f), 'builtin'));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { entries, errors };
}

/** A list entry for a network file. @throws NetworkFileError. */
export function entryOf(file: string, source: NetworkEntry['source']): NetworkEntry {
  const nf = readNetworkFile(file);
  return { name: nf.name, file, chain_id: nf.chain_id, validators: nf.genesis.validators.length, bootstrap: nf.bootstrap.length, source, ...(nf.description ? { description: nf.description } : {}) };
}

/**
 * The genesis of a network-file network for a data directory: `<root>/chain/genesis.json` when it
 * exists (it must be the network's genesis), else the file's genesis, persisted there atomically.
 * @throws GenesisError when the data directory holds another chain (with the way out).
 */
export async function loadNetworkGenesis(root: string, nf: NetworkFile): Promise<Genesis> {
  const file = path.join(root, 'chain', 'genesis.json');
  if (existsSync(file)) {
    const g = await readGenesisFile(file, `move ${path.join(root, 'chain')} aside or use another --data-dir`);
    if (g.hash !== nf.genesis_hash)
      throw new GenesisError(`data directory ${root} holds the chain of genesis ${g.hash.slice(0, 16)}… (network "${g.network}", chain id ${g.chain_id}), not network "${nf.name}" (genesis ${nf.genesis_hash.slice(0, 16)}…); use another --data-dir or move ${path.join(root, 'chain')} aside`);
    return g;
  }
  await writeFileAtomic(file, JSON.stringify(nf.genesis, null, 2) + '\n');
  return nf.genesis;
}
