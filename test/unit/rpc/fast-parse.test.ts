// The request parser's fast path (issue 17, RPC throughput): `parseExact` may use `JSON.parse` only
// when the value is provably what lossless-json gives, so for any text — compact JSON as clients
// send it, odd number literals, duplicate keys, escapes, whitespace, garbage — `parseExact` and the
// lossless-only `parseLossless` return equal values or both throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberLiteral, parseExact, parseLossless } from '../../../src/node-core/rpc/json.js';

/** The outcome of a parse: its value, or that it threw. */
function outcome(f: (t: string) => unknown, text: string): { ok: true; v: unknown } | { ok: false } {
  try {
    return { ok: true, v: f(text) };
  } catch {
    return { ok: false };
  }
}

const numberLit = fc.oneof(
  fc.constantFrom('0', '-0', '1', '-1', '1.5', '2.0', '1e3', '1E-7', '9007199254740991', '9007199254740993', '18446744073709551616'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const key = fc.constantFrom('"id"', '"jsonrpc"', '"method"', '"params"', '"__proto__"', '"a"', '"\\u0041"');
const text: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    numberLit,
    fc.constantFrom('null', 'true', 'false', '"2.0"', '"x\\ny"', '"é"'),
    fc.string().map((s) => JSON.stringify(s)),
    fc.array(tie('v'), { maxLength: 4 }).map((a) => `[${a.join(',')}]`),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${k}:${v}`).join(',')}}`),
  ),
})).v;

describe('parseExact fast path', () => {
  it('equals lossless-json on generated JSON texts (numbers, duplicate keys, escapes)', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (t, spaced) => {
        const body = spaced ? t.replace(/,/g, ', ') : t;
        expect(outcome(parseExact, body)).toStrictEqual(outcome(parseLossless, body));
      }),
      { numRuns: 3000 },
    );
  });

  it('equals lossless-json on any JSON value a client serialises, and on garbage', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const t = JSON.stringify(v);
        expect(outcome(parseExact, t)).toStrictEqual(outcome(parseLossless, t));
      }),
      { numRuns: 2000 },
    );
    for (const t of ['', '{', '{"a":1,"a":2}', '{"a":1,"a":1}', '[1,]', '{"id":1e400}', 'nul', '{"a":-0}'])
      expect(outcome(parseExact, t)).toStrictEqual(outcome(parseLossless, t));
  });

  it('keeps the exact-number rules on the fast path’s usual input', () => {
    expect(parseExact('{"jsonrpc":"2.0","method":"chain.tip","params":[],"id":1}')).toStrictEqual({ jsonrpc: '2.0', method: 'chain.tip', params: [], id: 1 });
    expect(parseExact('{"id":1.5}')).toStrictEqual({ id: new NumberLiteral('1.5') });
    expect(parseExact('{"n":18446744073709551616}')).toStrictEqual({ n: 18446744073709551616n });
    expect(() => parseExact('{"a":1,"a":2}')).toThrow(/Duplicate key/);
  });
});
