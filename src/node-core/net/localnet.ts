/**
 * Local testnets on 127.0.0.1 (`contract-cli testnet up`, integration tests, benchmarks, e2e):
 * generates N validator data directories with their node keys, a genesis naming them as
 * validators (equal stake) plus a funded faucet, the network file with every validator's QUIC and
 * TCP bootstrap multiaddr, and `testnet.json` (the plan: ports, peer ids, pids once started).
 *
 * Layout of `<dir>`: `network.json`, `testnet.json`, `faucet.json` (the faucet wallet key, also
 * installed as wallet "faucet" in v1's keystore), `v1/ … vN/` (data dirs; `node.out` = the
 * process output).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, openSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { addressOf } from '../chain/address.js';
import { genesisHash, type Genesis } from '../chain/genesis.js';
import { generateKeys, seedOf } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { loadOrCreateNodeKey } from '../wallet/keystore.js';
import { networkFileOf, writeNetworkFile } from './network-file.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const NODE_MAIN = path.join(REPO_ROOT, 'src', 'node-core', 'main.ts');

const zNode = z.object({
  name: z.string(),
  data_dir: z.string(),
  address: z.string(),
  peer_id: z.string(),
  rpc_port: z.number().int(),
  metrics_port: z.number().int(),
  quic_port: z.number().int(),
  tcp_port: z.number().int(),
  pid: z.number().int().nullable(),
});
const zPlan = z.object({
  version: z.literal(1),
  name: z.string(),
  chain_id: z.number().int(),
  block_time_ms: z.number().int(),
  network_file: z.string(),
  created_ms: z.number(),
  faucet: z.object({ address: z.string(), key_file: z.string() }),
  nodes: z.array(zNode),
});
export type LocalnetPlan = z.infer<typeof zPlan>;
export type LocalnetNode = z.infer<typeof zNode>;

/** Ports this process has handed out (each is planned for one node's listener). */
const handedOut = new Set<number>();

/**
 * A free port on 127.0.0.1 (TCP or UDP) for a node that must keep it across restarts (bootstrap
 * addresses name it). Picked at random below Linux's ephemeral range (32768+), which the OS hands
 * to `:0` listeners and outgoing connections, so other processes do not grab it in between;
 * checked by binding it, and never one this process has already handed out. Falls back to an
 * OS-assigned port after 50 tries.
 */
export async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    // A port handed out earlier is free until its node binds it: never hand it out twice (a
    // localnet plan's nodes, TCP and UDP alike, would otherwise collide by chance: ~1 % for 5 nodes).
    if (handedOut.has(candidate)) continue;
    if (await canBind(kind, candidate)) {
      handedOut.add(candidate);
      return candidate;
    }
  }
  return bindAny(kind);
}

async function canBind(kind: 'tcp' | 'udp', port: number): Promise<boolean> {
  try {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      await new Promise<void>((r, j) => {
        s.once('error', j);
        s.bind(port, '127.0.0.1', () => r());
      });
      await new Promise<void>((r) => s.close(() => r()));
      return true;
    }
    const srv = createServer();
    await new Promise<void>((r, j) => {
      srv.once('error', j);
      srv.listen(port, '127.0.0.1', () => r());
    });
    await new Promise<void>((r) => srv.close(() => r()));
    return true;
  } catch {
    return false;
  }
}

async function bindAny(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((r, j) => s.bind(0, '127.0.0.1', () => r()).once('error', j));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = createServer();
  await new Promise<void>((r, j) => srv.listen(0, '127.0.0.1', () => r()).once('error', j));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The libp2p peer id of a node key (same Ed25519 seed). */
export async function peerIdOfSeed(seed: Uint8Array): Promise<string> {
  // Loaded on first use: console server mode loads this file at start (its practice testnet) and libp2p's key code is not needed until one is created (issue 17).
  const [{ generateKeyPairFromSeed }, { peerIdFromPrivateKey }] = await Promise.all([import('@libp2p/crypto/keys'), import('@libp2p/peer-id')]);
  return peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seed)).toString();
}

export interface CreateOptions {
  dir: string;
  validators: number;
  name?: string;
  chainId?: number;
  blockTimeMs?: number;
  /** Faucet balance in base units (default 10^15). */
  faucetBalance?: bigint;
  /** Extra funded accounts (address → balance). */
  accounts?: { address: string; balance: string }[];
  /** Stake of each validator in order (base units, decimal); default 1000 each. */
  stakes?: string[];
}

/**
 * Creates the directory layout, keys, genesis and network file of a local testnet.
 * @throws Error when `<dir>/testnet.json` already exists (never overwrites a testnet).
 */
export async function createLocalnet(o: CreateOptions): Promise<LocalnetPlan> {
  const dir = path.resolve(o.dir);
  if (existsSync(path.join(dir, 'testnet.json'))) throw new Error(`${dir} already holds a testnet (testnet.json); run "contract-cli testnet down --dir ${o.dir}" and remove it, or choose another --dir`);
  if (o.validators < 1 || o.validators > 16) throw new Error('--validators must be 1..16');
  await fs.mkdir(dir, { recursive: true });
  const name = o.name ?? 'localnet';
  const nodes: LocalnetNode[] = [];
  for (let i = 1; i <= o.validators; i++) {
    const dataDir = path.join(dir, `v${i}`);
    const key = await loadOrCreateNodeKey(dataDir);
    nodes.push({
      name: `v${i}`,
      data_dir: dataDir,
      address: key.address,
      peer_id: await peerIdOfSeed(seedOf(key.secretKey)),
      rpc_port: await freePort('tcp'),
      metrics_port: await freePort('tcp'),
      quic_port: await freePort('udp'),
      tcp_port: await freePort('tcp'),
      pid: null,
    });
  }
  const faucet = generateKeys();
  const faucetAddress = addressOf(faucet.publicKey);
  const faucetFile = path.join(dir, 'faucet.json');
  const keyBody = (n: string) => JSON.stringify({ version: 1, name: n, address: faucetAddress, public_key: toHex(faucet.publicKey), seed: toHex(seedOf(faucet.secretKey)) }, null, 2) + '\n';
  await writeFileAtomic(faucetFile, keyBody('faucet'), { mode: 0o600 });
  await fs.mkdir(path.join(nodes[0].data_dir, 'keys', 'wallets'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(nodes[0].data_dir, 'keys', 'wallets', 'faucet.json'), keyBody('faucet'), { mode: 0o600 });
  const body: Omit<Genesis, 'hash'> = {
    network: name,
    chain_id: o.chainId ?? 31338,
    block_time_ms: o.blockTimeMs ?? 1000,
    timestamp_ms: Date.now(),
    validators: await Promise.all(
      nodes.map(async (n, i) => {
        const k = await loadOrCreateNodeKey(n.data_dir);
        return { address: k.address, public_key: toHex(k.publicKey), stake: o.stakes?.[i] ?? '1000' };
      }),
    ),
    accounts: [{ address: faucetAddress, balance: (o.faucetBalance ?? 10n ** 15n).toString() }, ...(o.accounts ?? [])],
  };
  const genesis: Genesis = { ...body, hash: genesisHash(body) };
  const bootstrap = nodes.flatMap((n) => [`/ip4/127.0.0.1/udp/${n.quic_port}/quic-v1/p2p/${n.peer_id}`, `/ip4/127.0.0.1/tcp/${n.tcp_port}/p2p/${n.peer_id}`]);
  const networkFile = path.join(dir, 'network.json');
  await writeNetworkFile(networkFile, networkFileOf(genesis, bootstrap, `local testnet of ${o.validators} validators on 127.0.0.1 (contract-cli testnet up)`));
  const plan: LocalnetPlan = {
    version: 1,
    name,
    chain_id: genesis.chain_id,
    block_time_ms: genesis.block_time_ms,
    network_file: networkFile,
    created_ms: Date.now(),
    faucet: { address: faucetAddress, key_file: faucetFile },
    nodes,
  };
  await savePlan(dir, plan);
  return plan;
}

/** Reads `<dir>/testnet.json`. @throws Error when missing or invalid. */
export function readPlan(dir: string): LocalnetPlan {
  const file = path.join(path.resolve(dir), 'testnet.json');
  if (!existsSync(file)) throw new Error(`no testnet in ${dir} (testnet.json missing); create one with "contract-cli testnet up --dir ${dir}"`);
  const r = zPlan.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new Error(`${file} is not a testnet plan: ${r.error.issues[0]?.message}`);
  return r.data;
}

export async function savePlan(dir: string, plan: LocalnetPlan): Promise<void> {
  await writeFileAtomic(path.join(path.resolve(dir), 'testnet.json'), JSON.stringify(plan, null, 2) + '\n');
}

/** `node start` flags of a testnet node (validator or full node). */
export function nodeArgs(n: Pick<LocalnetNode, 'data_dir' | 'rpc_port' | 'metrics_port' | 'quic_port' | 'tcp_port'>, networkFile: string): string[] {
  return [
    '--network', networkFile,
    '--data-dir', n.data_dir,
    '--rpc-addr', `127.0.0.1:${n.rpc_port}`,
    '--metrics-addr', `127.0.0.1:${n.metrics_port}`,
    '--p2p-quic-addr', `127.0.0.1:${n.quic_port}`,
    '--p2p-tcp-addr', `127.0.0.1:${n.tcp_port}`,
  ];
}

/**
 * How a node process is started: the executable, the arguments before the node's own flags, the
 * environment it adds and its working directory (default: the node's data directory).
 */
export interface NodeCommand {
  execPath: string;
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** The node of this checkout's source through tsx (`contract-cli testnet up`, tests). */
export const SOURCE_NODE: NodeCommand = { execPath: process.execPath, argv: ['--import', 'tsx', NODE_MAIN], cwd: REPO_ROOT };

/**
 * Starts a node process detached from this one (it outlives `testnet up`), its output appended
 * to `<data dir>/node.out`. Every inherited TB_* variable is dropped except `command.env`'s and `env`'s.
 * @param command how the node runs (default: from source; the console passes its own node's, e.g.
 *   the built bundle, which an installed app has instead of src/ and tsx).
 * @returns the pid.
 */
export function spawnDetached(n: LocalnetNode, networkFile: string, env: Record<string, string> = {}, command: NodeCommand = SOURCE_NODE): number {
  const out = openSync(path.join(n.data_dir, 'node.out'), 'a');
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TB_')) clean[k] = v;
  const child = spawn(command.execPath, [...command.argv, ...nodeArgs(n, networkFile)], {
    cwd: command.cwd ?? n.data_dir,
    env: { ...clean, ...command.env, ...env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  return child.pid!;
}

/** Whether a pid is alive and is a node of this testnet (its command line names the data dir). */
export function isOurNode(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
  } catch {
    return true; // no /proc: trust the recorded pid
  }
}
