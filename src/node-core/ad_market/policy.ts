/**
 * Ad policy snapshots (spec/ad_market.md §6, reference `node/src/ad_policy_snapshot.rs`): at each
 * epoch boundary (height multiple of 120) the node writes `<data>/ad_policy/<epoch>.json` — RFC
 * 8785 canonical JSON of the market policy at that height (distribution, governance params in force,
 * selector prices/shading/win rate, privacy budgets, budget broker, readiness) — and its sidecar
 * `<epoch>.sig` `{payload_hash_hex, pubkey_hex, signature_hex}`: Ed25519 over the 32-byte BLAKE3
 * digest of the exact file bytes (the reference layout; signed with the node key, whose public key
 * the sidecar names). Both are written atomically (file first, then sidecar). The newest
 * `ad_policy_snapshot_keep` (TB_AD_POLICY_SNAPSHOT_KEEP, default 336) epochs are kept.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { PolicySnapshot } from '../../shared/api/ad_market_ops.js';
import { attest, checkAttestation, parseAttestation } from '../crypto/attestation.js';
import { blake3, toHex } from '../crypto/hash.js';
import { writeFileAtomic } from '../storage/atomic.js';

import { POLICY_DIR } from './config.js';

export { POLICY_DIR };
export const DEFAULT_POLICY_KEEP = 336;
export const POLICY_SCHEMA_VERSION = 1;

export interface SigningKeys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}
type Attestation = NonNullable<PolicySnapshot['attestation']>;

export const policyDir = (root: string) => path.join(root, POLICY_DIR);
export const policyFile = (root: string, epoch: number) => path.join(policyDir(root), `${epoch}.json`);

/** Canonical bytes of a policy body. @throws Error for values JSON cannot represent. */
export function policyBytes(body: Record<string, unknown>): Uint8Array {
  const text = canonicalize(body);
  if (text === undefined) throw new Error('policy snapshot has no JSON representation');
  return new TextEncoder().encode(text);
}

/** 'valid' when the sidecar's hash is the file's BLAKE3 and its signature verifies with its key (crypto/attestation.ts). */
export function checkPolicy(bytes: Uint8Array, a: Attestation | null): PolicySnapshot['signature'] {
  return checkAttestation(bytes, a).signature;
}

/** Writes the snapshot of `epoch` and its sidecar, then prunes to the newest `keep` epochs. */
export async function writePolicy(root: string, epoch: number, body: Record<string, unknown>, keys: SigningKeys, keep = DEFAULT_POLICY_KEEP): Promise<string> {
  const file = policyFile(root, epoch);
  const bytes = policyBytes(body);
  await writeFileAtomic(file, bytes);
  await writeFileAtomic(path.join(policyDir(root), `${epoch}.sig`), policyBytes(attest(bytes, keys)));
  const epochs = await listEpochs(root);
  for (const e of epochs.slice(0, Math.max(0, epochs.length - Math.max(1, keep)))) {
    await fs.rm(policyFile(root, e), { force: true });
    await fs.rm(path.join(policyDir(root), `${e}.sig`), { force: true });
  }
  return file;
}

/** Epochs with a snapshot file, ascending. */
export async function listEpochs(root: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(policyDir(root));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.map((n) => /^(\d+)\.json$/.exec(n)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b);
}


/** Reads and checks the snapshot of `epoch`; null when there is none. `relTo` makes `path` relative. */
export async function readPolicy(root: string, epoch: number): Promise<PolicySnapshot | null> {
  const file = policyFile(root, epoch);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let attestation: Attestation | null = null;
  try {
    attestation = parseAttestation(await fs.readFile(path.join(policyDir(root), `${epoch}.sig`), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { epoch, body, path: path.join(POLICY_DIR, `${epoch}.json`), payload_hash_hex: toHex(blake3(bytes)), attestation, signature: checkPolicy(bytes, attestation) };
}
