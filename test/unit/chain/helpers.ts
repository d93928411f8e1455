// Shared setup for chain tests: a real chain DB (classic-level) in a temp dir, a real node key.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Chain } from '../../../src/node-core/chain/chain.js';
import { genesisHash, loadOrCreateGenesis, type Genesis } from '../../../src/node-core/chain/genesis.js';
import type { MempoolOptions } from '../../../src/node-core/chain/mempool.js';
import type { ChainModule } from '../../../src/node-core/chain/module.js';
import { chainHandlers } from '../../../src/node-core/chain/handlers.js';
import { walletHandlers } from '../../../src/node-core/wallet/handlers.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import type { CallContext, HandlerMap } from '../../../src/node-core/rpc/types.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';
import { Keystore, loadOrCreateNodeKey, type KeyPair } from '../../../src/node-core/wallet/keystore.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import type { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';

export const CTX: CallContext = { transport: 'internal' };

export async function tempRoot(prefix = 'tb chain-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A genesis built in the test (custom block time / accounts), valid like a loaded one. */
export function customGenesis(nodeKey: KeyPair, o: { network?: string; block_time_ms?: number; accounts?: { address: string; balance: string }[]; timestamp_ms?: number } = {}): Genesis {
  const body = {
    network: o.network ?? 'dev',
    chain_id: 31337,
    block_time_ms: o.block_time_ms ?? 1000,
    timestamp_ms: o.timestamp_ms ?? Date.now(),
    validators: [{ address: nodeKey.address, public_key: toHex(nodeKey.publicKey), stake: '1' }],
    accounts: o.accounts ?? [{ address: 'tb1ee5c8ebb5acff309975044fc0c4fc5d22092b68a', balance: '1000000000' }],
  };
  return { ...body, hash: genesisHash(body) };
}

export interface TestChain {
  root: string;
  dir: string;
  chain: Chain;
  genesis: Genesis;
  nodeKey: KeyPair;
  keystore: Keystore;
  events: NodeEvents;
  metrics: ReturnType<typeof createMetrics>;
  h: HandlerMap;
  reopen(): Promise<Chain>;
  cleanup(): Promise<void>;
}

export async function openTestChain(o: { network?: string; mempool?: MempoolOptions; genesis?: (k: KeyPair) => Genesis; root?: string; verifyPool?: VerifyPool; modules?: ChainModule[] } = {}): Promise<TestChain> {
  const root = o.root ?? (await tempRoot());
  const network = o.network ?? 'dev';
  const nodeKey = await loadOrCreateNodeKey(root);
  const genesis = o.genesis ? o.genesis(nodeKey) : await loadOrCreateGenesis(root, 'dev', nodeKey);
  const keystore = new Keystore(root, network);
  const events = new NodeEvents();
  const metrics = createMetrics();
  const dir = path.join(root, 'chain');
  const t: TestChain = {
    root, dir, genesis, nodeKey, keystore, events, metrics,
    chain: await Chain.open({ dir, genesis, nodeKey, events, metrics, mempool: o.mempool, verifyPool: o.verifyPool, modules: o.modules }),
    h: {},
    async reopen() {
      await t.chain.close();
      t.chain = await Chain.open({ dir, genesis, nodeKey, events, metrics, mempool: o.mempool, verifyPool: o.verifyPool, modules: o.modules });
      t.h = { ...chainHandlers(t.chain, { network }), ...walletHandlers(t.chain, { keystore }) };
      return t.chain;
    },
    async cleanup() {
      await t.chain.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  t.h = { ...chainHandlers(t.chain, { network }), ...walletHandlers(t.chain, { keystore }) };
  return t;
}

/** Calls a handler that must exist. */
export async function call<N extends keyof HandlerMap>(h: HandlerMap, name: N, params: unknown): Promise<any> {
  const fn = h[name] as unknown as (p: unknown, c: CallContext) => unknown;
  if (!fn) throw new Error(`no handler ${name}`);
  return fn(params, CTX);
}
