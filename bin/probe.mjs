#!/usr/bin/env node
// probe: synthetic health checks of a node (ping-rpc, tip, mine-one); registers tsx, then runs src/cli/probe.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/probe.ts', import.meta.url).href);
await main(process.argv);
