// Lint boundaries (eslint.config.js): the allow-list per runtime folder and the public-index rule
// for node-core modules must actually fail on forbidden imports — linted as if the code were a file
// at that path, with the repository's own config — and stay quiet on allowed ones.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Messages of the boundary rules for `code` linted as the file `filePath` (repo-relative). */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals' || m.fatal).map((m) => m.message);
}

const imp = (src: string, i = 0) => `import * as x${i} from '${src}';\nexport const y${i} = x${i};\n`;

describe('lint boundaries: what each runtime folder may import', () => {
  it.each([
    ['src/node-core/probe.ts', 'electron', /no electron here/],
    ['src/node-core/probe.ts', '../host/supervisor.js', /not across runtimes: src\/node-core may import src\/shared, src\/node-core;/],
    ['src/node-core/chain/probe.ts', '../../cli/common.js', /not across runtimes/],
    ['src/node-core/governor/probe.ts', '../../main/index.js', /not across runtimes/],
    ['src/node-core/probe.ts', '../renderer/src/App', /not across runtimes/],
    ['src/host/probe.ts', 'electron', /no electron here/],
    ['src/host/probe.ts', '../cli/common.js', /not across runtimes/],
    ['src/main/probe.ts', '../node-core/node.js', /not across runtimes: src\/main may import src\/shared, src\/preload, src\/host, src\/main/],
    ['src/renderer/src/probe.ts', 'node:fs', /no Node built-in here/],
    ['src/renderer/src/probe.ts', 'path', /no Node built-in here/],
    ['src/renderer/src/probe.ts', 'fs/promises', /no Node built-in here/],
    ['src/renderer/src/probe.ts', '../../node-core/chain/chain.js', /not across runtimes/],
    ['src/renderer/src/probe.ts', 'electron', /no electron here/],
    ['src/renderer/src/probe.ts', 'lodash', /not an allowed package here/],
    ['src/shared/api/probe.ts', 'node:crypto', /no Node built-in here/],
    ['src/shared/api/probe.ts', 'react', /not an allowed package here/],
    ['src/shared/api/probe.ts', '../../node-core/version.js', /not across runtimes/],
    ['src/preload/probe.ts', 'node:child_process', /no Node built-in here/],
    ['src/preload/probe.ts', '../renderer/src/App', /not across runtimes/],
    ['src/cli/probe.ts', 'electron', /no electron here/],
    ['src/cli/commands/probe.ts', '../../renderer/src/store/ui', /not across runtimes/],
  ])('%s importing %s is an error', async (file, src, message) => {
    const errs = await boundaryErrors(file, imp(src));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(message);
  });

  it.each([
    ['src/node-core/probe.ts', ['node:fs', 'zod', '../shared/api/index.js', './chain/chain.js', './governor/index.js']],
    ['src/host/probe.ts', ['node:http', 'ws', '../node-core/http/index.js', '../shared/api/app.js']],
    ['src/main/probe.ts', ['electron', 'node:path', '../host/supervisor.js', '../preload/channels.js']],
    ['src/renderer/src/probe.ts', ['react', 'zustand', '@tanstack/react-query', '@noble/hashes/blake3.js', '../../shared/api/methods', '../../preload/api']],
    ['src/shared/api/probe.ts', ['zod', './errors.js']],
    ['src/preload/probe.ts', ['electron', '../shared/api/index.js', './channels.js']],
    ['src/cli/commands/probe.ts', ['commander', 'node:readline', '../../node-core/config/index.js', '../../host/console-main.js']],
  ])('%s may import %j', async (file, sources) => {
    expect(await boundaryErrors(file, sources.map((src, i) => imp(src, i)).join(''))).toEqual([]);
  });

  it('keeps DOM globals out of shared and node-core, Node globals out of the renderer', async () => {
    expect(await boundaryErrors('src/shared/api/probe.ts', 'export const w = window.innerWidth;\n')).toEqual([expect.stringMatching(/no DOM here/)]);
    expect(await boundaryErrors('src/node-core/probe.ts', 'export const d = document.title;\n')).toEqual([expect.stringMatching(/no DOM here/)]);
    expect(await boundaryErrors('src/renderer/src/probe.ts', 'export const e = process.env.X;\n')).toEqual([expect.stringMatching(/no Node globals here/)]);
    expect(await boundaryErrors('src/renderer/src/probe.ts', 'export const w = window.innerWidth;\n')).toEqual([]);
  });
});

describe('lint boundaries: a node-core module is imported only through its public index', () => {
  it.each([
    ['src/node-core/node.ts', './governor/service.js'],
    ['src/node-core/snapshots/probe.ts', '../governor/snapshots.js'],
    ['src/node-core/governor/probe.ts', '../config/load.js'],
    ['src/cli/commands/probe.ts', '../../node-core/governor/gates.js'],
    ['src/host/probe.ts', '../node-core/http/guard.js'],
  ])('%s importing %s is an error', async (file, src) => {
    const errs = await boundaryErrors(file, imp(src));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/only through its public index \((governor|config|http)\/index\.js\)/);
  });

  it.each([
    ['src/node-core/governor/probe.ts', './service.js'],
    ['src/node-core/governor/probe.ts', './snapshots.js'],
    ['src/node-core/node.ts', './governor/index.js'],
    ['src/node-core/node-module-list.ts', './governor/meta.js'],
    ['src/node-core/rpc/probe.ts', '../chain/chain.js'],
  ])('%s importing %s is allowed', async (file, src) => {
    expect(await boundaryErrors(file, imp(src))).toEqual([]);
  });
});
