import { defineConfig } from 'vitest/config';
import { NET_DRILLS } from './vitest.config.js';

/** Liveness waits grow with CPU burners beside the drills (test/integration/net/burn.ts, TB_DRILL_BURN). */
const factor = 1 + (Number(process.env.TB_DRILL_BURN ?? 0) || 0);

/** Second test phase: the multi-process network drills, one file at a time (see vitest.config.ts). */
export default defineConfig({
  test: {
    include: NET_DRILLS,
    testTimeout: 180_000 * factor,
    hookTimeout: 120_000 * factor,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    setupFiles: ['test/setup.ts'],
  },
});
