/**
 * Console settings on disk: `<settings dir>/console-settings.json` (0600: it may hold the RPC auth
 * token), validated with the contract's zod schema, rewritten atomically (temp file, fsync,
 * rename, directory fsync). A patch is merged and validated whole: any invalid value refuses the
 * patch with field-level −32602 issues (`path: ['patch', …]`) and nothing is written.
 *
 * Settings directory: `TB_CONSOLE_DIR`, else what the front door passes (Electron: its userData
 * folder), else the parent of the launch data root (`~/.the_block/` for `~/.the_block/dev`), so
 * every console on one data root shares its settings and a temp data root gets its own.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { ConsoleSettings, DEFAULT_SETTINGS, type SettingsPatch } from '../../shared/api/desktop.js';
import { zodIssues } from '../../shared/api/define.js';
import { checkSettings, mergeSettings } from '../../shared/api/settings-rules.js';
import { RpcError } from '../../shared/api/errors.js';
import { writeFileAtomic } from '../../node-core/storage/atomic.js';

export const SETTINGS_FILE = 'console-settings.json';

/** Where the console keeps its own files (settings, the data-dir move journal). */
export function settingsDirFor(
  o: { explicit?: string; dataRoot?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const env = o.env ?? process.env;
  if (env.TB_CONSOLE_DIR) return path.resolve(env.TB_CONSOLE_DIR);
  if (o.explicit) return path.resolve(o.explicit);
  if (o.dataRoot) return path.dirname(path.resolve(o.dataRoot));
  return path.join(os.homedir(), '.the_block');
}

interface FileBody {
  version: 1;
  settings: ConsoleSettings;
  rpc_auth_token?: string;
}

export class SettingsStore {
  readonly file: string;
  private s: ConsoleSettings = structuredClone(DEFAULT_SETTINGS);
  private token: string | undefined;
  private readonly ee = new EventEmitter();
  /** Why the file on disk was not used (unreadable or invalid), or undefined. */
  loadError: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = path.join(dir, SETTINGS_FILE);
    this.load();
  }

  /** Reads the file (synchronously: the node's flags depend on it before it starts). An invalid file is reported and left in place; defaults are used. */
  private load(): void {
    if (!existsSync(this.file)) return;
    try {
      const body = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<FileBody>;
      const r = ConsoleSettings.safeParse(
        mergeSettings(structuredClone(DEFAULT_SETTINGS), (body.settings ?? {}) as Record<string, unknown>),
      );
      if (!r.success) {
        this.loadError = `${this.file}: ${zodIssues(r.error)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`;
        return;
      }
      this.s = r.data;
      if (typeof body.rpc_auth_token === 'string') this.token = body.rpc_auth_token;
    } catch (e) {
      this.loadError = `${this.file}: ${(e as Error).message}`;
    }
  }

  get(): ConsoleSettings {
    return structuredClone(this.s);
  }

  /** The RPC auth token set here (never sent to the UI). */
  authToken(): string | undefined {
    return this.token;
  }

  onChange(cb: (s: ConsoleSettings) => void): () => void {
    this.ee.on('change', cb);
    return () => this.ee.off('change', cb);
  }

  /**
   * Validates and applies a patch, then persists it.
   * @returns the new settings and the top-level keys that changed.
   * @throws RpcError −32602 with `data.issues` (paths under `patch`) — nothing changed.
   */
  async update(
    patch: SettingsPatch | Record<string, unknown>,
    internal: { data_dir?: string | null; data_dir_network?: string | null } = {},
  ): Promise<{ settings: ConsoleSettings; changed: string[] }> {
    const r = checkSettings(this.s, { ...(patch as Record<string, unknown>), ...internal });
    if (!r.ok) throw RpcError.invalidParams(r.issues.map((i) => ({ ...i, path: ['patch', ...i.path] })));
    const next = r.settings;
    const changed = Object.keys(next).filter(
      (k) =>
        JSON.stringify(next[k as keyof ConsoleSettings]) !==
        JSON.stringify(this.s[k as keyof ConsoleSettings]),
    );
    let token = this.token;
    if ('rpc_auth_token' in patch) {
      const t = (patch as { rpc_auth_token?: string | null }).rpc_auth_token;
      token = t ?? undefined;
      if (token !== this.token) changed.push('rpc_auth_token');
    }
    const body: FileBody = { version: 1, settings: next, ...(token ? { rpc_auth_token: token } : {}) };
    // One write at a time, in order; the in-memory state follows the disk.
    const write = this.writing.then(() =>
      writeFileAtomic(this.file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 }),
    );
    this.writing = write.catch(() => {});
    await write;
    try {
      chmodSync(this.file, 0o600);
    } catch {
      /* best effort on file systems without modes */
    }
    this.s = next;
    this.token = token;
    this.loadError = undefined;
    if (changed.length) this.ee.emit('change', this.get());
    return { settings: this.get(), changed };
  }
}
