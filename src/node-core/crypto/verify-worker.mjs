// Worker thread of the signature verify pool (plain .mjs so it runs under plain Node, no tsx).
// Request: { id, buf: ArrayBuffer, withTxHash } where buf packs items as
//   count u32 LE, then per item: public key 32 ‖ signature 64 ‖ msgLen u32 LE ‖ msg.
// Reply: { id, ok: Uint8Array(count) (1 valid, 0 invalid), hashes?: Uint8Array(32·count) }.
// withTxHash: also computes the tx id BLAKE3("TX" ‖ 0x02 ‖ payload ‖ public key), where payload is
// msg without its 16-byte domain tag (spec/chain_core.md §4), so the import path hashes off-thread.
// BLAKE3 by hash-wasm (WebAssembly, ~1 µs for a tx id against ~6 µs for @noble/hashes' JS,
// the same digest: test/unit/crypto/verify-pool.test.ts checks it against @noble/hashes).
//
// Priority (Linux): this thread runs at the process's nice + VERIFY_NICE. The main thread applies
// blocks in order (the critical path of sync and import), while the workers verify blocks ahead of
// it; at one nice level the scheduler shares the cores equally between every runnable thread, so
// on a 2-core machine the main thread got ~2/3 of a core while two workers raced ahead. Raised
// by 5, the workers take what the main thread leaves (issue 17, bench/sync.ts, 10,000 blocks of 10
// transfers, alternating runs on one machine: nice +0 913–1,135 blocks/s, +5 1,156–1,232, +10
// 1,126–1,260; bench/import.ts unchanged, 0.60/0.60 vs 0.57/0.62). Nice is per thread on Linux, and
// /proc/thread-self names this thread; elsewhere Node has no per-thread priority, so nothing changes.
import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import sodium from 'sodium-native';
import { createBLAKE3 } from 'hash-wasm';

const VERIFY_NICE = 5;
if (process.platform === 'linux') {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ', 1)[0]);
    setPriority(tid, Math.min(19, getPriority(tid) + VERIFY_NICE));
  } catch {
    // no /proc here: the default priority
  }
}

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
