/**
 * Byzantine behaviour of a faulty validator in the simulator. A faulty node runs a normal core
 * (so it stays plausible) and this layer rewrites what it sends, per recipient:
 *  - `equivocate`: conflicting proposals and votes to different peers (a different value, nil, or
 *    another value of the height — sometimes an invalid one);
 *  - `silent`: withholds everything;
 *  - `selective`: each message reaches only some peers;
 *  - `round_spam`: also sends votes for rounds ahead, to drag honest nodes into round skips;
 *  - `amnesia`: the attack the lock exists for — proposes fresh values instead of its valid value,
 *    votes for the newest value it has seen whatever it locked, and shows its precommits to only
 *    some peers (so some honest nodes decide and others move to the next round).
 * It can only sign in its own name: messages from other validators are never forged.
 */
import type { TendermintCore } from '../../src/node-core/chain/tendermint/core.js';
import type { ConsensusMessage, Input } from '../../src/node-core/chain/tendermint/types.js';
import type { Rng } from './rng.js';
import type { ByzMode } from './scenario.js';
import type { SimValue } from './world.js';

export function byzantineSend(mode: ByzMode, rng: Rng, core: TendermintCore<SimValue>, msgs: ConsensusMessage<SimValue>[], to: string, peers: readonly string[]): Input<SimValue>[] {
  switch (mode) {
    case 'silent':
      return [];
    case 'selective':
      return msgs.filter(() => rng.chance(0.5));
    case 'round_spam': {
      const out: Input<SimValue>[] = [...msgs];
      for (const m of msgs) if (m.type !== 'proposal') for (let k = 1; k <= 3; k++) out.push({ ...m, round: m.round + k, id: rng.chance(0.5) ? null : m.id });
      return out;
    }
    case 'equivocate':
      return msgs.map((m) => (rng.chance(0.5) ? m : twist(rng, core, m)));
    case 'lock_splitter': {
      // Fresh proposals; a prevote for a value to every peer but one victim per round (nil to it);
      // a precommit to one peer per round only.
      const pick = (salt: number, h: number, r: number) => peers[(h * 31 + r * 7 + salt) % peers.length];
      return msgs
        .map((m) => forget(core, m))
        .flatMap((m) => {
          if (m.type === 'prevote' && m.id !== null && to === pick(1, m.height, m.round)) return [{ ...m, id: null }];
          if (m.type === 'precommit' && to !== pick(2 + (m.height % 3), m.height, m.round)) return [];
          return [m];
        });
    }
    case 'amnesia':
      // Prevotes for a value reach about a third of the peers (nil to the others: a POL only some
      // see); precommits reach about one peer in four (one node decides, the others move on).
      return msgs.map((m) => forget(core, m)).flatMap((m) => (m.type === 'prevote' && m.id !== null && !rng.chance(0.35) ? [{ ...m, id: null }] : m.type === 'precommit' && !rng.chance(0.25) ? [] : [m]));
  }
}

/** One rewrite per message (the same to every peer: no equivocation, no evidence). */
const forgotten = new WeakMap<ConsensusMessage<SimValue>, ConsensusMessage<SimValue>>();

function forget(core: TendermintCore<SimValue>, m: ConsensusMessage<SimValue>): ConsensusMessage<SimValue> {
  let f = forgotten.get(m);
  if (f) return f;
  if (m.type === 'proposal') f = { ...m, value: { id: `${m.height}.${m.round}.${m.from}.fresh`, valid: true, evidence: [] }, validRound: -1 };
  else {
    const known = core.knownValueIds();
    f = { ...m, id: known.length > 0 ? known[known.length - 1] : m.id };
  }
  forgotten.set(m, f);
  return f;
}

function twist(rng: Rng, core: TendermintCore<SimValue>, m: ConsensusMessage<SimValue>): ConsensusMessage<SimValue> {
  if (m.type === 'proposal') {
    const k = rng.int(0, 2);
    return { ...m, value: { id: `${m.height}.${m.round}.${m.from}.alt${k}`, valid: k !== 2, evidence: [] }, validRound: rng.chance(0.8) ? -1 : m.validRound };
  }
  const known = core.knownValueIds();
  const choices: (string | null)[] = [null, ...known, `${m.height}.${m.round}.${m.from}.alt0`, `${m.height}.${m.round}.${m.from}.alt1`];
  return { ...m, id: rng.pick(choices) };
}
