/**
 * Local keys: the node key (`<root>/keys/node_key.json`) and named wallet keys
 * (`<root>/keys/wallets/<name>.json`). Files are JSON
 * `{ "version": 1, "name", "address", "public_key" (hex 32), "seed" (hex 32, the Ed25519 private key) }`,
 * written atomically with mode 0600 inside a 0700 directory. Keys are not encrypted at rest in v1:
 * protect the data directory. On the dev network the name "faucet" is the dev genesis faucet key
 * (publicly known, INSECURE: resources/genesis/dev.json).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Reason, RpcError } from '../../shared/api/errors.js';
import { generateKeys, keysFromSeed, seedOf, type KeyPair } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { addressOf } from '../chain/address.js';
import { devFaucetKeys, loadGenesisTemplate } from '../chain/genesis.js';

/** Declared in crypto/ed25519.ts (so chain/ and net/ need not import the wallet); re-exported for callers of the keystore. */
export type { KeyPair };

export const WALLET_NAME_RE = /^[a-z0-9_-]{1,32}$/;
const FAUCET = 'faucet';

const zKeyFile = z.object({
  version: z.literal(1),
  name: z.string(),
  address: z.string(),
  public_key: z.string().regex(/^[0-9a-f]{64}$/),
  seed: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Raised when a key file cannot be read or does not match its own key. */
export class KeyFileError extends Error {
  /** Stable reason for RPC errors (a damaged file is never −32603). */
  readonly reason = Reason.key_file_unreadable;
  constructor(
    message: string,
    /** The file, and what is wrong with it in a few words (for listings). */
    readonly file = '',
    readonly detail = message,
  ) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** A wallet file that could not be read, as listed beside the readable ones. */
export interface UnreadableWallet {
  name: string;
  /** Absolute path of the key file. */
  path: string;
  /** What is wrong, e.g. "not JSON (Unexpected end of JSON input)". */
  reason: string;
}

function toKeyPair(pk: Uint8Array, sk: Uint8Array): KeyPair {
  return { publicKey: pk, secretKey: sk, address: addressOf(pk) };
}

async function readKeyFile(file: string): Promise<KeyPair> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const detail = e.code ? `cannot be read (${e.code})` : `is not JSON (${e.message})`;
    throw new KeyFileError(`key file ${file} ${detail}`, file, detail);
  }
  const r = zKeyFile.safeParse(raw);
  if (!r.success) {
    const detail = `is not a key file of this node (${r.error.issues.map((i) => i.path.join('.') + ': ' + i.message).join('; ')})`;
    throw new KeyFileError(`key file ${file} ${detail}`, file, detail);
  }
  const k = keysFromSeed(fromHex(r.data.seed, 32));
  const kp = toKeyPair(k.publicKey, k.secretKey);
  if (toHex(kp.publicKey) !== r.data.public_key || kp.address !== r.data.address) {
    const detail = 'is inconsistent: its seed does not give its public key/address';
    throw new KeyFileError(`key file ${file} ${detail}`, file, detail);
  }
  return kp;
}

async function writeKeyFile(file: string, name: string, kp: KeyPair): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const body = { version: 1, name, address: kp.address, public_key: toHex(kp.publicKey), seed: toHex(seedOf(kp.secretKey)) };
  await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
}

/**
 * The node's own key, generated on first use at `<root>/keys/node_key.json` (0600).
 * @throws KeyFileError when the file exists but is unreadable or inconsistent (it is never overwritten).
 */
export async function loadOrCreateNodeKey(root: string): Promise<KeyPair> {
  const file = path.join(root, 'keys', 'node_key.json');
  if (existsSync(file)) return readKeyFile(file);
  const k = generateKeys();
  const kp = toKeyPair(k.publicKey, k.secretKey);
  await writeKeyFile(file, 'node', kp);
  return kp;
}

export class Keystore {
  private readonly dir: string;

  /** @param root the network's data directory; @param network "dev" exposes the dev faucet as "faucet". */
  constructor(
    root: string,
    private readonly network: string,
  ) {
    this.dir = path.join(root, 'keys', 'wallets');
  }

  private async hasFaucet(): Promise<boolean> {
    if (this.network !== 'dev') return false;
    return !!(await loadGenesisTemplate(this.network)).dev_faucet;
  }

  private static checkName(name: string): void {
    if (!WALLET_NAME_RE.test(name))
      throw RpcError.invalidParams([{ path: ['name'], message: 'wallet names are 1-32 characters of a-z, 0-9, _ and -' }], `invalid wallet name "${name}"`);
  }

  /**
   * Wallets by name (faucet first on dev); never includes secrets. A key file that cannot be
   * read (truncated, not JSON, inconsistent, unreadable) does not hide the others: it is listed
   * in `unreadable` with its path and what is wrong.
   * @throws fs errors of the wallets directory itself (other than ENOENT).
   */
  async list(): Promise<{ wallets: { name: string; address: string }[]; unreadable: UnreadableWallet[] }> {
    const out: { name: string; address: string }[] = [];
    const unreadable: UnreadableWallet[] = [];
    if (await this.hasFaucet()) out.push({ name: FAUCET, address: (await devFaucetKeys(this.network)).address });
    let files: string[] = [];
    try {
      files = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const f of files.sort()) {
      const name = f.replace(/\.json$/, '');
      if (!f.endsWith('.json') || !WALLET_NAME_RE.test(name)) continue;
      const file = path.join(this.dir, f);
      try {
        out.push({ name, address: (await readKeyFile(file)).address });
      } catch (err) {
        if (!(err instanceof KeyFileError)) throw err;
        unreadable.push({ name, path: file, reason: err.detail });
      }
    }
    return { wallets: out, unreadable };
  }

  /**
   * Creates a new random wallet key.
   * @throws RpcError −32602 for an invalid name; RpcError `duplicate` when the name exists (or is "faucet" on dev).
   */
  async create(name: string): Promise<{ name: string; address: string }> {
    Keystore.checkName(name);
    const file = path.join(this.dir, `${name}.json`);
    if ((name === FAUCET && (await this.hasFaucet())) || existsSync(file))
      throw RpcError.app(Reason.duplicate, `a wallet named "${name}" already exists; choose another name`);
    const k = generateKeys();
    const kp = toKeyPair(k.publicKey, k.secretKey);
    await writeKeyFile(file, name, kp);
    return { name, address: kp.address };
  }

  /**
   * The key pair of a wallet.
   * @throws RpcError not_found when there is no wallet of that name; RpcError
   *   `key_file_unreadable` (with `data.path`) when its file is damaged.
   */
  async get(name: string): Promise<KeyPair> {
    if (name === FAUCET && (await this.hasFaucet())) {
      const f = await devFaucetKeys(this.network);
      return toKeyPair(f.publicKey, f.secretKey);
    }
    const file = path.join(this.dir, `${name}.json`);
    if (!WALLET_NAME_RE.test(name) || !existsSync(file)) throw RpcError.notFound(`no wallet named "${name}" (see wallet list)`);
    try {
      return await readKeyFile(file);
    } catch (err) {
      if (!(err instanceof KeyFileError)) throw err;
      throw RpcError.app(err.reason, `wallet "${name}": ${err.message}; restore the file from a backup or remove it`, { path: file });
    }
  }
}
