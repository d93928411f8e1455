/**
 * One declaration per JSON-RPC method (DESIGN.md "One API, several front doors").
 * The dispatcher, the typed clients (renderer hooks, CLI, tests) and `rpc.discover` (OpenRPC 1.2.6)
 * all derive from these objects; a method is never listed twice.
 */
import { z } from 'zod';
import { RpcError, type ParamIssue } from './errors.js';

export interface MethodDecl<
  N extends string = string,
  P extends z.ZodObject<any> = z.ZodObject<any>,
  R extends z.ZodType = z.ZodType,
> {
  /** Method name as on the wire, e.g. `chain.tip`. */
  readonly name: N;
  /** One-line description (shown in `rpc.discover` and CLI help). */
  readonly summary: string;
  /** Named params. Positional params map onto `order` in sequence. */
  readonly params: P;
  /** Positional order of the named params (`[42]` ≡ `{"epoch":42}`). */
  readonly order: readonly (keyof z.input<P> & string)[];
  /** Result schema (documentation + client-side typing; results are built by trusted code). */
  readonly result: R;
  /** Mutating methods require `Authorization: Bearer` when `TB_RPC_AUTH_TOKEN` is set. */
  readonly mutating: boolean;
  /** Application error reasons this method can answer with (`error.data.reason`). */
  readonly reasons?: readonly string[];
}

export function defineMethod<N extends string, P extends z.ZodObject<any>, R extends z.ZodType>(
  d: MethodDecl<N, P, R>,
): MethodDecl<N, P, R> {
  return d;
}

export type ParamsIn<M extends MethodDecl> = z.input<M['params']>;
export type ParamsOf<M extends MethodDecl> = z.output<M['params']>;
export type ResultOf<M extends MethodDecl> = z.output<M['result']>;

/** Converts zod issues into the field-level `data.issues` of a −32602 error. */
export function zodIssues(err: z.ZodError): ParamIssue[] {
  return err.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: readable(i) }));
}

/** Whether a zod issue is an absent value (zod says "Invalid input: expected string, received undefined"). */
export function isMissingIssue(i: z.core.$ZodIssue): boolean {
  return i.code === 'invalid_type' && /received undefined$/.test(i.message);
}

/** A missing param reads "required (a string)" rather than zod's wording. */
function readable(i: z.core.$ZodIssue): string {
  if (i.code !== 'invalid_type' || !isMissingIssue(i)) return i.message;
  return `required (${/^[aeiou]/.test(i.expected) ? 'an' : 'a'} ${i.expected})`;
}

// `.strict()` builds a new schema each time (tens of µs); build it once per method.
const strictSchemas = new WeakMap<z.ZodObject<any>, z.ZodObject<any>>();
function strictOf(s: z.ZodObject<any>): z.ZodObject<any> {
  let t = strictSchemas.get(s);
  if (!t) strictSchemas.set(s, (t = s.strict()));
  return t;
}

/**
 * Normalises wire params (array, object, or absent) to the named object and validates it.
 * @throws RpcError −32602 with `data.issues` on any problem (extra positional values, unknown keys, bad types).
 */
export function parseParams<M extends MethodDecl>(m: M, raw: unknown): ParamsOf<M> {
  let named: Record<string, unknown>;
  if (raw === undefined || raw === null) named = {};
  else if (Array.isArray(raw)) {
    if (raw.length > m.order.length)
      throw RpcError.invalidParams(
        [{ path: [m.order.length], message: `${m.name} takes at most ${m.order.length} positional params (${m.order.join(', ') || 'none'})` }],
      );
    named = {};
    raw.forEach((v, i) => {
      if (v !== undefined) named[m.order[i]] = v;
    });
  } else if (typeof raw === 'object') named = raw as Record<string, unknown>;
  else throw RpcError.invalidParams([{ path: [], message: 'params must be an array or an object' }]);
  const r = strictOf(m.params).safeParse(named);
  if (!r.success) throw RpcError.invalidParams(zodIssues(r.error));
  return r.data as ParamsOf<M>;
}

/**
 * A module's contract slice (src/shared/api/<module>.ts): the methods it serves, the topics it
 * publishes and the uid of its generated Grafana dashboard. The contract's module list
 * (modules.ts) holds one entry per module; METHODS, Topics and the dashboard uids derive from it.
 */
export interface ModuleContract<
  Id extends string = string,
  M extends readonly MethodDecl[] = readonly MethodDecl[],
  T extends Record<string, z.ZodType> = Record<string, z.ZodType>,
  D extends string | undefined = string | undefined,
> {
  /** The module id (its NodeModule's id). */
  readonly id: Id;
  readonly methods: M;
  /** Subscription topics (`chain.subscribe`), each with its payload schema. */
  readonly topics: T;
  /** Stable Grafana uid (`tb-…`) of its dashboard; its monitoring contribution and console page use it. */
  readonly dashboard: D;
}

/** Identity function keeping the literal types of a contract slice. */
export function defineContract<const Id extends string, const M extends readonly MethodDecl[], T extends Record<string, z.ZodType> = Record<never, never>, const D extends string | undefined = undefined>(
  c: { id: Id; methods: M; topics?: T; dashboard?: D },
): ModuleContract<Id, M, T, D> {
  return { id: c.id, methods: c.methods, topics: (c.topics ?? {}) as T, dashboard: c.dashboard as D };
}
