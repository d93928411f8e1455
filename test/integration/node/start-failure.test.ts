/**
 * In-process `Node.start` failing mid-start (the metrics port is taken after the RPC server is
 * already listening): the promise rejects, `failed` is emitted with the reason, and everything
 * opened so far is closed — the RPC port can be bound again, the chain DB and the data-dir lock
 * are free (a second start in the same process succeeds).
 */
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { PortInUseError } from '../../../src/node-core/http/index.js';
import { removeTemp, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-fail');
});
afterAll(async () => {
  await removeTemp(dir);
});

function listen(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const close = (s: net.Server) => new Promise<void>((resolve) => s.close(() => resolve()));
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

function config(rpcPort: number, metricsPort: number) {
  return loadConfig({
    cwd: os.tmpdir(),
    env: {},
    flags: {
      data_dir: dir,
      rpc_addr: `127.0.0.1:${rpcPort}`,
      metrics_addr: `127.0.0.1:${metricsPort}`,
      block_time_ms: '600000',
      log_level: 'warn',
    },
  }).config;
}

describe('Node.start failing mid-start', () => {
  it('closes the RPC server, the chain DB and the lock it had opened', async () => {
    const busy = await listen();
    const probe = await listen();
    const rpcPort = portOf(probe);
    await close(probe);
    try {
      const err = await Node.start(config(rpcPort, portOf(busy)), { stdout: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as Error).message).toContain('--metrics-addr / TB_METRICS_ADDR');
      // The RPC server had been listening on rpcPort: it must be closed again.
      await close(await listen(rpcPort));
    } finally {
      await close(busy);
    }
    // Lock and chain DB are free: the same process can start a node on the same root.
    const node = await Node.start(config(0, 0), { stdout: false });
    const phases: string[] = [];
    node.events.on('node.phase', (p) => phases.push(p.phase));
    expect(node.phase.phase).toBe('ready');
    expect(node.status()).toMatchObject({ phase: 'ready', data_dir: dir, chain_id: 31337, height: 0 });
    await node.stop();
    expect(phases).toEqual(['stopping', 'stopped']);
    expect(node.phase.phase).toBe('stopped');
    await node.stop(); // idempotent
  });
});
