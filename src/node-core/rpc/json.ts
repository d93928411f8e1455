/**
 * Exact JSON for the JSON-RPC boundary (DESIGN.md "Hard edges → Numbers").
 *
 * `JSON.parse` rounds `18446744073709551616` to a double and turns `1e3` / `1.0` into `1000` / `1`,
 * so a client's mistake would be silently accepted as a different amount. Request bodies are
 * therefore parsed with `lossless-json` (a library, not a home-made parser) and numbers arrive as:
 * - integer literals (`42`, `-7`) → `number` when safe, else `bigint` (the zod number schemas then
 *   reject negatives and values above 2^64−1 with a clear message);
 * - literals with a fraction or an exponent (`1.5`, `1.0`, `1e3`) → {@link NumberLiteral}, which
 *   {@link paramsForSchemas} turns into `NaN` so `zU64`/`zHeight` answer
 *   "must be an integer (no fractions or exponents)". The API has no float params (amounts, fees,
 *   heights are integers), so nothing legitimate is lost.
 * Request ids keep their exact literal text so they are echoed byte for byte.
 */
import { parse } from 'lossless-json';

/** A JSON number literal that is not a plain integer (or is `-0`), kept as its source text. */
export class NumberLiteral {
  constructor(readonly text: string) {}
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

function parseNumber(text: string): unknown {
  if (!INTEGER.test(text) || text === '-0') return new NumberLiteral(text);
  // 15 digits always fit a double exactly; longer literals go through BigInt to decide.
  if (text.length <= 15) return Number(text);
  const b = BigInt(text);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/** True when every number inside `v` is a safe integer (what {@link parseNumber} makes a `number`). */
function onlySafeIntegers(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v);
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!onlySafeIntegers(x)) return false;
    return true;
  }
  for (const k in v) if (!onlySafeIntegers((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** Fast path bodies are at most this long (longer ones go straight to lossless-json). */
const FAST_MAX = 4096;

/**
 * Parses a request body. Duplicate keys with different values and malformed text throw.
 *
 * Hot path (issue 17: `chain.tip` polled thousands of times a second): compact JSON as clients
 * write it (`JSON.stringify`) is parsed with the built-in `JSON.parse` when that is provably the
 * same value lossless-json would give: re-serialising yields the exact text (so no duplicate key
 * was dropped, no number was rounded or rewritten — `1.0`, `1e3`, `-0`, 2^64 all differ) and every
 * number is a safe integer. Anything else (whitespace, escapes, fractions, big numbers, errors)
 * takes lossless-json, as before: the result never depends on which path ran.
 * @throws SyntaxError (or RangeError for absurd nesting) — the caller answers −32700.
 */
export function parseExact(text: string): unknown {
  if (text.length <= FAST_MAX) {
    try {
      const v: unknown = JSON.parse(text);
      if (v !== null && typeof v === 'object' && JSON.stringify(v) === text && onlySafeIntegers(v)) return v;
    } catch {
      // malformed: lossless-json below throws its own, more precise error
    }
  }
  return parseLossless(text);
}

/** {@link parseExact} without the fast path: lossless-json only (the reference the fast path must equal). */
export function parseLossless(text: string): unknown {
  return parse(text, null, { parseNumber });
}

/** Converts {@link NumberLiteral}s inside params to values the exact-number schemas reject clearly. */
export function paramsForSchemas(v: unknown): unknown {
  if (v instanceof NumberLiteral) return v.text === '-0' ? 0 : Number.NaN;
  if (Array.isArray(v)) return v.map(paramsForSchemas);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // defineProperty keeps a literal "__proto__" key an own data property (no prototype change).
      Object.defineProperty(out, k, {
        value: paramsForSchemas(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

/** True if a parsed value is a valid JSON-RPC id (string, number or null). */
export function isValidId(id: unknown): boolean {
  return (
    id === null ||
    typeof id === 'string' ||
    typeof id === 'number' ||
    typeof id === 'bigint' ||
    id instanceof NumberLiteral
  );
}

/** The exact JSON text of an id as received. */
export function idText(id: unknown): string {
  if (id instanceof NumberLiteral) return id.text;
  if (typeof id === 'bigint') return id.toString();
  if (typeof id === 'number' || typeof id === 'string') return JSON.stringify(id);
  return 'null';
}

function bigintReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/**
 * Serialises a result: bigint → decimal string (amounts are decimal strings in JSON), `undefined`
 * → `null`. The common bigint-free case takes the fast path without a replacer.
 */
export function stringifyResult(v: unknown): string {
  if (v === undefined) return 'null';
  try {
    return JSON.stringify(v) ?? 'null';
  } catch (e) {
    if (e instanceof TypeError) return JSON.stringify(v, bigintReplacer) ?? 'null';
    throw e;
  }
}
