// Decision snapshot files: RFC 8785 canonical bytes, the reference .sig layout (Ed25519 over the
// 32-byte BLAKE3 digest of the exact file bytes, lowercase hex) cross-checked with @noble,
// every decision of an epoch kept when the file is rewritten, and tampering detected.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attest,
  canonicalJson,
  checkAttestation,
  DecisionFiles,
  signingKeyFromHex,
  type DecisionEntry,
} from '../../../src/node-core/governor/snapshots.js';

const SEED = '11'.repeat(32);
const entry = (gate: string, id: string): DecisionEntry => ({
  action: 'enter', created_epoch: 4, epoch: 5, from_state: 'inactive', gate, intent_id: id,
  metrics_raw: { b: 0.004, a: 1, 'é': null }, metrics_summary: { b: 0.004, a: 1, 'é': null },
  params_patch: { [gate]: true }, reason: 'healthy: "quoted"\nline', to_state: 'active',
});

let dir: string | undefined;
afterEach(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('canonical encoding', () => {
  it('sorts keys, no whitespace, ES number form (RFC 8785)', () => {
    expect(canonicalJson({ b: 1.5, a: [true, null, 'x'], c: { z: 1, y: 1e21 } })).toBe('{"a":[true,null,"x"],"b":1.5,"c":{"y":1e+21,"z":1}}');
    const bytes = DecisionFiles.encode(5, [entry('operational', 'operational-4-0')]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('{"decisions":[{"action":"enter","created_epoch":4,"epoch":5,')).toBe(true);
    expect(text).toContain('"metrics_raw":{"a":1,"b":0.004,"é":null}');
    expect(text.endsWith('"epoch":5,"schema_version":1}')).toBe(true);
    expect(JSON.parse(text)).toEqual({ decisions: [entry('operational', 'operational-4-0')], epoch: 5, schema_version: 1 });
  });
});

describe('.sig sidecar', () => {
  it('is Ed25519 over the 32-byte BLAKE3 digest of the file bytes; @noble agrees', async () => {
    const keys = signingKeyFromHex(SEED);
    const bytes = DecisionFiles.encode(5, [entry('operational', 'operational-4-0')]);
    const a = attest(bytes, keys);
    expect(a.payload_hash_hex).toBe(bytesToHex(blake3(bytes)));
    expect(a.pubkey_hex).toBe(bytesToHex(await ed.getPublicKeyAsync(hexToBytes(SEED))));
    for (const v of Object.values(a)) expect(v).toMatch(/^[0-9a-f]+$/);
    expect(await ed.verifyAsync(hexToBytes(a.signature_hex), blake3(bytes), hexToBytes(a.pubkey_hex))).toBe(true);
    expect(checkAttestation(bytes, a).signature).toBe('valid');
  });

  it('rejects a bad seed', () => {
    expect(() => signingKeyFromHex('11'.repeat(31))).toThrow(/64 hex digits/);
  });

  it('detects a changed file, a changed signature and a missing sidecar', () => {
    const keys = signingKeyFromHex(SEED);
    const bytes = DecisionFiles.encode(5, [entry('operational', 'operational-4-0')]);
    const a = attest(bytes, keys);
    const tampered = new TextEncoder().encode(new TextDecoder().decode(bytes).replace('healthy', 'HEALTHY'));
    expect(checkAttestation(tampered, a)).toMatchObject({ signature: 'invalid', detail: expect.stringMatching(/changed after signing/) });
    const badSig = { ...a, signature_hex: a.signature_hex.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    expect(checkAttestation(bytes, badSig)).toEqual({ signature: 'invalid', detail: 'Ed25519 signature does not verify' });
    expect(checkAttestation(bytes, null).signature).toBe('unsigned');
  });
});

describe('DecisionFiles', () => {
  it('keeps every decision of an epoch across rewrites and signs each version', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb gov files-'));
    const files = new DecisionFiles(dir, signingKeyFromHex(SEED));
    const first = await files.write(5, [entry('operational', 'operational-4-0')]);
    const second = await files.write(5, [entry('operational', 'operational-4-0'), entry('naming', 'naming-4-1')]);
    expect(second.hash).not.toBe(first.hash);
    const s = (await files.read(5))!;
    expect(s.relPath).toBe(path.join('governor', 'decisions', 'epoch-5.json'));
    expect((s.body!.decisions as DecisionEntry[]).map((d) => d.intent_id)).toEqual(['operational-4-0', 'naming-4-1']);
    expect(s.hashHex).toBe(second.hash);
    expect(s.attestation).toEqual(second.attestation);
    expect(checkAttestation(s.bytes, s.attestation).signature).toBe('valid');
    expect(await fs.readdir(path.join(dir, 'governor', 'decisions'))).toEqual(['epoch-5.json', 'epoch-5.json.sig']);
    expect(await files.read(6)).toBeUndefined();
  });

  it('reads a non-JSON (corrupted) file as body null with its real hash', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb gov files-'));
    const files = new DecisionFiles(dir);
    await files.write(3, [entry('operational', 'operational-2-0')]);
    await fs.writeFile(files.fileOf(3), 'not json');
    const s = (await files.read(3))!;
    expect(s.body).toBeNull();
    expect(s.attestation).toBeNull();
    expect(s.hashHex).toBe(bytesToHex(blake3(new TextEncoder().encode('not json'))));
  });
});
