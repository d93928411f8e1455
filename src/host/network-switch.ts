/**
 * Network switching for the console (`app.networks`, `app.joinNetwork`): the networks an operator
 * can pick — dev, local testnets registered by `contract-cli testnet up` in
 * `~/.the_block/local-testnets/`, and the network files in `resources/networks/` — and the join
 * itself: the node is restarted by the supervisor with `--network <file>` and a data root of its
 * own for that network (the sibling `<parent of the current root>/<network name>`, so testnet and
 * dev data never mix), then it dials the bootstrap peers and syncs (progress on `net.sync`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NetworkChoice } from '../shared/api/app.js';
import { RpcError } from '../shared/api/errors.js';
import { builtinNetworks, entryOf, NETWORK_NAME_RE } from '../node-core/net/network-file.js';
import type { Supervisor } from './supervisor.js';

/** `~/.the_block/local-testnets` (pointer files `{name, dir, network_file}` written by `testnet up`). */
export function localTestnetsDir(home = os.homedir()): string {
  return path.join(home, '.the_block', 'local-testnets');
}

/** Every network the console can join (invalid files are skipped). */
export function listNetworks(o: { home?: string; builtinDir?: string; extra?: () => NetworkChoice[] } = {}): NetworkChoice[] {
  const out: NetworkChoice[] = [{ name: 'dev', chain_id: 31337, validators: 1, bootstrap: 0, source: 'dev', description: 'single-validator development chain on this machine' }];
  const dir = localTestnetsDir(o.home);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
      try {
        const ptr = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { network_file?: unknown; dir?: unknown };
        if (typeof ptr.network_file !== 'string' || !existsSync(ptr.network_file)) continue;
        const e = entryOf(ptr.network_file, 'local');
        out.push({ ...e, ...(typeof ptr.dir === 'string' ? { dir: ptr.dir } : {}) });
      } catch {
        /* a stale or broken pointer: not offered */
      }
    }
  }
  out.push(...builtinNetworks(o.builtinDir).entries);
  // The console's practice testnet and imported networks; a name listed earlier wins.
  for (const e of o.extra?.() ?? []) if (!out.some((x) => x.name === e.name)) out.push(e);
  return out;
}

/** The value of `flag` in `args` (`--x v` or `--x=v`, the last one wins), or undefined. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) v = args[i + 1];
    else if (args[i].startsWith(`${flag}=`)) v = args[i].slice(flag.length + 1);
  }
  return v;
}

/** Replaces (or appends) a `--flag value` pair in node args. */
export function withFlag(args: string[], flag: string, value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) {
      i++;
      continue;
    }
    if (args[i].startsWith(`${flag}=`)) continue;
    out.push(args[i]);
  }
  return [...out, flag, value];
}

/** Where a network's data lives next to the current root (`~/.the_block/dev` → `~/.the_block/<name>`). */
export function dataRootFor(currentRoot: string, name: string): string {
  return path.join(path.dirname(currentRoot), name);
}

/**
 * Switches the supervised node to another network: new `--network` and `--data-dir`, ordered
 * stop, start. Resolves once the new process is spawned (its progress comes on `node.phase` and
 * `net.sync`).
 * @throws RpcError −32602 for an unknown network; `not_ready` when the current data root is unknown.
 */
export async function joinNetwork(
  o: { supervisor: Supervisor; currentRoot: string | undefined; rootFor?: (name: string) => string | undefined; home?: string; builtinDir?: string; extra?: () => NetworkChoice[] },
  target: string,
): Promise<{ network: string; data_dir: string; network_file: string | null }> {
  const choice = listNetworks(o).find((n) => n.name === target || n.file === target);
  if (!choice) throw RpcError.invalidParams([{ path: ['network'], message: `unknown network "${target}"; see app.networks` }]);
  if (!NETWORK_NAME_RE.test(choice.name)) throw RpcError.invalidParams([{ path: ['network'], message: 'bad network name' }]);
  if (!o.currentRoot) throw RpcError.app('not_ready', 'the data directory is not known until the node has started once');
  const dataDir = o.rootFor?.(choice.name) ?? dataRootFor(o.currentRoot, choice.name);
  let args = withFlag(o.supervisor.args(), '--network', choice.file ?? choice.name);
  args = withFlag(args, '--data-dir', dataDir);
  o.supervisor.setArgs(args);
  await o.supervisor.restart();
  return { network: choice.name, data_dir: dataDir, network_file: choice.file ?? null };
}
