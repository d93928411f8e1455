/**
 * Who may call which energy method (spec/energy.md §6): role tokens and per-IP rate limits.
 * Tokens: env TB_ENERGY_{PROVIDER,ORACLE,ADMIN}_TOKEN, else `<data>/secrets/energy_{provider,oracle,admin}.token`;
 * admin falls back to the RPC auth token. Roles apply to HTTP/WS callers only when an energy token
 * or the RPC token is configured (the console's IPC and in-process calls are the operator).
 * Admin ⊇ oracle ⊇ provider. Reads need a role only when an energy token is configured.
 * Rate limits: per-IP token buckets per class, tokens/s from TB_RPC_ENERGY_{READ,SUBMIT,SETTLE,DISPUTE}_TOKENS_PER_SEC
 * (defaults 1000/60, 100/60, 50/60, 20/60; 0 disables) → −32001, and the address is then banned from
 * that class for TB_RPC_BAN_SECS (default 60) → −32002 until the ban ends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, RpcError } from '../../shared/api/errors.js';
import { ENERGY_ERRORS } from '../../shared/api/energy.js';
import { RateLimiter } from '../http/index.js';
import type { CallContext } from '../rpc/types.js';

/** JSON-RPC code of a banned client (the reference's −32002). */
export const BANNED = -32002;

export type Role = 'provider' | 'oracle' | 'admin';
export type RateClass = 'read' | 'submit' | 'settle' | 'dispute';
const RANK: Record<Role, number> = { provider: 0, oracle: 1, admin: 2 };
export const RATE_DEFAULTS: Record<RateClass, number> = { read: 1000 / 60, submit: 100 / 60, settle: 50 / 60, dispute: 20 / 60 };

function tokenOf(env: NodeJS.ProcessEnv, root: string, role: Role): string | undefined {
  const v = env[`TB_ENERGY_${role.toUpperCase()}_TOKEN`];
  if (v) return v;
  try {
    const t = readFileSync(path.join(root, 'secrets', `energy_${role}.token`), 'utf8').trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class EnergyAccess {
  private readonly tokens: Partial<Record<Role, string>>;
  private readonly energyTokens: boolean;
  private readonly limiters: Record<RateClass, RateLimiter>;
  private readonly bans = new Map<string, number>();
  private readonly banMs: number;

  constructor(root: string, rpcToken: string | undefined, env: NodeJS.ProcessEnv = process.env) {
    const provider = tokenOf(env, root, 'provider');
    const oracle = tokenOf(env, root, 'oracle');
    const admin = tokenOf(env, root, 'admin');
    this.energyTokens = !!(provider || oracle || admin);
    this.tokens = { provider, oracle, admin: admin ?? rpcToken };
    const rate = (c: RateClass) => {
      const v = env[`TB_RPC_ENERGY_${c.toUpperCase()}_TOKENS_PER_SEC`];
      const n = v === undefined || v === '' ? NaN : Number(v);
      return Number.isFinite(n) && n >= 0 ? n : RATE_DEFAULTS[c];
    };
    const ban = Number(env.TB_RPC_BAN_SECS ?? '');
    this.banMs = (env.TB_RPC_BAN_SECS && Number.isFinite(ban) && ban >= 0 ? ban : 60) * 1000;
    this.limiters = { read: new RateLimiter(rate('read')), submit: new RateLimiter(rate('submit')), settle: new RateLimiter(rate('settle')), dispute: new RateLimiter(rate('dispute')) };
  }

  /** The highest role a bearer token grants (undefined = none). */
  private roleOf(bearer: string | undefined): Role | undefined {
    if (!bearer) return undefined;
    for (const r of ['admin', 'oracle', 'provider'] as const) {
      const t = this.tokens[r];
      if (t && same(t, bearer)) return r;
    }
    return undefined;
  }

  /** @throws RpcError −33009 (unauthorized) or −32001 (rate limited). */
  check(ctx: CallContext, need: Role, cls: RateClass, method: string): void {
    if (ctx.transport !== 'http' && ctx.transport !== 'ws') return;
    const who = `${cls}|${ctx.remote ?? 'unknown'}`;
    const until = this.bans.get(who);
    if (until !== undefined) {
      if (Date.now() < until) throw new RpcError(BANNED, `banned: ${method} (${cls} class) until ${new Date(until).toISOString()} after exceeding its rate`, { reason: 'banned', class: cls, until_ms: until });
      this.bans.delete(who);
    }
    if (!this.limiters[cls].take(ctx.remote ?? 'unknown')) {
      if (this.banMs > 0) this.bans.set(who, Date.now() + this.banMs);
      if (this.bans.size > 10_000) this.bans.delete(this.bans.keys().next().value!);
      throw new RpcError(ErrorCode.RateLimited, `rate limited: ${method} (${cls} class, per client address)`, { reason: 'rate_limited', class: cls });
    }
    const guarded = need === 'provider' ? this.energyTokens : this.energyTokens || !!this.tokens.admin;
    if (!guarded) return;
    const have = this.roleOf(/^Bearer (.+)$/.exec(ctx.headers?.authorization ?? '')?.[1]);
    if (have === undefined || RANK[have] < RANK[need])
      throw new RpcError(ENERGY_ERRORS.unauthorized, `${method} needs the energy ${need} role: send Authorization: Bearer <token>`, { reason: 'unauthorized', role: need });
  }
}
