/**
 * Decision snapshot files (spec/governor.md §5 with spec/README.md's decisions):
 * `<data_dir>/governor/decisions/epoch-{N}.json`, N = epoch_apply, holding EVERY decision that
 * takes effect at N (a later decision of the same epoch rewrites the file atomically with all
 * decisions; nothing is lost). Body = RFC 8785 canonical JSON (`canonicalize`):
 *   `{"decisions":[{action, created_epoch, epoch, from_state, gate, intent_id, metrics_raw,
 *     metrics_summary, params_patch, reason, to_state}…],"epoch":N,"schema_version":1}`.
 * With signing on, `epoch-{N}.json.sig` = `{"payload_hash_hex","pubkey_hex","signature_hex"}`
 * (the reference layout): Ed25519 over the 32-byte BLAKE3 digest of the exact file bytes,
 * lowercase hex. Both files are written with writeFileAtomic (file first, then sidecar).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { Attestation, GateMetrics, SnapshotFound } from '../../shared/api/governor.js';
import { attest, checkAttestation, parseAttestation } from '../crypto/attestation.js';
import { keysFromSeed, type Ed25519Keys } from '../crypto/ed25519.js';
import { blake3, fromHex, toHex } from '../crypto/hash.js';
import { writeFileAtomic } from '../storage/atomic.js';

/** The sidecar helpers (crypto/attestation.ts), re-exported for the governor's callers. */
export { attest, checkAttestation };
import { GOVERNOR_DIR } from './config.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface DecisionEntry {
  action: string;
  created_epoch: number;
  /** epoch_apply */
  epoch: number;
  from_state: string;
  gate: string;
  intent_id: string;
  metrics_raw: GateMetrics;
  metrics_summary: GateMetrics;
  params_patch: Record<string, boolean | string | number>;
  reason: string;
  to_state: string;
}

/** RFC 8785 canonical JSON text. @throws Error for values JSON cannot represent. */
export function canonicalJson(v: unknown): string {
  const s = canonicalize(v);
  if (s === undefined) throw new Error('value has no JSON representation');
  return s;
}

export function blake3Hex(bytes: Uint8Array): string {
  return toHex(blake3(bytes));
}

/** Ed25519 key pair from a 32-byte seed given as hex (TB_NODE_KEY_HEX). @throws Error when not 64 hex digits. */
export function signingKeyFromHex(hex: string): Ed25519Keys {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('TB_NODE_KEY_HEX must be 64 hex digits (a 32-byte Ed25519 seed)');
  return keysFromSeed(fromHex(hex.toLowerCase(), 32));
}


export interface StoredSnapshot {
  epoch: number;
  /** Relative to the data dir. */
  relPath: string;
  bytes: Uint8Array;
  hashHex: string;
  body: Record<string, unknown> | null;
  attestation: Attestation | null;
}

/** The decision files of one data directory. */
export class DecisionFiles {
  readonly dir: string;
  constructor(
    private readonly dataDir: string,
    private readonly keys?: Ed25519Keys,
  ) {
    this.dir = path.join(dataDir, GOVERNOR_DIR, 'decisions');
  }

  fileOf(epoch: number): string {
    return path.join(this.dir, `epoch-${epoch}.json`);
  }

  /** Canonical bytes of an epoch file holding `decisions`. */
  static encode(epoch: number, decisions: DecisionEntry[]): Uint8Array {
    return new TextEncoder().encode(canonicalJson({ decisions, epoch, schema_version: SNAPSHOT_SCHEMA_VERSION }));
  }

  /**
   * Writes (or rewrites with one more decision) the file of `epoch`, then its sidecar when signing.
   * @returns BLAKE3 hex of the file bytes and the sidecar written (null when unsigned).
   * @throws fs errors (ENOSPC…); the previous file stays intact (atomic replace).
   */
  async write(epoch: number, decisions: DecisionEntry[]): Promise<{ hash: string; attestation: Attestation | null }> {
    const bytes = DecisionFiles.encode(epoch, decisions);
    const file = this.fileOf(epoch);
    await writeFileAtomic(file, bytes);
    const attestation = this.keys ? attest(bytes, this.keys) : null;
    if (attestation) await writeFileAtomic(`${file}.sig`, canonicalJson(attestation));
    return { hash: blake3Hex(bytes), attestation };
  }

  /** Reads an epoch's file and sidecar; undefined when there is no file. */
  async read(epoch: number): Promise<StoredSnapshot | undefined> {
    const file = this.fileOf(epoch);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let attestation: Attestation | null = null;
    try {
      attestation = parseAttestation(await fs.readFile(`${file}.sig`, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let body: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    } catch {
      body = null;
    }
    return { epoch, relPath: path.relative(this.dataDir, file), bytes, hashHex: blake3Hex(bytes), body, attestation };
  }

  /** BLAKE3 hex of an epoch file as on disk now, undefined when missing. */
  async hashOf(epoch: number): Promise<string | undefined> {
    try {
      return blake3Hex(new Uint8Array(await fs.readFile(this.fileOf(epoch))));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/**
 * `governor.snapshot`'s answer for a stored epoch file: its text, body, sidecar, the signature check
 * and whether every decision recorded for that epoch names this file's BLAKE3 (`recordedHashes`).
 */
export function snapshotFound(epoch: number, s: StoredSnapshot, recordedHashes: string[]): SnapshotFound {
  const check = checkAttestation(s.bytes, s.attestation);
  const intentsMatch = recordedHashes.length > 0 && recordedHashes.every((h) => h === s.hashHex);
  const detail = [check.detail, intentsMatch ? `the ${recordedHashes.length} recorded decision(s) name this file hash` : recordedHashes.length === 0 ? 'no recorded decision names this file' : `recorded decisions name hash ${recordedHashes[0]}, the file hashes to ${s.hashHex}`];
  return {
    status: 'found', epoch, path: s.relPath, file_text: new TextDecoder().decode(s.bytes), payload_hash_hex: s.hashHex, body: s.body, attestation: s.attestation,
    verification: { signature: check.signature, intents_match: intentsMatch, detail: detail.join('; ') },
  };
}
