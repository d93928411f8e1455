/**
 * The console's first run: where data lives (a folder holding one data root per network), which
 * network, whether to keep running in the background, an optional RPC auth token. Saved in
 * `~/.the_block/console.json` (0600) and used as the node's defaults at the next start, unless the
 * command line says otherwise. The token is not kept here: it is Settings' RPC token, held by the
 * Settings store (`<settings dir>/console-settings.json`, 0600, never sent to the UI — see
 * src/host/desktop/settings-store.ts), so Settings shows and edits what the first run chose.
 *
 * Due when no settings exist and neither `--data-dir` nor `TB_DATA_DIR` chose a data directory
 * and the default one does not exist yet (a fresh machine), or when `--first-run` asks for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FirstRunSettings } from '../shared/api/first-run.js';
import { writeFileAtomic } from '../node-core/storage/atomic.js';

/** `~/.the_block`: the default folder of the data roots and of the console's settings. */
export function defaultDataParent(home = os.homedir()): string {
  return path.join(home, '.the_block');
}

export function settingsFile(home = os.homedir()): string {
  return path.join(defaultDataParent(home), 'console.json');
}

/** The saved settings, or null (none, or unreadable: the first run offers to write them again). */
export function readSettings(home = os.homedir()): FirstRunSettings | null {
  const f = settingsFile(home);
  if (!existsSync(f)) return null;
  try {
    const r = FirstRunSettings.safeParse(JSON.parse(readFileSync(f, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Writes the first run's choices atomically, 0600 (the RPC token goes to the Settings store). */
export async function writeSettings(s: FirstRunSettings, home = os.homedir()): Promise<void> {
  await writeFileAtomic(settingsFile(home), JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
}

/** Whether the first run is due (see the module comment). */
export function firstRunDue(o: { forced?: boolean; dataDirGiven: boolean; defaultDataDir: string; home?: string }): boolean {
  if (o.forced) return true;
  if (o.dataDirGiven) return false;
  if (readSettings(o.home)) return false;
  return !existsSync(o.defaultDataDir);
}
