/**
 * Exact number schemas for the API boundary (DESIGN.md "Hard edges → Numbers").
 * Heights, amounts, fees and nonces are integers: a JSON safe integer or a decimal string
 * (`"123"`). Floats, exponents, signs, leading `+`, whitespace and values beyond 2^64−1 are
 * rejected with a clear message, never rounded. Amounts are base units of BLOCK.
 */
import { z } from 'zod';

export const U64_MAX = (1n << 64n) - 1n;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses an exact unsigned integer; returns an error message or the bigint. */
export function parseU64(v: unknown, max: bigint = U64_MAX): bigint | string {
  if (typeof v === 'bigint') return v < 0n ? 'must not be negative' : v > max ? `must be at most ${max}` : v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || !Number.isInteger(v)) return 'must be an integer (no fractions or exponents)';
    if (v < 0) return 'must not be negative';
    if (!Number.isSafeInteger(v)) return 'integer is beyond 2^53; pass it as a decimal string';
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (!DECIMAL.test(v)) return 'must be a decimal integer string like "25" (no sign, fraction, exponent or spaces)';
    const b = BigInt(v);
    return b > max ? `must be at most ${max}` : b;
  }
  return 'must be an integer or a decimal string';
}

/** u64 amount/fee/nonce: accepts safe integer or decimal string, outputs bigint. */
export const zU64 = z.unknown().transform((v, ctx) => {
  const r = parseU64(v);
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return r;
}) as unknown as z.ZodType<bigint, unknown>;

/** A block height (or count): non-negative safe integer (number or decimal string) → number. */
export const zHeight = z.unknown().transform((v, ctx) => {
  const r = parseU64(v, BigInt(Number.MAX_SAFE_INTEGER));
  if (typeof r === 'string') {
    ctx.addIssue({ code: 'custom', message: r });
    return z.NEVER;
  }
  return Number(r);
}) as unknown as z.ZodType<number, unknown>;

/** Decimal string of a u64 as sent in results (amounts, balances, fees). */
export const zDecimal = z.string().regex(DECIMAL, 'decimal integer string');

/** 32-byte hash as 64 lowercase hex chars. */
export const zHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (32 bytes)');
/** Hex bytes of any even length. */
export const zHex = z.string().regex(/^([0-9a-f]{2})*$/, 'must be lowercase hex with an even number of digits');
/** Account address: `tb1` + 40 lowercase hex (20 bytes of SHA-256 of the Ed25519 public key). */
export const zAddress = z.string().regex(/^tb1[0-9a-f]{40}$/, 'must be an address like tb1 followed by 40 hex digits');
