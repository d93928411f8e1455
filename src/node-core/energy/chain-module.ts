/**
 * The energy market as a ChainModule (chain/module.ts), module id `energy`. Tx kinds (fee-exempt
 * node attestations: only validators may send them — the node key signs what its operator or
 * oracle asked through the RPC, after the node's own checks):
 *   energy.register  [capacity_kwh, price_per_kwh, stake, meter_address, jurisdiction, owner ("" = sender)]
 *   energy.update    [provider_id, capacity_kwh | -1 as "", price_per_kwh | "", jurisdiction | ""]
 *   energy.readings  [[provider_id, meter_address, total_kwh, timestamp_s, nonce, signature (64 bytes)]…] (1..256; validators)
 *   energy.settle    [provider_id, kwh, meter_hash (64 hex)]
 *   energy.flag      [meter_hash, reason, reporter]
 *   energy.vote      [dispute_id, "uphold" | "dismiss", note] (validators; stake majority resolves)
 * Trade vs rehearsal comes from the governance state: `launch_energy_autopilot` = true (the
 * governor's energy gate intent) → value moves.
 */
import { asArray, asBytes, asSafeInt, asU64, CodecError } from '../codec/canonical.js';
import { moduleRef, type ChainModule, type ModuleRef, type TxKind } from '../chain/module.js';
import { governorState, type GovState } from '../governor/index.js';
import { getParam, treasuryState } from '../treasury/index.js';
import { applyEnergy, MAX_READINGS_PER_TX, type EnergyCall, type Params } from './rules.js';
import { decodeEnergy, EMPTY_ENERGY, encodeEnergy, type EnergyState } from './state.js';

export const ENERGY_ID = 'energy';
export const energyState: ModuleRef<EnergyState> = moduleRef<EnergyState>(ENERGY_ID);

/** The market mode from the governance parameters: trade once the energy gate's intent applied. */
export function modeOf(gov: Readonly<GovState>): 'rehearsal' | 'trade' {
  return gov.params.find(([k]) => k === 'launch_energy_autopilot')?.[1] === 'true' ? 'trade' : 'rehearsal';
}

export const PROVIDER_RE = /^energy-0x[0-9a-f]{8,16}$/;
export const METER_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
export const JURISDICTION_RE = /^[A-Z]{2}(_[A-Z0-9]{1,8})?$/;
const HASH_RE = /^[0-9a-f]{64}$/;

function txt(v: unknown, field: string, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) throw new CodecError(`${field} must be ${what}`);
  return v;
}
function free(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) throw new CodecError(`${field} must be text of at most ${max} characters`);
  return v;
}
const provider = (v: unknown) => txt(v, 'provider_id', PROVIDER_RE, 'a provider id like energy-0x00000000');
const meter = (v: unknown) => txt(v, 'meter_address', METER_RE, '1-64 of A-Z a-z 0-9 _ . : -');
const hash = (v: unknown) => txt(v, 'meter_hash', HASH_RE, '64 lowercase hex');
const optU64 = (v: unknown, f: string) => (v === '' ? null : asU64(v, f));
function arity(b: readonly unknown[], n: number, tag: string): void {
  if (b.length !== n) throw new CodecError(`${tag} takes ${n} element(s), got ${b.length}`);
}

type Op = EnergyCall['op'];
type Of<O extends Op> = Extract<EnergyCall, { op: O }>;
function kind<O extends Op>(op: O, decode: (b: readonly unknown[]) => Of<O>, encode: (c: Of<O>) => unknown[], summary: (c: Of<O>) => string, fields: (c: Of<O>) => Record<string, string | number>): TxKind<EnergyCall> {
  return {
    tag: `energy.${op}`,
    fee: 'exempt',
    decode,
    encode: (c) => encode(c as Of<O>),
    view: (c) => ({ summary: summary(c as Of<O>), fields: fields(c as Of<O>) }),
  };
}

export const ENERGY_KINDS: readonly TxKind<EnergyCall>[] = [
  kind('register', (b) => {
    arity(b, 6, 'energy.register');
    const owner = free(b[5], 'owner', 64);
    if (owner !== '' && !/^tb1[0-9a-f]{40}$/.test(owner)) throw new CodecError('owner must be "" or a tb1 address');
    return { op: 'register', capacity: asU64(b[0], 'capacity_kwh'), price: asU64(b[1], 'price_per_kwh'), stake: asU64(b[2], 'stake'), meter: meter(b[3]), jurisdiction: txt(b[4], 'jurisdiction', JURISDICTION_RE, 'a code like US_CA'), owner };
  }, (c) => [c.capacity, c.price, c.stake, c.meter, c.jurisdiction, c.owner], (c) => `register energy provider on meter ${c.meter} (${c.capacity} kWh at ${c.price})`,
  (c) => ({ capacity_kwh: c.capacity.toString(), price_per_kwh: c.price.toString(), stake: c.stake.toString(), meter_address: c.meter, jurisdiction: c.jurisdiction })),
  kind('update', (b) => {
    arity(b, 4, 'energy.update');
    const j = b[3] === '' ? null : txt(b[3], 'jurisdiction', JURISDICTION_RE, 'a code like US_CA');
    return { op: 'update', provider: provider(b[0]), capacity: optU64(b[1], 'capacity_kwh'), price: optU64(b[2], 'price_per_kwh'), jurisdiction: j };
  }, (c) => [c.provider, c.capacity ?? '', c.price ?? '', c.jurisdiction ?? ''], (c) => `update energy provider ${c.provider}`, (c) => ({ provider_id: c.provider })),
  kind('readings', (b) => {
    if (b.length < 1 || b.length > MAX_READINGS_PER_TX) throw new CodecError(`energy.readings takes 1..${MAX_READINGS_PER_TX} readings, got ${b.length}`);
    return {
      op: 'readings',
      readings: b.map((x, i) => {
        const r = asArray(x, `reading[${i}]`, 6);
        return { provider_id: provider(r[0]), meter_address: meter(r[1]), total_kwh: asU64(r[2], 'total_kwh'), timestamp: asSafeInt(r[3], 'timestamp'), nonce: asU64(r[4], 'nonce'), signature: asBytes(r[5], 'signature', 64) };
      }),
    };
  }, (c) => c.readings.map((r) => [r.provider_id, r.meter_address, r.total_kwh, r.timestamp, r.nonce, r.signature]), (c) => `${c.readings.length} signed meter reading(s)`, (c) => ({ readings: c.readings.length })),
  kind('settle', (b) => {
    arity(b, 3, 'energy.settle');
    return { op: 'settle', provider: provider(b[0]), kwh: asU64(b[1], 'kwh'), hash: hash(b[2]) };
  }, (c) => [c.provider, c.kwh, c.hash], (c) => `settle ${c.kwh} kWh of ${c.provider}`, (c) => ({ provider_id: c.provider, kwh: c.kwh.toString(), meter_hash: c.hash })),
  kind('flag', (b) => {
    arity(b, 3, 'energy.flag');
    return { op: 'flag', hash: hash(b[0]), reason: free(b[1], 'reason', 256), reporter: free(b[2], 'reporter', 64) };
  }, (c) => [c.hash, c.reason, c.reporter], (c) => `flag energy dispute on ${c.hash.slice(0, 12)}…`, (c) => ({ meter_hash: c.hash, reason: c.reason })),
  kind('vote', (b) => {
    arity(b, 3, 'energy.vote');
    if (b[1] !== 'uphold' && b[1] !== 'dismiss') throw new CodecError('choice must be "uphold" or "dismiss"');
    return { op: 'vote', id: asSafeInt(b[0], 'dispute_id'), choice: b[1], note: free(b[2], 'note', 256) };
  }, (c) => [c.id, c.choice, c.note], (c) => `${c.choice} energy dispute ${c.id}`, (c) => ({ dispute_id: c.id, choice: c.choice })),
];
export const kindOf = (op: Op): TxKind<EnergyCall> => ENERGY_KINDS.find((k) => k.tag === `energy.${op}`)!;

/** Params in force at this point of the block. */
export function paramsOf(read: <S>(ref: ModuleRef<S>) => Readonly<S>): Params {
  const t = read(treasuryState);
  return { minStake: getParam(t, 'energy_min_stake'), timeoutBlocks: getParam(t, 'energy_oracle_timeout_blocks'), slashingBps: getParam(t, 'energy_slashing_rate_bps'), trade: modeOf(read(governorState)) === 'trade' };
}

export const energyChainModule: ChainModule<EnergyState, EnergyCall> = {
  id: ENERGY_ID,
  kinds: ENERGY_KINDS,
  state: { empty: EMPTY_ENERGY, encode: encodeEnergy, decode: decodeEnergy },
  applyTx: (s, call, ctx) => applyEnergy(s, call, ctx, paramsOf((r) => ctx.read(r))),
};
