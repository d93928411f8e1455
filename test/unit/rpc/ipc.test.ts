// JSON-RPC over a real fork IPC channel (the node as a child process): objects and text, batches,
// subscriptions, foreign messages ignored, subscriptions freed when the channel goes away.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { ADDR, header } from './helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ipc-child.ts');

class ChildPeer {
  private readonly queue: unknown[] = [];
  private waiters: ((m: unknown) => void)[] = [];
  constructor(readonly cp: ChildProcess) {
    cp.on('message', (m) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }
  static async start(): Promise<ChildPeer> {
    const cp = fork(CHILD, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const p = new ChildPeer(cp);
    expect(await p.next()).toEqual({ type: 'ready' });
    return p;
  }
  next(): Promise<any> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  send(m: unknown): void {
    this.cp.send(m as any);
  }
  async stop(): Promise<void> {
    if (this.cp.exitCode !== null) return;
    const exited = once(this.cp, 'exit');
    if (this.cp.connected) this.cp.disconnect();
    else this.cp.kill();
    await exited;
  }
}

let peer: ChildPeer | undefined;
afterEach(async () => {
  await peer?.stop();
  peer = undefined;
});

describe('serveIpc over fork IPC', () => {
  it('answers request objects with response objects (bigints as decimal strings)', async () => {
    peer = await ChildPeer.start();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'chain.tip' });
    expect(await peer.next()).toMatchObject({ jsonrpc: '2.0', id: 1, result: { height: 0 } });
    peer.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'wallet.transfer',
      params: ['faucet', ADDR, '18446744073709551615'],
    });
    expect((await peer.next()).result.nonce).toBe('18446744073709551615');
    peer.send({ jsonrpc: '2.0', id: 3, method: 'toString' });
    expect((await peer.next()).error.code).toBe(ErrorCode.MethodNotFound);
    peer.send({ jsonrpc: '2.0', id: 4, method: 'chain.block', params: [1.5] });
    expect((await peer.next()).error.data.issues[0].message).toBe(
      'must be an integer (no fractions or exponents)',
    );
  });

  it('answers batches and skips notifications', async () => {
    peer = await ChildPeer.start();
    peer.send([
      { jsonrpc: '2.0', method: 'dev.mine_one' },
      { jsonrpc: '2.0', id: 'b', method: 'chain.tip' },
    ]);
    const r = await peer.next();
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ id: 'b', result: { height: 1 } });
  });

  it('ignores messages of other protocols sharing the channel', async () => {
    peer = await ChildPeer.start();
    peer.send({ type: 'gauge?' });
    expect(await peer.next()).toEqual({ type: 'gauge', value: 0 });
    peer.send({ hello: 'world' });
    peer.send({ jsonrpc: '2.0', id: 9, method: 'chain.tip' });
    expect((await peer.next()).id).toBe(9);
  });

  it('speaks JSON text to a port that sends text (exact ids kept)', async () => {
    peer = await ChildPeer.start();
    peer.send('{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"chain.tip"}');
    const text = await peer.next();
    expect(typeof text).toBe('string');
    expect(text.startsWith('{"jsonrpc":"2.0","id":123456789012345678901234567890,')).toBe(true);
  });

  it('delivers subscription notifications and frees them on unsubscribe', async () => {
    peer = await ChildPeer.start();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'chain.subscribe', params: ['newHeads'] });
    const sub = (await peer.next()).result as string;
    peer.send({ type: 'gauge?' });
    expect(await peer.next()).toEqual({ type: 'gauge', value: 1 });
    peer.send({ jsonrpc: '2.0', id: 2, method: 'dev.mine_one' });
    const got = [await peer.next(), await peer.next()];
    const note = got.find((m) => m.method === 'subscription');
    expect(note).toEqual({
      jsonrpc: '2.0',
      method: 'subscription',
      params: { subscription: sub, topic: 'newHeads', result: header(1) },
    });
    expect(got.find((m) => m.id === 2).result.height).toBe(1);
    peer.send({ jsonrpc: '2.0', id: 3, method: 'chain.unsubscribe', params: [sub] });
    expect((await peer.next()).result).toBe(true);
    peer.send({ type: 'gauge?' });
    expect(await peer.next()).toEqual({ type: 'gauge', value: 0 });
  });

  it('the child stops serving and exits cleanly when the channel is closed', async () => {
    peer = await ChildPeer.start();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'chain.subscribe', params: ['newHeads'] });
    await peer.next();
    const exited = once(peer.cp, 'exit');
    peer.cp.disconnect();
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
