import { defineConfig } from 'vitest/config';
import { NET_DRILLS } from './vitest.config.js';

/** Second test phase: the multi-process network drills, one file at a time (see vitest.config.ts). */
export default defineConfig({
  test: {
    include: NET_DRILLS,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    setupFiles: ['test/setup.ts'],
  },
});
