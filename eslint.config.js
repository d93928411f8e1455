// Lint: typescript-eslint recommended + import boundaries (folder = runtime, DESIGN.md "Layout").
//
// Boundaries are an ALLOW-list per runtime folder (RUNTIMES below): the project folders a runtime
// may import, whether Node built-ins / Electron are allowed, and — where the bundle must stay
// small and safe (shared, preload, renderer) — the npm packages it may use. Everything not allowed
// is an error naming what is allowed. A second rule keeps modules sealed: a folder of src/node-core
// with an `index.ts` (its public index: governor/, config/, http/, and every chain module to come)
// is imported from outside only through that index, or its `meta.ts` (modules/types.ts ModuleMeta). `test/unit/repo/boundaries.test.ts` proves
// both rules fail on forbidden imports.
import { existsSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** src/<folder> → what it may import. `packages`: 'any' or the allowed npm package names. */
const RUNTIMES = {
  shared: { folders: ['shared'], node: false, electron: false, packages: ['zod'], dom: false, why: 'pure TypeScript (runs in the node and in the renderer)' },
  'node-core': { folders: ['shared', 'node-core'], node: true, electron: false, packages: 'any', dom: false, why: 'the node process (plain Node; also runs headless from the CLI)' },
  host: { folders: ['shared', 'node-core', 'host'], node: true, electron: false, packages: 'any', dom: false, why: 'plain Node (supervisor, console server) shared by Electron main and contract-cli' },
  main: { folders: ['shared', 'preload', 'host', 'main'], node: true, electron: true, packages: 'any', dom: false, why: 'Electron main: supervises and brokers through src/host, never runs the node in-process' },
  preload: { folders: ['shared', 'preload'], node: false, electron: true, packages: [], dom: true, why: 'the sandboxed preload: exposes window.tb only' },
  renderer: { folders: ['shared', 'preload', 'renderer'], node: false, electron: false, packages: ['react', 'react-dom', 'zustand', '@tanstack/react-query', 'recharts', '@noble/hashes', '@noble/ed25519', 'qrcode'], dom: true, why: 'sandboxed DOM code: talks to the node only through window.tb / the transport (src/preload types)' },
  cli: { folders: ['shared', 'node-core', 'host', 'cli'], node: true, electron: false, packages: 'any', dom: false, why: 'contract-cli and probe (plain Node)' },
};
/** Runtimes whose files may reach node-core at all, hence are held to the public-index rule. */
const SEALED_FOR = ['node-core', 'host', 'main', 'cli'];

const FOLDERS = Object.keys(RUNTIMES);
const NODE_BUILTINS = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]))];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const anyOf = (names) => `(?:${names.map(esc).join('|')})`;

/** node-core folders with a public index (`index.ts`): modules, imported from outside only through it. */
const MODULES = readdirSync(new URL('./src/node-core/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`./src/node-core/${d.name}/index.ts`, import.meta.url)))
  .map((d) => d.name)
  .sort();

function runtimePatterns(name) {
  const r = RUNTIMES[name];
  const allowed = `src/${name} may import ${r.folders.map((f) => `src/${f}`).join(', ')}`;
  const pkgs = r.packages === 'any' ? 'any npm package' : r.packages.length ? `the packages ${r.packages.join(', ')}` : 'no npm package';
  const base = `${allowed}; ${r.node ? 'Node built-ins' : 'no Node built-in'}; ${r.electron ? 'electron' : 'no electron'}; ${pkgs} — ${r.why} (eslint.config.js RUNTIMES).`;
  const out = [];
  const forbidden = FOLDERS.filter((f) => !r.folders.includes(f));
  if (forbidden.length) out.push({ regex: `^\\.{1,2}/(?:.*/)?${anyOf(forbidden)}/`, message: `not across runtimes: ${base}` });
  if (!r.node) out.push({ regex: `^(?:node:.*|${anyOf(NODE_BUILTINS)}(?:/.*)?)$`, message: `no Node built-in here: ${base}` });
  if (!r.electron) out.push({ regex: '^electron(?:/.*)?$', message: `no electron here: ${base}` });
  if (r.packages !== 'any') {
    const ok = [...r.packages, ...(r.electron ? ['electron'] : [])];
    const except = ok.length ? `(?!${anyOf(ok)}(?:/|$))` : '';
    out.push({ regex: `^(?![./])(?!node:)(?!${anyOf(NODE_BUILTINS)}(?:/|$))(?!electron(?:/|$))${except}`, message: `not an allowed package here: ${base}` });
  }
  return out;
}

function modulePatterns(except) {
  return MODULES.filter((m) => m !== except).map((m) => ({
    regex: `(?:^|/)${esc(m)}/(?!(?:index|meta)\\.js$)[^/]+`,
    message: `import src/node-core/${m}/ only through its public index (${m}/index.js), or its metadata (${m}/meta.js: what the node knows of it without loading its code): a module's other files are its own.`,
  }));
}

const DOM_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'requestAnimationFrame', 'HTMLElement'];
const NODE_GLOBALS = ['process', 'Buffer', 'require', '__dirname', '__filename', 'global'];
const restrictedGlobals = (r) => [
  ...(r.dom ? [] : DOM_GLOBALS.map((name) => ({ name, message: 'no DOM here (eslint.config.js RUNTIMES).' }))),
  ...(r.node ? [] : NODE_GLOBALS.map((name) => ({ name, message: 'no Node globals here (eslint.config.js RUNTIMES).' }))),
];

const boundaryConfigs = FOLDERS.flatMap((name) => {
  const r = RUNTIMES[name];
  const sealed = SEALED_FOR.includes(name);
  const rules = (except) => ({
    'no-restricted-imports': ['error', { patterns: [...runtimePatterns(name), ...(sealed ? modulePatterns(except) : [])] }],
    'no-restricted-globals': ['error', ...restrictedGlobals(r)],
  });
  const inside = name === 'node-core' ? MODULES.map((m) => `src/node-core/${m}/**`) : [];
  return [
    { files: [`src/${name}/**`], ignores: inside, rules: rules(undefined) },
    // Inside a module its own files are free to import each other; other modules stay sealed.
    ...MODULES.filter(() => name === 'node-core').map((m) => ({ files: [`src/node-core/${m}/**`], rules: rules(m) })),
  ];
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'playwright-report/**', 'e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...boundaryConfigs,
);

/** For the boundary test: the runtime table and the sealed modules this config was built from. */
export const BOUNDARIES = { RUNTIMES, MODULES, SEALED_FOR };
