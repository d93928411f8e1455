import { defineConfig } from 'vitest/config';

// Unit + integration tests (real ports, real classic-level, real processes). E2E lives in e2e/ (Playwright).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
  },
});
