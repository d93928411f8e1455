#!/usr/bin/env node
// Keeps package-lock.json installable with `npm ci` when the registry this project is installed
// from lacks some platform-specific optional packages (e.g. @chainsafe/libp2p-quic-darwin-arm64):
// npm then omits them from the lock and `npm ci` refuses the lock as "out of sync". This adds the
// missing optional entries (as npm itself writes them against a full registry); npm ci skips an
// optional package it cannot fetch or that does not fit the platform. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [key, meta] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const nested = `${key ? key + '/' : ''}node_modules/${name}`;
    if (pkgs[nested] || pkgs[`node_modules/${name}`]) continue;
    const version = String(range).replace(/^[\^~=]/, '');
    pkgs[`node_modules/${name}`] = {
      version,
      resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`,
      optional: true,
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock-optional-platforms: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
