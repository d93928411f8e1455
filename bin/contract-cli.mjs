#!/usr/bin/env node
// contract-cli: registers tsx (TypeScript runs without a build), then runs src/cli/contract-cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/contract-cli.ts', import.meta.url).href);
await main(process.argv);
