// The connection guard's first-byte deadline (src/node-core/http/guard.ts) closes a connection that
// sent nothing in time, but not one whose bytes arrived in time while the server process itself was
// starved (its timer then fires before the event loop's poll phase reads them): a prompt client of a
// node at load 14 was reset (ECONNRESET). The client is a separate process, so its request is in the
// server's socket buffer while the server is blocked.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardConnections } from '../../../src/node-core/http/guard.js';

const FIRST_BYTE_MS = 100;
let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function start(block: (socket: import('node:net').Socket) => void): Promise<number> {
  server = http.createServer((_req, res) => res.end('ok'));
  guardConnections(server, { maxConnections: 8, maxPerAddress: 8, firstByteMs: FIRST_BYTE_MS });
  server.on('connection', block); // after the guard's listener: its deadline is already running
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/**
 * A client process: connects, sends a GET at once (or after `waitMs`) and, once the kernel has the
 * bytes, creates `marker`; prints the status line or the error code.
 */
function client(port: number, waitMs = 0, marker = ''): Promise<string> {
  const src = `
    const s = require('net').connect(${port}, '127.0.0.1', () => setTimeout(() => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n', () => ${JSON.stringify(marker)} && require('fs').writeFileSync(${JSON.stringify(marker)}, '')), ${waitMs}));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => { process.stdout.write(out.split('\\r\\n')[0] || 'closed without answer'); });
    s.on('error', (e) => { process.stdout.write(e.code); process.exit(0); });`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', () => resolve(out));
  });
}

describe('first-byte deadline', () => {
  it('answers a client whose request arrived in time while the server was starved past the deadline', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-first-byte-'));
    const marker = path.join(dir, 'sent');
    try {
      const port = await start(() => {
        // The server is starved from the accept until the request is in its socket buffer (the
        // client's marker, however late a loaded machine runs the client), and 3 × the deadline more.
        const limit = Date.now() + 60_000;
        while (!existsSync(marker) && Date.now() < limit) {
          /* busy */
        }
        const until = Date.now() + 3 * FIRST_BYTE_MS;
        while (Date.now() < until) {
          /* busy */
        }
      });
      expect(await client(port, 0, marker)).toBe('HTTP/1.1 200 OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still closes a connection that sends nothing before the deadline', async () => {
    const port = await start(() => {});
    // The client waits 20 × the deadline before sending: the server has closed the socket by then.
    expect(await client(port, 20 * FIRST_BYTE_MS)).toMatch(/^(closed without answer|ECONNRESET|EPIPE)$/);
  });
});
