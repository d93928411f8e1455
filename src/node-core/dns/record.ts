/**
 * `.block` TXT ownership records (spec/other_subsystems.md §1): text
 * `tb-domain=<d>;pubkey=<64 hex>;sig=<128 hex>`, where `sig` is the Ed25519 signature by `pubkey`
 * of the UTF-8 bytes of `tb-domain=<d>;pubkey=<64 hex>` (the record without its `;sig=` part).
 * The owner account of a record is the address of its public key (chain/address.ts).
 */
import { DOMAIN_RE } from '../../shared/api/dns.js';
import { addressOf } from '../chain/address.js';
import { sign, verify } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hash.js';

export interface TxtRecord {
  domain: string;
  /** 64 lowercase hex. */
  pubkey: string;
  /** 128 lowercase hex. */
  sig: string;
}

export const isDomain = (d: string): boolean => DOMAIN_RE.test(d);

/** The bytes a record's key signs. */
export function recordMessage(domain: string, pubkey: string): Uint8Array {
  return new TextEncoder().encode(`tb-domain=${domain};pubkey=${pubkey}`);
}

export function formatRecord(r: TxtRecord): string {
  return `tb-domain=${r.domain};pubkey=${r.pubkey};sig=${r.sig}`;
}

/** Signs a record for `domain` with an Ed25519 key pair. */
export function signRecord(domain: string, keys: { publicKey: Uint8Array; secretKey: Uint8Array }): TxtRecord {
  const pubkey = toHex(keys.publicKey);
  return { domain, pubkey, sig: toHex(sign(recordMessage(domain, pubkey), keys.secretKey)) };
}

const TXT_RE = /^tb-domain=([^;]+);pubkey=([0-9a-f]{64});sig=([0-9a-f]{128})$/;

/** Parses record text. @returns the record, or a string saying what is wrong. */
export function parseRecord(txt: string): TxtRecord | string {
  const m = TXT_RE.exec(txt.trim());
  if (!m) return 'not a record: expected tb-domain=<d>;pubkey=<64 hex>;sig=<128 hex>';
  if (!isDomain(m[1])) return `"${m[1]}" is not a .block name`;
  return { domain: m[1], pubkey: m[2], sig: m[3] };
}

/** True when `sig` is `pubkey`'s Ed25519 signature of the record message. */
export function verifyRecord(r: TxtRecord): boolean {
  try {
    return verify(fromHex(r.sig, 64), recordMessage(r.domain, r.pubkey), fromHex(r.pubkey, 32));
  } catch {
    return false;
  }
}

export const recordOwner = (r: TxtRecord): string => addressOf(fromHex(r.pubkey, 32));
