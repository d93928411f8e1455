/**
 * The provider key registry (trust roots of meter readings, spec/energy.md §2 provider_keys):
 * provider id → Ed25519 public key (32 bytes). A (re)load CLEARS the registry, then registers
 * every valid entry; a bad entry (hex, length, id) is skipped and reported in `errors` (the
 * reference logs `energy_provider_key_config_failed`). The swap is one assignment, so a reading
 * is checked against either the old or the new registry, never a mix; a revoked key is refused
 * from the next reading on.
 *
 * Source: the key file when it exists (JSON: `{ "provider_keys": [{provider_id, public_key_hex}] }`,
 * a bare array of those, or the mock oracle's `{ "meters": [{provider_id, public_key_hex, …}] }`),
 * else the config's `[energy] provider_keys`. Reloaded by SIGHUP, `energy.reload_keys` and a
 * watch on the file's directory (a rename-replaced file is seen too).
 */
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';

export interface KeyEntry {
  provider_id: string;
  public_key_hex: string;
}

const ID_RE = /^energy-0x[0-9a-f]{8,16}$/;
const HEX32_RE = /^[0-9a-fA-F]{64}$/;

/** Valid entries as a map, and one message per bad entry. */
export function parseKeyEntries(raw: unknown): { keys: Map<string, Uint8Array>; errors: string[] } {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? ((raw as Record<string, unknown>).provider_keys ?? (raw as Record<string, unknown>).meters) : undefined;
  const keys = new Map<string, Uint8Array>();
  const errors: string[] = [];
  if (!Array.isArray(list)) return { keys, errors: ['expected {"provider_keys": [{provider_id, public_key_hex}]} (or a bare array)'] };
  list.forEach((e, i) => {
    const id = (e as KeyEntry | null)?.provider_id;
    const hex = (e as KeyEntry | null)?.public_key_hex;
    if (typeof id !== 'string' || !ID_RE.test(id)) errors.push(`provider_keys[${i}].provider_id: must be a provider id like energy-0x00000000`);
    else if (typeof hex !== 'string' || !HEX32_RE.test(hex)) errors.push(`provider_keys[${i}].public_key_hex: must be 64 hex digits (32-byte Ed25519 key) for ${id}`);
    else keys.set(id, Uint8Array.from(Buffer.from(hex, 'hex')));
  });
  return { keys, errors };
}

export class ProviderKeys {
  private keys = new Map<string, Uint8Array>();
  generation = 0;
  loadedAtMs = 0;
  source = 'none';
  errors: string[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    /** Absolute path of the key file. */
    readonly file: string,
    private readonly initial: readonly KeyEntry[],
    private readonly onReload: (r: ProviderKeys) => void = () => {},
  ) {}

  get(providerId: string): Uint8Array | undefined {
    return this.keys.get(providerId);
  }
  has(providerId: string): boolean {
    return this.keys.has(providerId);
  }
  list(): KeyEntry[] {
    return [...this.keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([provider_id, k]) => ({ provider_id, public_key_hex: Buffer.from(k).toString('hex') }));
  }
  view() {
    return { source: this.source, generation: this.generation, loaded_at_ms: this.loadedAtMs, keys: this.list(), errors: this.errors };
  }

  /** Re-reads the source and swaps the registry (serialised: concurrent reloads run one after another). */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.load()).catch(() => {});
    return this.reloading;
  }

  private async load(): Promise<void> {
    let parsed: { keys: Map<string, Uint8Array>; errors: string[] };
    if (existsSync(this.file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(this.file, 'utf8'));
      } catch (err) {
        // A half-written or invalid file keeps the registry in force (and says why).
        this.errors = [`${this.file}: ${(err as Error).message}; the previous registry stays in force`];
        this.onReload(this);
        return;
      }
      parsed = parseKeyEntries(raw);
      this.source = this.file;
    } else {
      parsed = parseKeyEntries(this.initial);
      this.source = 'config [energy] provider_keys';
    }
    this.keys = parsed.keys;
    this.errors = parsed.errors;
    this.generation++;
    this.loadedAtMs = Date.now();
    this.onReload(this);
  }

  /** Adds or replaces a key (rotation) in the key file, then reloads. */
  async set(providerId: string, publicKeyHex: string): Promise<void> {
    const next = new Map(this.list().map((e) => [e.provider_id, e.public_key_hex]));
    next.set(providerId, publicKeyHex.toLowerCase());
    await this.write(next);
  }

  /** Removes a key (revocation) from the key file, then reloads. */
  async revoke(providerId: string): Promise<void> {
    const next = new Map(this.list().map((e) => [e.provider_id, e.public_key_hex]));
    next.delete(providerId);
    await this.write(next);
  }

  private async write(m: Map<string, string>): Promise<void> {
    const provider_keys = [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([provider_id, public_key_hex]) => ({ provider_id, public_key_hex }));
    await writeFileAtomic(this.file, JSON.stringify({ provider_keys }, null, 2) + '\n', { mode: 0o600 });
    await this.reload();
  }

  /** Watches the key file's directory; a change of the file reloads after 100 ms of quiet. */
  watch(): void {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    try {
      mkdirSync(dir, { recursive: true });
      this.watcher = watch(dir, { persistent: false }, (_e, name) => {
        if (name !== null && name !== base) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), 100);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // directory missing or not watchable: SIGHUP and energy.reload_keys still work
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
  }
}
