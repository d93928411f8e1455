/**
 * The `.block` registry as a ChainModule (chain/module.ts): seven tx kinds (tags `dns.publish`,
 * `dns.list`, `dns.stake`, `dns.unstake`, `dns.bid`, `dns.complete`, `dns.cancel`), the registry
 * state (state.ts) and the rules (rules.ts). Trade vs rehearsal is read from the governance
 * state: parameter `naming_mode` = "trade" (set by the naming gate's intent) → value moves.
 */
import { asSafeInt, asU64, CodecError } from '../codec/canonical.js';
import { moduleRef, type ChainModule, type ModuleRef, type TxKind } from '../chain/module.js';
import { governorState, type GovState } from '../governor/index.js';
import { isDomain, parseRecord, verifyRecord, formatRecord } from './record.js';
import { applyDns, DEFAULT_DURATION_BLOCKS, type DnsCall } from './rules.js';
import { decodeDns, EMPTY_DNS, encodeDns, type DnsState } from './state.js';

export const DNS_ID = 'dns';
export const dnsState: ModuleRef<DnsState> = moduleRef<DnsState>(DNS_ID);

/** The registry mode from the governance parameters: "trade" moves value; otherwise rehearsal (auctions run, nothing moves). */
export function modeOf(gov: Readonly<GovState>): 'inactive' | 'rehearsal' | 'trade' {
  const v = gov.params.find(([k]) => k === 'naming_mode')?.[1];
  return v === '"trade"' ? 'trade' : v === '"rehearsal"' ? 'rehearsal' : 'inactive';
}

function domain(v: unknown): string {
  if (typeof v !== 'string' || !isDomain(v)) throw new CodecError('domain must be a .block name');
  return v;
}
function ref(v: unknown): string {
  if (typeof v !== 'string' || !/^[a-z0-9_-]{1,64}$/.test(v)) throw new CodecError('stake reference must be 1-64 of a-z 0-9 _ -');
  return v;
}
function arity(body: readonly unknown[], n: number, tag: string): void {
  if (body.length !== n) throw new CodecError(`${tag} takes ${n} element(s), got ${body.length}`);
}

type Op = DnsCall['op'];
function kind<O extends Op>(op: O, n: number, decode: (b: readonly unknown[]) => Extract<DnsCall, { op: O }>, encode: (c: Extract<DnsCall, { op: O }>) => unknown[], summary: (c: Extract<DnsCall, { op: O }>) => string): TxKind<DnsCall> {
  const tag = `dns.${op}`;
  return {
    tag,
    fee: 'standard',
    decode(body) {
      arity(body, n, tag);
      return decode(body);
    },
    encode: (c) => encode(c as Extract<DnsCall, { op: O }>),
    view(c) {
      const x = c as Extract<DnsCall, { op: O }>;
      const fields: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(x)) if (k !== 'op') fields[k] = typeof v === 'bigint' ? v.toString() : typeof v === 'object' ? formatRecord(v as never) : (v as string | number);
      return { summary: summary(x), fields };
    },
  };
}

export const DNS_KINDS: readonly TxKind<DnsCall>[] = [
  kind('publish', 3, (b) => {
    const r = parseRecord(`tb-domain=${String(b[0])};pubkey=${String(b[1])};sig=${String(b[2])}`);
    if (typeof r === 'string') throw new CodecError(`dns.publish: ${r}`);
    if (!verifyRecord(r)) throw new CodecError(`dns.publish: the TXT record signature of ${r.domain} does not verify`);
    return { op: 'publish', record: r };
  }, (c) => [c.record.domain, c.record.pubkey, c.record.sig], (c) => `publish TXT record of ${c.record.domain}`),
  kind('list', 5, (b) => {
    const royaltyBps = asSafeInt(b[3], 'dns.list royalty_bps', 10_000);
    const durationBlocks = asSafeInt(b[4], 'dns.list duration_blocks', 1_000_000);
    if (durationBlocks < 1) throw new CodecError('dns.list duration_blocks must be ≥ 1');
    return { op: 'list', domain: domain(b[0]), minBid: asU64(b[1], 'dns.list min_bid'), stakeRequirement: asU64(b[2], 'dns.list stake_requirement'), royaltyBps, durationBlocks };
  }, (c) => [c.domain, c.minBid, c.stakeRequirement, c.royaltyBps, c.durationBlocks], (c) => `list ${c.domain} (min bid ${c.minBid})`),
  kind('stake', 2, (b) => ({ op: 'stake', ref: ref(b[0]), amount: asU64(b[1], 'dns.stake amount') }), (c) => [c.ref, c.amount], (c) => `register stake ${c.ref} of ${c.amount}`),
  kind('unstake', 1, (b) => ({ op: 'unstake', ref: ref(b[0]) }), (c) => [c.ref], (c) => `withdraw stake ${c.ref}`),
  kind('bid', 3, (b) => ({ op: 'bid', domain: domain(b[0]), amount: asU64(b[1], 'dns.bid amount'), stakeRef: ref(b[2]) }), (c) => [c.domain, c.amount, c.stakeRef], (c) => `bid ${c.amount} on ${c.domain}`),
  kind('complete', 1, (b) => ({ op: 'complete', domain: domain(b[0]) }), (c) => [c.domain], (c) => `complete the sale of ${c.domain}`),
  kind('cancel', 1, (b) => ({ op: 'cancel', domain: domain(b[0]) }), (c) => [c.domain], (c) => `cancel the sale of ${c.domain}`),
];
export const kindOf = (op: Op): TxKind<DnsCall> => DNS_KINDS.find((k) => k.tag === `dns.${op}`)!;
export { DEFAULT_DURATION_BLOCKS };

export const dnsChainModule: ChainModule<DnsState, DnsCall> = {
  id: DNS_ID,
  kinds: DNS_KINDS,
  state: { empty: EMPTY_DNS, encode: encodeDns, decode: decodeDns },
  applyTx: (s, call, ctx) => applyDns(s, call, ctx, modeOf(ctx.read(governorState)) === 'trade'),
};
