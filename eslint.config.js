// Lint: typescript-eslint recommended + import boundaries (folder = runtime, see DESIGN.md "Layout").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'fs', 'path', 'child_process', 'net', 'http', 'https', 'os', 'crypto', 'worker_threads', 'stream',
  'url', 'util', 'events', 'zlib', 'dgram', 'dns', 'tls', 'readline', 'process', 'buffer', 'module',
];
const nodeModulePatterns = NODE_BUILTINS.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
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
  {
    files: ['src/shared/**'],
    rules: restrict([...nodeModulePatterns, 'electron', 'react', 'react-dom', '**/node-core/**', '**/main/**', '**/renderer/**', '**/cli/**'],
      'src/shared is pure TypeScript: no Node, Electron, DOM or other-runtime imports.'),
  },
  {
    files: ['src/node-core/**', 'src/cli/**'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/main/**', '**/preload/**'],
      'node-core and cli run under plain Node: never import electron or UI code.'),
  },
  {
    files: ['src/host/**'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/main/**', '**/preload/**'],
      'src/host (supervisor, console server) runs under plain Node and inside Electron main: never import electron.'),
  },
  {
    files: ['src/renderer/**'],
    rules: restrict([...nodeModulePatterns, 'electron', '**/node-core/**', '**/main/**', '**/cli/**'],
      'the renderer is sandboxed DOM code: talk to the node only through window.tb / the transport.'),
  },
  {
    files: ['src/preload/**'],
    rules: restrict(['**/node-core/**', '**/renderer/**', '**/cli/**'], 'preload exposes window.tb only.'),
  },
);
