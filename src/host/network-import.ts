/**
 * Networks another operator shares (networks are data): a network file's JSON, or an invite text
 * `tb-invite:<base64url of the network file's JSON>` that fits in a chat message. Imported files
 * are checked like any network file (schema, genesis hash, name/chain id) and kept in
 * `<data parent>/networks/<name>.json`, where the network list finds them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RpcError } from '../shared/api/errors.js';
import { entryOf, NetworkFileError, parseNetworkFile, readNetworkFile, writeNetworkFile, type NetworkEntry, type NetworkFile } from '../node-core/net/network-file.js';

export const INVITE_PREFIX = 'tb-invite:';

/** The invite text of a network file. */
export function inviteOf(nf: NetworkFile): string {
  return INVITE_PREFIX + Buffer.from(JSON.stringify(nf), 'utf8').toString('base64url');
}

/**
 * Parses what the operator pasted or picked: network file JSON, or an invite (whitespace and line
 * breaks inside it are ignored, as chat clients wrap long words).
 * @throws RpcError −32000 `invalid_network` naming the problem.
 */
export function parseShared(text: string): NetworkFile {
  const t = text.trim();
  let json = t;
  let where = 'pasted text';
  if (t.startsWith(INVITE_PREFIX)) {
    const body = t.slice(INVITE_PREFIX.length).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body)) throw RpcError.app('invalid_network', 'the invite is damaged: after "tb-invite:" only letters, digits, - and _ may follow');
    json = Buffer.from(body, 'base64url').toString('utf8');
    where = 'invite';
    // Garbage or a cut-off copy decodes to binary, not to a JSON object: say so, not JSON.parse's text.
    let obj: unknown;
    try {
      obj = JSON.parse(json);
    } catch {
      obj = undefined;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw RpcError.app('invalid_network', 'this invite is damaged or cut short — copy it again (Copy invite on the machine that shared it) and paste the whole text');
  } else if (!t.startsWith('{')) {
    throw RpcError.app('invalid_network', 'not a network: paste the JSON of a network file ({"name": …}) or an invite (tb-invite:…)');
  }
  try {
    return parseNetworkFile(json, where);
  } catch (e) {
    if (e instanceof NetworkFileError) throw RpcError.app('invalid_network', e.message);
    throw e;
  }
}

/** `<data parent>/networks`. */
export function importedDir(dataParent: string): string {
  return path.join(dataParent, 'networks');
}

/**
 * Saves an imported network. A network of the same name with another genesis is refused (the
 * operator would silently switch chains); the same genesis replaces the file (new bootstrap peers).
 */
export async function saveImported(dataParent: string, nf: NetworkFile, reserved: readonly string[]): Promise<{ file: string; replaced: boolean }> {
  if (reserved.includes(nf.name)) throw RpcError.app('invalid_network', `"${nf.name}" is the name of a network this console already has; the other operator must rename theirs`);
  const file = path.join(importedDir(dataParent), `${nf.name}.json`);
  let replaced = false;
  if (existsSync(file)) {
    const old = readNetworkFile(file);
    if (old.genesis_hash !== nf.genesis_hash)
      throw RpcError.app('invalid_network', `a different network named "${nf.name}" was imported before (genesis ${old.genesis_hash.slice(0, 12)}…, this one ${nf.genesis_hash.slice(0, 12)}…); remove ${file} first`);
    replaced = true;
  }
  await writeNetworkFile(file, nf);
  return { file, replaced };
}

/** The imported networks (invalid files skipped). */
export function importedNetworks(dataParent: string): NetworkEntry[] {
  const dir = importedDir(dataParent);
  if (!existsSync(dir)) return [];
  const out: NetworkEntry[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    try {
      out.push(entryOf(path.join(dir, f), 'imported'));
    } catch {
      /* not offered */
    }
  }
  return out;
}

/** Reads a network file's text (for an invite). */
export function networkFileText(file: string): NetworkFile {
  return parseNetworkFile(readFileSync(file, 'utf8'), file);
}
