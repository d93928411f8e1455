// Property test (issue 2 "Bad input"): ≥ 2,000 random JSON-RPC bodies over real HTTP. Every answer
// is a JSON-RPC error or result (or no body for notifications), ids are echoed, no 5xx, and the
// server stays up.
import fc from 'fast-check';
import { parse as losslessParse } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS } from '../../../src/shared/api/index.js';
import { ADDR, post, rpc, startFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ authToken: 'tok' });
});
afterAll(() => f.close());

// ---- generators of JSON text (so odd number literals and key orders reach the server verbatim)
const numberLit = fc.constantFrom(
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '2.0',
  '1e3',
  '1E-7',
  '-2.5e10',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
);
const scalarText = fc.oneof(
  numberLit,
  fc.json({ maxDepth: 0 }),
  fc.constantFrom(
    '"tb1' + '0'.repeat(40) + '"',
    '"faucet"',
    `"${'ab'.repeat(32)}"`,
    '"25"',
    '"newHeads"',
    '"log.line"',
  ),
);
const valueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: scalarText },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
);
const paramsText = fc.oneof(
  fc.array(valueText, { maxLength: 5 }).map((xs) => `[${xs.join(',')}]`),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'height',
          'hash',
          'address',
          'from',
          'to',
          'amount',
          'fee',
          'topic',
          'subscription',
          'tx',
          '__proto__',
          'x',
        ),
        valueText,
      ),
      { maxLength: 4 },
    )
    .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  valueText,
);
const methodText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METHODS.map((m) => m.name)).map((m) => JSON.stringify(m)) },
  // Public methods that answer with a result for empty params: with every module's methods in
  // METHODS (most need auth or exact params), results stay reachable in every run.
  { weight: 2, arbitrary: fc.constantFrom('"chain.tip"', '"rpc.discover"', '"node.status"') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '"toString"',
      '"__proto__"',
      '"constructor"',
      '"rpc.nope"',
      '""',
      '5',
      'null',
      '["chain.tip"]',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)) },
);
const idText = fc.oneof(
  fc.constantFrom('null', '0', '""', '1.5', '1e3', '-7', '18446744073709551616', '{}', '[]', 'true'),
  fc.integer().map(String),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);
const requestText = fc
  .record(
    {
      jsonrpc: fc.constantFrom('"2.0"', '"2.0"', '"2.0"', '"1.0"', '2', 'null'),
      method: methodText,
      params: paramsText,
      id: idText,
    },
    { requiredKeys: [] },
  )
  .chain((r) => fc.shuffledSubarray(Object.entries(r), { minLength: Object.keys(r).length }))
  .map((entries) => `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`);
const bodyText = fc.oneof(
  { weight: 6, arbitrary: requestText },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(requestText, scalarText), { maxLength: 6 }).map((xs) => `[${xs.join(',')}]`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: requestText.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))) },
);

// ---- checks
function isResponse(r: any): boolean {
  if (r === null || typeof r !== 'object' || Array.isArray(r) || r.jsonrpc !== '2.0' || !('id' in r))
    return false;
  const hasResult = 'result' in r;
  const hasError = 'error' in r;
  if (hasResult === hasError) return false;
  return !hasError || (Number.isInteger(r.error.code) && typeof r.error.message === 'string');
}

/** The id as the server must echo it, for a well-formed single request; undefined if not applicable. */
function expectedId(body: string): { id: unknown } | undefined {
  let v: any;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (
    v === null ||
    typeof v !== 'object' ||
    Array.isArray(v) ||
    v.jsonrpc !== '2.0' ||
    typeof v.method !== 'string' ||
    !('id' in v)
  )
    return undefined;
  const id = v.id;
  const ok = id === null || typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
  return ok ? { id } : undefined;
}

/** −32700 is right only for text that is not JSON, or JSON with conflicting duplicate keys. */
function mustBeParseError(body: string): boolean {
  try {
    JSON.parse(body);
  } catch {
    return true;
  }
  try {
    losslessParse(body);
    return false;
  } catch (e) {
    return /Duplicate key/.test(String(e));
  }
}

function allNotifications(body: string): boolean {
  let v: any;
  try {
    v = JSON.parse(body);
  } catch {
    return false;
  }
  const isNote = (x: any) => x !== null && typeof x === 'object' && !Array.isArray(x) && !('id' in x);
  return Array.isArray(v) ? v.length > 0 && v.every(isNote) : isNote(v);
}

describe('random JSON-RPC bodies over HTTP', () => {
  it('every answer is a JSON-RPC result/error (or empty for notifications); the server stays up', async () => {
    let sent = 0;
    const seen = { results: 0, errors: 0, empty: 0 };
    await fc.assert(
      fc.asyncProperty(bodyText, async (body) => {
        sent++;
        const r = await post(f.url, body);
        expect([200, 204]).toContain(r.status);
        if (r.status === 204) {
          expect(r.text).toBe('');
          expect(allNotifications(body)).toBe(true);
          seen.empty++;
          return;
        }
        expect(r.headers.get('content-type')).toBe('application/json');
        expect(r.json).toBeDefined();
        if (Array.isArray(r.json)) {
          expect(r.json.length).toBeGreaterThan(0);
          for (const m of r.json) expect(isResponse(m)).toBe(true);
        } else {
          expect(isResponse(r.json)).toBe(true);
          const parseError = r.json.error?.code === -32700;
          expect(parseError).toBe(mustBeParseError(body));
          const want = expectedId(body);
          if (want && !parseError) expect(r.json.id).toEqual(want.id);
        }
        for (const m of [r.json].flat()) {
          if ('result' in m) seen.results++;
          else seen.errors++;
          // Internal errors are only ever the generic message.
          if (m.error?.code === -32603) expect(m.error).toEqual({ code: -32603, message: 'internal error' });
        }
      }),
      { numRuns: 2_200, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
    expect(sent).toBeGreaterThanOrEqual(2_000);
    // The generator reaches every kind of answer, not only parse errors.
    expect(seen.results).toBeGreaterThan(0);
    expect(seen.errors).toBeGreaterThan(0);
    expect(seen.empty).toBeGreaterThan(0);
    // Still up and answering correctly.
    expect((await rpc(f.url, 'chain.tip')).result.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await rpc(f.url, 'account.get', [ADDR])).result.address).toBe(ADDR);
    // 2,200 real HTTP round trips: ~10 s idle, ~60 s at load 40 — a liveness wait, not a timing assert.
  }, 300_000);
});
