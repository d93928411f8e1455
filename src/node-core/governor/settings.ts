/**
 * Launch governor wiring: settings from the node config (TB_GOVERNOR_*, TB_NODE_KEY_HEX) and the
 * JSON-RPC handlers of `governor.*` (declared in src/shared/api/governor.ts).
 */
import path from 'node:path';
import { EPOCH_BLOCKS } from '../chain/block.js';
import { ConfigError } from '../config/index.js';
import type { Ed25519Keys } from '../crypto/ed25519.js';
import type { GOVERNOR_METHODS } from '../../shared/api/governor.js';
import type { CompleteHandlers } from '../modules/index.js';
import { OPERATIONAL } from './gates.js';
import type { Governor } from './service.js';
import { GOVERNOR_DB_DIR, type GovernorConfig } from './config.js';
import { signingKeyFromHex } from './snapshots.js';

export interface GovernorSettings {
  dbDir: string;
  windowSecs: number;
  epochSecs: number;
  shadowOnly: boolean;
  signingKeys?: Ed25519Keys;
}

/**
 * Resolves the governor settings: window default 2 × epoch duration (epoch = 120 blocks ×
 * `blockTimeMs`), intent store default `<dataDir>/governor_db` (relative paths under the data dir).
 * @throws ConfigError (exit code 2) when signing is on and TB_NODE_KEY_HEX is missing or not a
 *   32-byte seed — a startup error, never a silent skip; or when the window is too short to hold
 *   the operational gate's minimum number of blocks at `blockTimeMs` (a healthy chain would be
 *   reported "stalled" every window and the gate could never enter).
 */
export function governorSettings(cfg: GovernorConfig, dataDir: string, blockTimeMs: number): GovernorSettings {
  const epochSecs = (EPOCH_BLOCKS * blockTimeMs) / 1000;
  let signingKeys: Ed25519Keys | undefined;
  if (cfg.governor_sign) {
    if (!cfg.node_key_hex)
      throw new ConfigError(
        'TB_GOVERNOR_SIGN',
        'decision signing is on but TB_NODE_KEY_HEX is not set; set it to a 32-byte Ed25519 seed (64 hex digits) or turn signing off (TB_GOVERNOR_SIGN=0)',
        'node_key_hex',
      );
    try {
      signingKeys = signingKeyFromHex(cfg.node_key_hex);
    } catch (err) {
      throw new ConfigError('TB_NODE_KEY_HEX', (err as Error).message, 'node_key_hex');
    }
  }
  const windowSecs = cfg.governor_window_secs ?? 2 * epochSecs;
  // One block more than the stall threshold: block timestamps jitter around block_time_ms, so a
  // window of exactly minBlocks intervals often holds one block fewer.
  const minWindowMs = (OPERATIONAL.minBlocks + 1) * blockTimeMs;
  if (windowSecs * 1000 < minWindowMs)
    throw new ConfigError(
      'TB_GOVERNOR_WINDOW_SECS',
      `the window (${windowSecs} s) is shorter than ${OPERATIONAL.minBlocks + 1} blocks at block_time_ms ${blockTimeMs}: ` +
        `a healthy chain would look stalled (the operational gate needs ${OPERATIONAL.minBlocks} blocks per window); ` +
        `use at least ${Math.ceil(minWindowMs / 1000)}`,
      'governor_window_secs',
    );
  return {
    dbDir: path.resolve(dataDir, cfg.governor_db ?? GOVERNOR_DB_DIR),
    windowSecs,
    epochSecs,
    shadowOnly: cfg.governor_shadow_only,
    signingKeys,
  };
}

/** `governor.*` handlers; with the governor off they answer "disabled" (status), [] (decisions). */
export function governorHandlers(g: Governor | undefined): CompleteHandlers<typeof GOVERNOR_METHODS> {
  return {
    'governor.status': () => g?.status() ?? { status: 'disabled' as const, enabled: false as const },
    'governor.decisions': (p) => g?.decisions(p.limit ?? 10, p.gate) ?? [],
    'governor.snapshot': async (p) => (g ? g.snapshot(p.epoch) : { status: 'disabled' as const }),
  };
}
