import { defineConfig } from 'vitest/config';

/**
 * Unit + integration tests (real ports, real classic-level, real processes). E2E lives in e2e/ (Playwright).
 * The multi-process network drills (a testnet of validator processes agreeing on finality under
 * faults) run in a second phase on their own (`vitest.net.config.ts`): on 2 cores, sharing the CPU
 * with the other suites starves the validators' 200–300 ms slots and turns a correct protocol into
 * timeouts. They assert protocol outcomes, not timings.
 */
export const NET_DRILLS = ['test/integration/net/cluster-*.test.ts', 'test/integration/net/cli-testnet.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...NET_DRILLS],
    // Liveness bounds, generous: many tests start node and CLI processes (0.3–0.5 s each idle, 5–8 s
    // at load 13 — a fresh-clone run beside other work timed a seven-CLI test out at 60 s). A test
    // only reaches them when it fails; their assertions are on outcomes, never on durations.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
  },
});
