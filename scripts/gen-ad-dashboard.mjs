#!/usr/bin/env node
// Writes monitoring/ad_market_dashboard.json from src/node-core/ad_market/dashboard.ts (via tsx).
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { dashboardText } = await import(new URL('../src/node-core/ad_market/dashboard.ts', import.meta.url).href);
writeFileSync(new URL('../monitoring/ad_market_dashboard.json', import.meta.url), dashboardText());
