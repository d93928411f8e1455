/**
 * The chain's own consensus state (not a pluggable module): validators excluded by evidence
 * committed in blocks (issue 10 "exclude its stake"). Held like a module state under the reserved
 * id `consensus` (chain/modules.ts puts it first in every ModuleSet), so it is stored in the chain
 * DB, hashed into the state root (chain/root.ts; an empty set leaves every root as before, so
 * chains without exclusions keep their blocks and roots), carried by snapshots, restored by undo
 * and recomputed by replay from genesis.
 *
 * State: the exclusions in the order they were committed, `[[validator address (20 bytes),
 * from_height], …]`. A block at height H whose evidence accuses V records `[V, H + 1]`: V's stake
 * counts at no height from H + 1 on (the first height every process decides after seeing block H).
 */
import { asArray, asBytes, asSafeInt, CodecError } from './codec.js';
import { moduleRef, type ChainModule } from './module.js';
import { fromHex, toHex } from '../crypto/hash.js';

export interface Exclusion {
  /** 40-hex validator address. */
  addrHex: string;
  /** First height at which its stake no longer counts. */
  fromHeight: number;
}

export type Exclusions = readonly Exclusion[];

/** Reserved state id (module ids are checked against it in chain/modules.ts). */
export const EXCLUSIONS_ID = 'consensus';

/** Reads the exclusions after the head: `chain.moduleState(exclusionsRef)`. */
export const exclusionsRef = moduleRef<Exclusions>(EXCLUSIONS_ID);

export const exclusionsModule: ChainModule<Exclusions, never> = {
  id: EXCLUSIONS_ID,
  kinds: [],
  state: {
    empty: [],
    encode: (s) => s.map((e) => [fromHex(e.addrHex, 20), e.fromHeight]),
    decode: (v) => {
      const seen = new Set<string>();
      return asArray(v, 'consensus exclusions').map((x) => {
        const [a, h] = asArray(x, 'exclusion', 2);
        const e = { addrHex: toHex(asBytes(a, 'exclusion.validator', 20)), fromHeight: asSafeInt(h, 'exclusion.from_height') };
        if (seen.has(e.addrHex)) throw new CodecError(`validator ${e.addrHex} is excluded twice`);
        seen.add(e.addrHex);
        return e;
      });
    },
  },
  applyTx: () => ({ ok: false, reason: 'unknown_tx_kind', message: 'the consensus state takes no transactions' }),
};

/** Addresses (40-hex) excluded at `height` (all of them when `height` is omitted). */
export function excludedAt(s: Exclusions, height = Number.MAX_SAFE_INTEGER): Set<string> {
  return new Set(s.filter((e) => e.fromHeight <= height).map((e) => e.addrHex));
}

/** The state after block `height` committed evidence against `accused` (already checked). */
export function withExclusions(s: Exclusions, accused: readonly string[], height: number): Exclusions {
  return accused.length === 0 ? s : [...s, ...accused.map((addrHex) => ({ addrHex, fromHeight: height + 1 }))];
}

/** The exclusions held in a chain's module states (empty when none). */
export function exclusionsOf(m: { states: ReadonlyMap<string, unknown> }): Exclusions {
  return (m.states.get(EXCLUSIONS_ID) as Exclusions | undefined) ?? [];
}
