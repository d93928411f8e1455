// Worker thread of the signature verify pool (plain .mjs so it runs under plain Node, no tsx).
// Request: { id, buf: ArrayBuffer, withTxHash } where buf packs items as
//   count u32 LE, then per item: public key 32 ‖ signature 64 ‖ msgLen u32 LE ‖ msg.
// Reply: { id, ok: Uint8Array(count) (1 valid, 0 invalid), hashes?: Uint8Array(32·count) }.
// withTxHash: also computes the tx id BLAKE3("TX" ‖ 0x02 ‖ payload ‖ public key), where payload is
// msg without its 16-byte domain tag (spec/chain_core.md §4), so the import path hashes off-thread.
// BLAKE3 by hash-wasm (WebAssembly, ~1 µs for a tx id against ~6 µs for @noble/hashes' JS,
// the same digest: test/unit/crypto/verify-pool.test.ts checks it against @noble/hashes).
import { parentPort } from 'node:worker_threads';
import sodium from 'sodium-native';
import { createBLAKE3 } from 'hash-wasm';

const blake3 = await createBLAKE3();

const TX_PREFIX = new Uint8Array([0x54, 0x58, 0x02]);
const DOMAIN_TAG_BYTES = 16;

parentPort.on('message', ({ id, buf, withTxHash }) => {
  try {
    const u8 = new Uint8Array(buf);
    const dv = new DataView(buf);
    const count = dv.getUint32(0, true);
    const ok = new Uint8Array(count);
    const hashes = withTxHash ? new Uint8Array(32 * count) : undefined;
    let off = 4;
    for (let i = 0; i < count; i++) {
      const pk = u8.subarray(off, off + 32);
      const sig = u8.subarray(off + 32, off + 96);
      const len = dv.getUint32(off + 96, true);
      const msg = u8.subarray(off + 100, off + 100 + len);
      off += 100 + len;
      let valid = false;
      try {
        valid = sodium.crypto_sign_verify_detached(sig, msg, pk);
      } catch {
        valid = false;
      }
      ok[i] = valid ? 1 : 0;
      if (hashes) {
        blake3.init();
        blake3.update(TX_PREFIX);
        blake3.update(msg.subarray(DOMAIN_TAG_BYTES));
        blake3.update(pk);
        hashes.set(blake3.digest('binary'), 32 * i);
      }
    }
    parentPort.postMessage({ id, ok, hashes }, hashes ? [ok.buffer, hashes.buffer] : [ok.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
