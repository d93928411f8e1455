// Config slices: a module declares its keys in its own folder (config/keys.ts defineConfigSlice);
// the node's key table (node-config.ts) is the base keys plus every slice of the module list, so a
// module's keys load from every layer, unknown keys are still refused naming the file and the key,
// and two owners of one key, env var or flag are a programming error.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BASE_KEYS, defineConfigSlice, keyTable, loadConfigFrom, parseBool, withSliceDefaults, zSwitch } from '../../../src/node-core/config/index.js';
import { defineModule } from '../../../src/node-core/modules/index.js';
import { KEYS, loadConfig, nodeKeyTable } from '../../../src/node-core/node-config.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { NODE_MODULE_META } from '../../../src/node-core/node-module-list.js';
import { COUNTER_METHODS } from '../../fixtures/modules/counter/index.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-slices-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

interface EchoConfig {
  /** Echo every call. */
  echo_enabled: boolean;
  /** Echo depth (calls). */
  echo_depth?: number;
}
const ECHO = defineConfigSlice<EchoConfig>({
  echo_enabled: { env: 'TB_ECHO_ENABLED', schema: zSwitch(), fromString: parseBool, default: false, doc: 'echo' },
  echo_depth: { env: 'TB_ECHO_DEPTH', schema: z.number().int().min(1, 'must be at least 1'), fromString: Number, doc: 'depth' },
});
const echoModule = defineModule({
  id: 'echo',
  label: 'Echo',
  methods: COUNTER_METHODS,
  config: ECHO,
  async start(ctx) {
    const enabled: boolean = ctx.config.echo_enabled; // typed by the slice
    return { handlers: { 'counter.get': () => ({ total: enabled ? '1' : '0', ticks: '0', pot_balance: '0' }) }, close() {} };
  },
});

describe('config slices', () => {
  it('the node table is the base keys followed by each module slice, in list order', () => {
    const fromModules = NODE_MODULES.flatMap((m) => ('config' in m && m.config ? m.config.keys.map((k) => k.key) : []));
    expect(KEYS.map((k) => k.key)).toEqual([...BASE_KEYS.map((k) => k.key), ...fromModules]);
    expect(fromModules).toContain('governor_enabled');
    expect(BASE_KEYS.map((k) => k.key)).not.toContain('governor_enabled');
  });

  it('each module carries its metadata (meta.ts), in the order of the metadata list the key table is built from', () => {
    expect(NODE_MODULES.map((m) => m.id)).toEqual(NODE_MODULE_META.map((m) => m.id));
    NODE_MODULES.forEach((m, i) => {
      const meta = NODE_MODULE_META[i];
      expect(m.config).toBe('config' in meta ? meta.config : undefined);
      expect(m.dataPaths).toBe(meta.dataPaths);
      expect(m.label).toBe(meta.label);
    });
  });

  it('a module key loads from TOML and env with its default; an unknown key names the file and the key', async () => {
    const table = nodeKeyTable([...NODE_MODULES, echoModule]);
    await fs.writeFile(path.join(dir, 'node.toml'), 'echo_enabled = true\n');
    const c = loadConfigFrom(table, { cwd: dir, home: dir, env: { TB_ECHO_DEPTH: '3' }, configFile: 'node.toml' });
    expect(c.config).toMatchObject({ echo_enabled: true, echo_depth: 3, governor_enabled: false });
    expect(c.sources).toMatchObject({ echo_enabled: 'node.toml', echo_depth: 'TB_ECHO_DEPTH' });
    // Without the module in the list its keys are unknown, named with the file.
    expect(() => loadConfig({ cwd: dir, home: dir, env: {}, configFile: 'node.toml' })).toThrow('node.toml: unknown key "echo_enabled"');
    await fs.writeFile(path.join(dir, 'node.toml'), 'echo_depth = 0\n');
    expect(() => loadConfigFrom(table, { cwd: dir, home: dir, env: {}, configFile: 'node.toml' })).toThrow('node.toml: echo_depth: must be at least 1');
  });

  it('two owners of one key or env var are refused, naming both', () => {
    const twice = defineConfigSlice<{ governor_enabled: boolean }>({
      governor_enabled: { env: 'TB_OTHER', schema: zSwitch(), fromString: parseBool, doc: 'x' },
    });
    expect(() => keyTable(BASE_KEYS, [{ owner: 'governor', slice: NODE_MODULES[0].config! }, { owner: 'rogue', slice: twice }])).toThrow(
      'config key governor_enabled is declared by module governor and by module rogue',
    );
    const env = defineConfigSlice<{ x_addr: string }>({ x_addr: { env: 'TB_RPC_ADDR', schema: z.string(), fromString: String, doc: 'x' } });
    expect(() => keyTable(BASE_KEYS, [{ owner: 'x', slice: env }])).toThrow('config env TB_RPC_ADDR is declared by the node and by module x');
  });

  it('a module started with a config loaded without its slice gets the slice defaults', () => {
    expect(withSliceDefaults({ network: 'dev' }, ECHO)).toEqual({ network: 'dev', echo_enabled: false });
    expect(withSliceDefaults({ echo_enabled: true }, ECHO)).toEqual({ echo_enabled: true });
  });

  it('a slice must name every field of its config type (checked by the compiler)', () => {
    // @ts-expect-error — echo_depth has no spec
    const missing = defineConfigSlice<EchoConfig>({ echo_enabled: { env: 'TB_E', schema: zSwitch(), fromString: parseBool, doc: 'x' } });
    expect(missing.keys).toHaveLength(1);
  });
});
