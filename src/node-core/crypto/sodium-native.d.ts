// Minimal typings for the parts of sodium-native (libsodium bindings) that the node uses.
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number;
    crypto_sign_SECRETKEYBYTES: number;
    crypto_sign_SEEDBYTES: number;
    crypto_sign_BYTES: number;
    crypto_sign_keypair(pk: Uint8Array, sk: Uint8Array): void;
    crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void;
    crypto_sign_detached(sig: Uint8Array, msg: Uint8Array, sk: Uint8Array): void;
    crypto_sign_verify_detached(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean;
    randombytes_buf(buf: Uint8Array): void;
    crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
  };
  export default sodium;
}
