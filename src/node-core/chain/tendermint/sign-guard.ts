/**
 * The priv-validator double-sign guard of the core (CometBFT `privval` "double sign protection"):
 * a signature is allowed only at a (height, round, step) strictly above the last signed one, and
 * the messages signed at the current height are kept (persisted with the core's state, re-sent
 * after a restart). Pure: the caller persists `lastSigned` and `signed` before a signature leaves.
 */
import type { ConsensusMessage, PersistedState, SignStep } from './types.js';

const SIGN_STEP: Record<ConsensusMessage<unknown>['type'], SignStep> = { proposal: 0, prevote: 1, precommit: 2 };

export class SignGuard<V> {
  /** Signatures refused (a bug or a restart race; never a second signature). */
  refused = 0;

  constructor(
    public lastSigned: PersistedState<V>['lastSigned'] = null,
    /** Messages signed at the height of the last signature. */
    public signed: ConsensusMessage<V>[] = [],
  ) {}

  /** Records `m` as signed when it is above the last signature; false (counted) when it is not. */
  admit(m: ConsensusMessage<V>): boolean {
    const s = SIGN_STEP[m.type];
    const l = this.lastSigned;
    if (l && (m.height < l.height || (m.height === l.height && (m.round < l.round || (m.round === l.round && s <= l.step))))) {
      this.refused++;
      return false;
    }
    this.lastSigned = { height: m.height, round: m.round, step: s };
    this.signed = this.signed.length > 0 && this.signed[0].height !== m.height ? [m] : [...this.signed, m];
    return true;
  }
}
