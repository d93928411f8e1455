// The console's network switch: the list (dev, local testnets registered by `testnet up`,
// resources/networks/), flag rewriting, and the join: new --network/--data-dir, then an ordered
// restart through the supervisor (a real Supervisor with a recording launcher).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { genesisHash } from '../../../src/node-core/chain/genesis.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { networkFileOf, writeNetworkFile } from '../../../src/node-core/net/network-file.js';
import type { Launcher, NodeChild, NodeSpec } from '../../../src/host/launcher.js';
import { dataRootFor, joinNetwork, listNetworks, withFlag } from '../../../src/host/network-switch.js';
import { Supervisor } from '../../../src/host/supervisor.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

async function setup() {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-switch-'));
  dirs.push(home);
  const k = generateKeys();
  const body = { network: 'localnet', chain_id: 31338, block_time_ms: 300, timestamp_ms: 1, validators: [{ address: addressOf(k.publicKey), public_key: toHex(k.publicKey), stake: '1' }], accounts: [] };
  const file = path.join(home, 'tn', 'network.json');
  await writeNetworkFile(file, networkFileOf({ ...body, hash: genesisHash(body) }, []));
  const reg = path.join(home, '.the_block', 'local-testnets');
  await fs.mkdir(reg, { recursive: true });
  await fs.writeFile(path.join(reg, 'localnet.json'), JSON.stringify({ name: 'localnet', dir: path.join(home, 'tn'), network_file: file }));
  await fs.writeFile(path.join(reg, 'stale.json'), JSON.stringify({ name: 'gone', network_file: path.join(home, 'nope.json') }));
  const builtin = path.join(home, 'builtin');
  await fs.mkdir(builtin);
  await fs.writeFile(path.join(builtin, 'broken.json'), '{');
  return { home, file, builtin };
}

/** A launcher that records specs and whose children exit when asked to stop. */
function recordingLauncher(): { launcher: Launcher; specs: NodeSpec[] } {
  const specs: NodeSpec[] = [];
  return {
    specs,
    launcher: {
      kind: 'fork',
      launch(spec) {
        specs.push(structuredClone(spec));
        let exit: ((e: { code: number | null; signal: string | null }) => void) | undefined;
        const child: NodeChild = {
          pid: 1000 + specs.length,
          send: () => true,
          onMessage: () => {},
          onLine: () => {},
          onExit: (cb) => (exit = cb),
          kill: () => setImmediate(() => exit?.({ code: 0, signal: null })),
        };
        return child;
      },
    },
  };
}

describe('network switch', () => {
  it('lists dev, registered local testnets and valid built-in network files', async () => {
    const { home, file, builtin } = await setup();
    const list = listNetworks({ home, builtinDir: builtin });
    expect(list.map((n) => [n.name, n.source])).toEqual([
      ['dev', 'dev'],
      ['localnet', 'local'],
    ]);
    expect(list[1]).toMatchObject({ file, chain_id: 31338, validators: 1, dir: path.join(home, 'tn') });
  });

  it('rewrites flags and picks a sibling data root per network', () => {
    expect(withFlag(['--data-dir', '/a', '--rpc-addr', 'x:1', '--network=dev'], '--network', 'f.json')).toEqual(['--data-dir', '/a', '--rpc-addr', 'x:1', '--network', 'f.json']);
    expect(dataRootFor('/home/op/.the_block/dev', 'localnet')).toBe('/home/op/.the_block/localnet');
  });

  it('joins: restarts the node with --network <file> and its own data root; unknown networks are refused', async () => {
    const { home, file, builtin } = await setup();
    const { launcher, specs } = recordingLauncher();
    const sup = new Supervisor({ launcher, spec: { entry: '/x/main.ts', args: ['--data-dir', path.join(home, 'dev'), '--rpc-addr', '127.0.0.1:0'] } });
    sup.start();
    const r = await joinNetwork({ supervisor: sup, currentRoot: path.join(home, 'dev'), home, builtinDir: builtin }, 'localnet');
    expect(r).toEqual({ network: 'localnet', data_dir: path.join(home, 'localnet'), network_file: file });
    expect(specs).toHaveLength(2);
    expect(specs[1].args).toEqual(['--rpc-addr', '127.0.0.1:0', '--network', file, '--data-dir', path.join(home, 'localnet')]);
    await expect(joinNetwork({ supervisor: sup, currentRoot: path.join(home, 'dev'), home, builtinDir: builtin }, 'nowhere')).rejects.toMatchObject({ code: -32602 });
    await sup.stop();
  });
});
