/**
 * The consensus state file (CometBFT `data/priv_validator_state.json` plus the part of its WAL the
 * locking rules need): `<data dir>/consensus/priv_validator_state.json`.
 *
 * It holds `PersistedState` (core.ts): the last signed height/round/step, every message signed at
 * the current height, the lock and valid value, and equivocation proofs. The driver saves it —
 * temp file, fsync, rename, directory fsync (storage/atomic.ts) — and only then lets signed
 * messages leave the node, so a crash at any instant cannot make the validator sign a conflicting
 * message after the restart ("never sign twice").
 *
 * Values (blocks) are stored as hex of the caller's canonical bytes. A file that does not parse is
 * an error with the ways out, never silently replaced: a validator without its state could sign
 * twice.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomic.js';
import type { ConsensusMessage, Evidence, PersistedState } from './types.js';

export const PRIVVAL_FILE = path.join('consensus', 'priv_validator_state.json');

export interface ValueCodec<V> {
  /** Canonical bytes of a value, as hex. */
  encode(v: V): string;
  /** @throws when the hex is not a value. */
  decode(hex: string): V;
}

export class PrivValStateError extends Error {
  readonly reason = 'privval_state_corrupt';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `consensus state file ${file} is unreadable (${detail}). A validator must not sign without it. Ways out: restore it from a backup or snapshot of this data directory; or, only if you are sure this validator signed nothing at the heights the network is at, move the file away and start again (it restarts at the next height).`,
    );
    this.name = 'PrivValStateError';
  }
}

const hex = z.string().regex(/^[0-9a-f]*$/);
const step = z.enum(['newHeight', 'propose', 'prevote', 'precommit']);
const int = z.number().int().safe();
const message = z.discriminatedUnion('type', [
  z.object({ type: z.literal('proposal'), height: int, round: int, value: hex, validRound: int, from: z.string() }).strict(),
  z.object({ type: z.enum(['prevote', 'precommit']), height: int, round: int, id: z.string().max(256).nullable(), from: z.string() }).strict(),
]);
const fileSchema = z
  .object({
    version: z.literal(1),
    height: int.positive(),
    round: int.nonnegative(),
    step,
    locked_value: hex.nullable(),
    locked_round: int.min(-1),
    valid_value: hex.nullable(),
    valid_round: int.min(-1),
    last_signed: z.object({ height: int, round: int, step: z.union([z.literal(0), z.literal(1), z.literal(2)]) }).strict().nullable(),
    signed: z.array(message).max(10_000),
    pol: z.array(message).max(10_000),
    evidence: z.array(z.object({ kind: z.enum(['proposal', 'vote']), from: z.string(), height: int, round: int, a: message, b: message }).strict()).max(10_000),
  })
  .strict();
type FileMessage = z.infer<typeof message>;

export class PrivValidatorStateFile<V> {
  readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly codec: ValueCodec<V>,
  ) {
    this.file = path.join(dataDir, PRIVVAL_FILE);
  }

  /**
   * The saved state, or undefined when there is no file (a validator that never signed here).
   * @throws PrivValStateError when the file exists but is not a valid state.
   */
  async load(): Promise<PersistedState<V> | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new PrivValStateError(this.file, 'not JSON');
    }
    const r = fileSchema.safeParse(raw);
    if (!r.success) throw new PrivValStateError(this.file, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const f = r.data;
    try {
      const msg = (m: FileMessage): ConsensusMessage<V> => (m.type === 'proposal' ? { ...m, value: this.codec.decode(m.value) } : m);
      return {
        height: f.height,
        round: f.round,
        step: f.step,
        lockedValue: f.locked_value === null ? null : this.codec.decode(f.locked_value),
        lockedRound: f.locked_round,
        validValue: f.valid_value === null ? null : this.codec.decode(f.valid_value),
        validRound: f.valid_round,
        lastSigned: f.last_signed,
        signed: f.signed.map(msg),
        pol: f.pol.filter((m) => m.type !== 'proposal'),
        evidence: f.evidence.map((e): Evidence<V> => ({ ...e, a: msg(e.a), b: msg(e.b) })),
      };
    } catch (err) {
      throw new PrivValStateError(this.file, `a stored value does not decode: ${(err as Error).message}`);
    }
  }

  /**
   * Writes the state durably (atomic replace + fsync). Saves are applied in call order; the
   * promise resolves once this state is on disk — only then may its signatures be sent.
   */
  save(s: PersistedState<V>): Promise<void> {
    const msg = (m: ConsensusMessage<V>): FileMessage => (m.type === 'proposal' ? { ...m, value: this.codec.encode(m.value) } : m);
    const body = {
      version: 1,
      height: s.height,
      round: s.round,
      step: s.step,
      locked_value: s.lockedValue === null ? null : this.codec.encode(s.lockedValue),
      locked_round: s.lockedRound,
      valid_value: s.validValue === null ? null : this.codec.encode(s.validValue),
      valid_round: s.validRound,
      last_signed: s.lastSigned,
      signed: s.signed.map(msg),
      pol: s.pol,
      evidence: s.evidence.map((e) => ({ ...e, a: msg(e.a), b: msg(e.b) })),
    };
    const text = `${JSON.stringify(body, null, 1)}\n`;
    const run = this.chain.then(() => writeFileAtomic(this.file, text, { mode: 0o600 }));
    this.chain = run.catch(() => {});
    return run;
  }
}
