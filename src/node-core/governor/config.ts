/**
 * The launch governor's configuration keys (its config slice, merged into the node's key table by
 * src/node-core/node-config.ts) and its data paths, declared once: the data-dir layout, the
 * intent-store default, `snapshots.subsystems`, the backup wizard and the README table read them.
 */
import { z } from 'zod';
import { defineConfigSlice, num, parseBool, str, zInt, zPath, zSwitch } from '../config/index.js';
import type { DataPaths } from '../storage/datadir.js';

/** The governor's settings in the node configuration. */
export interface GovernorConfig {
  /** Run the launch governor (issue 4; spec/governor.md). */
  governor_enabled: boolean;
  /** Intent store directory; undefined = `<data_dir>/governor_db`; relative = under the data dir. */
  governor_db?: string;
  /** Governor sampling window in seconds; undefined = 2 × epoch duration (120 blocks × block time). */
  governor_window_secs?: number;
  /** Record decisions without submitting intent transactions. */
  governor_shadow_only: boolean;
  /** Write a `.sig` sidecar (Ed25519, key `node_key_hex`) next to each decision file. */
  governor_sign: boolean;
  /** 32-byte Ed25519 seed (64 hex) that signs governor decision files; never logged. */
  node_key_hex?: string;
}

export const GOVERNOR_CONFIG = defineConfigSlice<GovernorConfig>({
  governor_enabled: {
    env: 'TB_GOVERNOR_ENABLED',
    schema: zSwitch(),
    fromString: parseBool,
    default: false,
    doc: 'run the launch governor (gates, signed decisions, governor.* RPC)',
  },
  governor_db: {
    env: 'TB_GOVERNOR_DB',
    schema: zPath(),
    fromString: str,
    doc: 'governor intent store directory (default governor_db/ in the data dir; relative paths are under the data dir)',
  },
  governor_window_secs: {
    env: 'TB_GOVERNOR_WINDOW_SECS',
    schema: zInt(1, 86_400, 'seconds'),
    fromString: num,
    doc: 'governor sampling window in seconds (default 2 × epoch duration); the required streak is ceil(epoch duration / window)',
  },
  governor_shadow_only: {
    env: 'TB_GOVERNOR_SHADOW_ONLY',
    schema: zSwitch(),
    fromString: parseBool,
    default: true,
    doc: 'governor records decisions but never submits intent transactions (default on, as the reference)',
  },
  governor_sign: {
    env: 'TB_GOVERNOR_SIGN',
    schema: zSwitch(),
    fromString: parseBool,
    default: false,
    doc: 'sign governor decision files (.sig sidecar); needs TB_NODE_KEY_HEX',
  },
  node_key_hex: {
    env: 'TB_NODE_KEY_HEX',
    schema: z
      .string({ error: 'must be 64 hex digits (a 32-byte Ed25519 seed)' })
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (a 32-byte Ed25519 seed)'),
    fromString: (s) => s.trim(),
    doc: 'Ed25519 seed (32 bytes hex) that signs governor decision files',
    secret: true,
  },
});

/** Intent store directory under the data root (default of `governor_db`). */
export const GOVERNOR_DB_DIR = 'governor_db';
/** Decision files and their `.sig` sidecars: `<root>/governor/decisions/`. */
export const GOVERNOR_DIR = 'governor';

export const GOVERNOR_DATA: DataPaths = {
  id: 'governor',
  label: 'Launch governor',
  paths: [GOVERNOR_DB_DIR, GOVERNOR_DIR],
  note: `${GOVERNOR_DB_DIR}/ (TB_GOVERNOR_DB) and ${GOVERNOR_DIR}/decisions/`,
  default_included: true,
};
