#!/usr/bin/env node
/* global fetch, AbortSignal */
// tb-mock-oracle: simulated energy meters that sign real Ed25519 readings (dev/testnet only).
// Byte layout (spec/energy.md §2, with the nonce): Ed25519 over BLAKE3-256(provider_id ‖ meter_address
// ‖ total_kwh u64 LE ‖ timestamp u64 LE ‖ nonce u64 LE). Plain Node + @noble/ed25519 + @noble/hashes.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { TextEncoder } from 'node:util';
import { readFileSync } from 'node:fs';
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';

const HELP = `tb-mock-oracle — simulated energy meters with real Ed25519 signatures (dev/testnet only)

Usage: tb-mock-oracle --keys <file> [--listen 127.0.0.1:8600] [--node http://127.0.0.1:8545]
                      [--token <oracle token>] [--curve constant|solar|ramp] [--allow-remote]

  --keys <file>      meters and their secret keys: {"meters": [{"meter_address", "provider_id",
                     "secret_key_hex" (32-byte seed), "public_key_hex", "kwh_per_reading", "start_kwh"}]}
                     (examples/energy/oracle-keys.json; its keys are public — never use them for value)
  --listen <h:p>     listen address (default 127.0.0.1:8600; env MOCK_ENERGY_ORACLE_ADDR)
  --node <url>       node JSON-RPC for POST /meter/:id/submit (default $TB_RPC_URL or http://127.0.0.1:8545)
  --token <t>        Bearer token for energy.submit_reading (default $TB_ENERGY_ORACLE_TOKEN, else $TB_RPC_AUTH_TOKEN)
  --curve <c>        kWh per reading: constant (kwh_per_reading), solar (scaled by daylight at the UTC hour),
                     ramp (grows by 10 % of kwh_per_reading each reading) (default constant)
  --allow-remote     allow a non-loopback --listen address (the endpoints have no authentication)
  -h, --help         this text

Endpoints:
  GET  /meter/:id/reading   advance the meter and answer a signed reading (MeterReadingPayload + nonce)
  POST /meter/:id/submit    sign a fresh reading (or the JSON reading in the body) and submit it to the node
  GET  /meters              the simulated meters and their state
Stops cleanly on SIGINT/SIGTERM.`;

function fail(msg, code = 2) {
  process.stderr.write(`tb-mock-oracle: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = { listen: process.env.MOCK_ENERGY_ORACLE_ADDR || '127.0.0.1:8600', node: process.env.TB_RPC_URL || 'http://127.0.0.1:8545', token: process.env.TB_ENERGY_ORACLE_TOKEN || process.env.TB_RPC_AUTH_TOKEN, curve: 'constant', allowRemote: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : fail(`${a} needs a value`));
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    } else if (a === '--keys') o.keys = val();
    else if (a === '--listen') o.listen = val();
    else if (a === '--node') o.node = val();
    else if (a === '--token') o.token = val();
    else if (a === '--curve') o.curve = val();
    else if (a === '--allow-remote') o.allowRemote = true;
    else fail(`unknown option ${a} (see --help)`);
  }
  if (!o.keys) fail('--keys <file> is required (see --help)');
  if (!['constant', 'solar', 'ramp'].includes(o.curve)) fail(`--curve: one of constant, solar, ramp (got ${o.curve})`);
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(o.listen);
  if (!m || Number(m[2]) > 65535) fail(`--listen: "${o.listen}" is not host:port`);
  o.host = m[1].replace(/^\[|\]$/g, '');
  o.port = Number(m[2]);
  const loopback = o.host === 'localhost' || o.host === '::1' || /^127\./.test(o.host);
  if (!loopback && !o.allowRemote) fail(`refusing to listen on ${o.host}: not a loopback address (the oracle is for dev/testnet; add --allow-remote to do it anyway)`);
  return o;
}

function loadMeters(file) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`--keys: ${file}: ${err.message}`);
  }
  const list = Array.isArray(raw?.meters) ? raw.meters : fail(`--keys: ${file} has no "meters" array`);
  const meters = new Map();
  list.forEach((m, i) => {
    const where = `--keys: meters[${i}]`;
    if (typeof m.meter_address !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(m.meter_address)) fail(`${where}.meter_address: 1-64 of A-Z a-z 0-9 _ . : -`);
    if (typeof m.provider_id !== 'string' || !/^energy-0x[0-9a-f]{8,16}$/.test(m.provider_id)) fail(`${where}.provider_id: a provider id like energy-0x00000000`);
    if (typeof m.secret_key_hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(m.secret_key_hex)) fail(`${where}.secret_key_hex: 64 hex digits (32-byte Ed25519 seed)`);
    const secret = Uint8Array.from(Buffer.from(m.secret_key_hex, 'hex'));
    meters.set(m.meter_address, { ...m, secret, total: BigInt(m.start_kwh ?? 0), nonce: 0n, lastTs: 0, readings: 0, synced: false, step: Number(m.kwh_per_reading ?? 250) });
  });
  return meters;
}

function u64le(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
const te = new TextEncoder();
export function digestOf(r) {
  const h = blake3.create();
  for (const p of [te.encode(r.provider_id), te.encode(r.meter_address), u64le(r.kwh_reading), u64le(r.timestamp), u64le(r.nonce)]) h.update(p);
  return h.digest();
}

async function rpcCall(o, method, params) {
  const headers = { 'content-type': 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(o.node, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(30_000) });
  return res.json();
}

/** Resumes a meter from the node's last reading of its provider (so an oracle restart never replays a nonce). */
async function sync(o, m) {
  if (m.synced) return;
  try {
    const r = await rpcCall(o, 'energy.market_state', { provider_id: m.provider_id });
    const p = r.result?.providers?.[0];
    if (p && p.meter_address === m.meter_address && p.last_nonce !== null) {
      if (BigInt(p.last_nonce) > m.nonce) m.nonce = BigInt(p.last_nonce);
      if (BigInt(p.last_meter_value) > m.total) m.total = BigInt(p.last_meter_value);
      m.lastTs = Math.max(m.lastTs, p.last_meter_timestamp);
    }
    m.synced = true;
  } catch {
    // node unreachable: start from the keys file's values
  }
}

function increment(o, m) {
  if (o.curve === 'solar') {
    const hour = new Date().getUTCHours() + new Date().getUTCMinutes() / 60;
    return BigInt(Math.max(1, Math.round(m.step * Math.max(0.1, Math.sin((Math.PI * (hour - 6)) / 12)))));
  }
  if (o.curve === 'ramp') return BigInt(Math.round(m.step * (1 + 0.1 * m.readings)));
  return BigInt(m.step);
}

async function nextReading(o, m) {
  await sync(o, m);
  m.total += increment(o, m);
  m.nonce += 1n;
  m.readings++;
  m.lastTs = Math.max(Math.floor(Date.now() / 1000), m.lastTs + 1);
  const r = { provider_id: m.provider_id, meter_address: m.meter_address, kwh_reading: Number(m.total), timestamp: m.lastTs, nonce: Number(m.nonce) };
  const sig = await ed.signAsync(digestOf(r), m.secret);
  return { ...r, signature: Buffer.from(sig).toString('hex') };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, null, 2) + '\n');
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 64 * 1024) throw new Error('body over 64 KiB');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function start(o, meters) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://oracle');
      if (req.method === 'GET' && url.pathname === '/meters')
        return send(res, 200, { meters: [...meters.values()].map((m) => ({ meter_address: m.meter_address, provider_id: m.provider_id, public_key_hex: m.public_key_hex, total_kwh: Number(m.total), nonce: Number(m.nonce), readings: m.readings })) });
      const mm = /^\/meter\/([^/]+)\/(reading|submit)$/.exec(url.pathname);
      if (!mm) return send(res, 404, { error: 'not found: GET /meter/:id/reading, POST /meter/:id/submit, GET /meters' });
      const m = meters.get(decodeURIComponent(mm[1]));
      if (!m) return send(res, 404, { error: `unknown meter ${mm[1]} (known: ${[...meters.keys()].join(', ')})` });
      if (mm[2] === 'reading') {
        if (req.method !== 'GET') return send(res, 405, { error: 'use GET' });
        return send(res, 200, await nextReading(o, m));
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
      const body = (await readBody(req)).trim();
      const reading = body ? JSON.parse(body) : await nextReading(o, m);
      const t0 = performance.now();
      const r = await rpcCall(o, 'energy.submit_reading', reading);
      const ms = Math.round(performance.now() - t0);
      if (r.error) return send(res, 502, { status: 'rejected', reading, error: r.error, node_ms: ms });
      return send(res, 200, { status: 'ok', reading, result: r.result, node_ms: ms });
    } catch (err) {
      return send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}

const o = parseArgs(process.argv.slice(2));
const meters = loadMeters(o.keys);
const server = await start(o, meters).catch((err) => fail(err.code === 'EADDRINUSE' ? `port ${o.port} is already in use (change it with --listen)` : err.message, 1));
const addr = server.address();
process.stdout.write(`tb-mock-oracle: ${meters.size} meter(s) (${[...meters.keys()].join(', ')}) on http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${addr.port} → node ${o.node} — dev/testnet only\n`);
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
