// Exact numbers at the JSON-RPC boundary (DESIGN.md "Hard edges → Numbers"): nothing is rounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/api/index.js';
import {
  parseExact,
  paramsForSchemas,
  NumberLiteral,
  stringifyResult,
} from '../../../src/node-core/rpc/json.js';
import { ADDR, post, startFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  for (let i = 0; i < 3; i++) f.chain.mine();
});
afterAll(() => f.close());

const transfer = (amountJson: string) =>
  post(
    f.url,
    `{"jsonrpc":"2.0","id":1,"method":"wallet.transfer","params":["faucet","${ADDR}",${amountJson}]}`,
  );

describe('amounts (u64) over HTTP', () => {
  it.each([
    ['1.5', 'must be an integer (no fractions or exponents)'],
    ['1.0', 'must be an integer (no fractions or exponents)'],
    ['1e3', 'must be an integer (no fractions or exponents)'],
    ['25E0', 'must be an integer (no fractions or exponents)'],
    ['1e400', 'must be an integer (no fractions or exponents)'],
    ['-1', 'must not be negative'],
    ['-9007199254740993', 'must not be negative'],
    ['0', 'must be greater than 0'],
    ['"0"', 'must be greater than 0'],
    ['18446744073709551616', 'must be at most 18446744073709551615'],
    ['123456789012345678901234567890', 'must be at most 18446744073709551615'],
  ])('rejects %s with "%s"', async (amount, message) => {
    const r = await transfer(amount);
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.json.error.data.issues).toEqual([{ path: ['amount'], message }]);
  });

  it.each([
    '"1.5"',
    '"1e3"',
    '"-1"',
    '" 25"',
    '"+25"',
    '"0x19"',
    '"18446744073709551616"',
    'true',
    'null',
    '{}',
  ])('rejects %s as an amount', async (amount) => {
    const r = await transfer(amount);
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.json.error.data.issues[0].path).toEqual(['amount']);
  });

  it.each([
    ['25', '25'],
    ['"25"', '25'],
    ['1', '1'],
    ['9007199254740993', '9007199254740993'], // beyond 2^53 as a bare literal: kept exact, not rounded to …992
    ['18446744073709551615', '18446744073709551615'],
    ['"18446744073709551615"', '18446744073709551615'],
  ])('accepts %s exactly', async (amount, expected) => {
    const r = await transfer(amount);
    expect(r.json.result.nonce).toBe(expected);
  });
});

describe('missing params over HTTP', () => {
  it('names each missing field as required, with the type it takes', async () => {
    const r = await post(f.url, '{"jsonrpc":"2.0","id":1,"method":"wallet.transfer","params":["faucet"]}');
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.json.error.data.issues[0]).toEqual({ path: ['to'], message: 'required (a string)' });
    expect(r.json.error.data.issues.map((i: { path: string[] }) => i.path[0])).toContain('amount');
  });
});

describe('heights over HTTP', () => {
  it.each([
    ['1.5', 'must be an integer (no fractions or exponents)'],
    ['2.0', 'must be an integer (no fractions or exponents)'],
    ['2e0', 'must be an integer (no fractions or exponents)'],
    ['-2', 'must not be negative'],
    ['9007199254740992', 'must be at most 9007199254740991'],
    ['18446744073709551616', 'must be at most 9007199254740991'],
  ])('rejects height %s with "%s"', async (h, message) => {
    const r = await post(f.url, `{"jsonrpc":"2.0","id":1,"method":"chain.block","params":[${h}]}`);
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.json.error.data.issues).toEqual([{ path: ['height'], message }]);
  });

  it('accepts a height as number and as decimal string', async () => {
    for (const h of ['2', '"2"']) {
      const r = await post(f.url, `{"jsonrpc":"2.0","id":1,"method":"chain.block","params":{"height":${h}}}`);
      expect(r.json.result.height).toBe(2);
    }
  });
});

describe('json module', () => {
  it('parses integers exactly: safe → number, larger → bigint, others → NumberLiteral', () => {
    expect(
      parseExact('[0, -7, 9007199254740991, 9007199254740992, -9007199254740992, 1.5, 1e3, -0]'),
    ).toEqual([
      0,
      -7,
      9007199254740991,
      9007199254740992n,
      -9007199254740992n,
      new NumberLiteral('1.5'),
      new NumberLiteral('1e3'),
      new NumberLiteral('-0'),
    ]);
  });

  it('maps non-integer literals to NaN for the schemas, -0 to 0, recursively', () => {
    const v = paramsForSchemas({ a: [new NumberLiteral('2.0')], b: new NumberLiteral('-0'), c: 5n }) as any;
    expect(Number.isNaN(v.a[0])).toBe(true);
    expect(v.b).toBe(0);
    expect(v.c).toBe(5n);
  });

  it('serialises bigint as decimal strings and undefined as null', () => {
    expect(stringifyResult({ a: 1n << 64n, b: [2n] })).toBe('{"a":"18446744073709551616","b":["2"]}');
    expect(stringifyResult(undefined)).toBe('null');
  });
});
