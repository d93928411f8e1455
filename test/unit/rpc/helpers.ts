/**
 * Test fixtures for the RPC front doors: the real Dispatcher with the real contract methods and a
 * small in-memory handler map (the chain itself is tested in test/unit/chain and wired in by
 * the node integration tests), served by the real server on 127.0.0.1:0.
 */
import { RpcError, type BlockHeader, type Tip } from '../../../src/shared/api/index.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { Dispatcher, type ReplayProviders } from '../../../src/node-core/rpc/dispatcher.js';
import { startRpcServer, type RpcServerOptions } from '../../../src/node-core/rpc/server.js';
import type { HandlerMap } from '../../../src/node-core/rpc/types.js';
import { createMetrics, type Metrics } from '../../../src/node-core/telemetry/metrics.js';

export const ADDR = 'tb1' + '0'.repeat(40);
const hex = (n: number) => n.toString(16).padStart(64, '0');

export function header(height: number): BlockHeader {
  return {
    height,
    hash: hex(height + 1),
    parent_hash: hex(height),
    timestamp_ms: 1_700_000_000_000 + height * 1000,
    proposer: ADDR,
    tx_root: hex(0),
    state_root: hex(7),
    epoch: Math.floor(height / 120),
    tx_count: 0,
    signature: 'ab'.repeat(64),
  };
}

/** A tiny head object the handlers read and `dev.mine_one` advances (emitting `newHeads`). */
export class TinyChain {
  height = 0;
  constructor(readonly events: NodeEvents) {}
  tip(): Tip {
    const h = header(this.height);
    return {
      height: h.height,
      hash: h.hash,
      state_root: h.state_root,
      timestamp_ms: h.timestamp_ms,
      epoch: h.epoch,
      finalized_height: h.height,
    };
  }
  mine(): BlockHeader {
    this.height += 1;
    const h = header(this.height);
    this.events.emit('newHeads', h);
    return h;
  }
}

export function testHandlers(chain: TinyChain): HandlerMap {
  return {
    'chain.tip': () => chain.tip(),
    'chain.block': (p) => {
      if (p.height === undefined || p.height > chain.height)
        throw RpcError.notFound(`no block at height ${p.height ?? p.hash}`);
      return { ...header(p.height), transactions: [] };
    },
    'account.get': (p) => ({
      address: p.address,
      balance: '18446744073709551615',
      nonce: '0',
      pending_nonce: '0',
    }),
    // Echoes the exact amount/fee it parsed so tests can see what reached the handler.
    'wallet.transfer': (p) => ({
      hash: hex(99),
      status: 'pending',
      fee: String(p.fee ?? 1n),
      nonce: p.amount as unknown as string,
    }),
    'dev.mine_one': () => {
      const h = chain.mine();
      return { height: h.height, hash: h.hash };
    },
    // An internal failure whose text must never reach the caller.
    'tx.submit': () => {
      throw new Error('ENOENT: /secret/path/chain.db corrupted');
    },
    'tx.status': (p) => {
      throw RpcError.notFound(`unknown tx ${p.hash}`);
    },
  };
}

export interface Fixture {
  url: string;
  port: number;
  events: NodeEvents;
  chain: TinyChain;
  metrics: Metrics;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** Starts the real RPC server with the test handlers. Rate limiting is off unless asked for. */
export async function startFixture(
  o: Partial<Omit<RpcServerOptions, 'dispatcher' | 'addr'>> & { replay?: ReplayProviders } = {},
): Promise<Fixture> {
  const events = new NodeEvents();
  const chain = new TinyChain(events);
  const metrics = createMetrics();
  const { replay, ...serverOpts } = o;
  const dispatcher = new Dispatcher({
    handlers: testHandlers(chain),
    events,
    metrics,
    logger: o.logger,
    info: { title: 'test', version: '0' },
    replay,
  });
  const server = await startRpcServer({
    addr: '127.0.0.1:0',
    dispatcher,
    metrics,
    rateLimitPerSec: 0,
    ...serverOpts,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    events,
    chain,
    metrics,
    dispatcher,
    close: () => server.close(),
  };
}

export interface Raw {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** POSTs a raw body (string) and returns status, headers, text and parsed JSON (if any). */
export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Sends one request object and returns the parsed response. */
export async function rpc(
  url: string,
  method: string,
  params?: unknown,
  id: unknown = 1,
  headers?: Record<string, string>,
): Promise<any> {
  const req: Record<string, unknown> = { jsonrpc: '2.0', method, id };
  if (params !== undefined) req.params = params;
  return (await post(url, JSON.stringify(req), headers)).json;
}
