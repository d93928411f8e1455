/**
 * The console's first run: where data lives (a folder holding one data root per network), which
 * network, whether to keep running in the background, an optional RPC auth token. Saved in
 * `~/.the_block/console.json` (0600; the token in `console-secret.json`, 0600, never sent to the
 * UI) and used as the node's defaults at the next start, unless the command line says otherwise.
 *
 * Due when no settings exist and neither `--data-dir` nor `TB_DATA_DIR` chose a data directory
 * and the default one does not exist yet (a fresh machine), or when `--first-run` asks for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsoleSettings } from '../shared/api/app.js';
import { writeFileAtomic } from '../node-core/storage/atomic.js';

/** `~/.the_block`: the default folder of the data roots and of the console's settings. */
export function defaultDataParent(home = os.homedir()): string {
  return path.join(home, '.the_block');
}

export function settingsFile(home = os.homedir()): string {
  return path.join(defaultDataParent(home), 'console.json');
}

function secretFile(home = os.homedir()): string {
  return path.join(defaultDataParent(home), 'console-secret.json');
}

/** The saved settings, or null (none, or unreadable: the first run offers to write them again). */
export function readSettings(home = os.homedir()): ConsoleSettings | null {
  const f = settingsFile(home);
  if (!existsSync(f)) return null;
  try {
    const r = ConsoleSettings.safeParse(JSON.parse(readFileSync(f, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The saved RPC auth token, if any. */
export function readRpcToken(home = os.homedir()): string | undefined {
  try {
    const t = (JSON.parse(readFileSync(secretFile(home), 'utf8')) as { rpc_auth_token?: unknown }).rpc_auth_token;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the settings (and the token, or removes it) atomically, 0600. */
export async function writeSettings(s: ConsoleSettings, token: string | undefined, home = os.homedir()): Promise<void> {
  await writeFileAtomic(settingsFile(home), JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  await writeFileAtomic(secretFile(home), JSON.stringify(token ? { rpc_auth_token: token } : {}) + '\n', { mode: 0o600 });
}

/** Whether the first run is due (see the module comment). */
export function firstRunDue(o: { forced?: boolean; dataDirGiven: boolean; defaultDataDir: string; home?: string }): boolean {
  if (o.forced) return true;
  if (o.dataDirGiven) return false;
  if (readSettings(o.home)) return false;
  return !existsSync(o.defaultDataDir);
}
