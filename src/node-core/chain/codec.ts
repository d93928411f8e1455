/** Canonical CBOR lives in codec/canonical.ts (storage and chain both use it; neither imports the other for it). */
export * from '../codec/canonical.js';
