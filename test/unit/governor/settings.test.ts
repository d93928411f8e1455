// governorSettings: a sampling window too short to hold the operational gate's minimum number of
// blocks is a startup (configuration) error, not a governor that reports a healthy chain as
// "stalled" forever (found by running TB_GOVERNOR_WINDOW_SECS=2 at 1 s blocks).
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/node-core/node-config.js';
import { OPERATIONAL } from '../../../src/node-core/governor/gates.js';
import { governorSettings } from '../../../src/node-core/governor/index.js';

function cfgWithWindow(win?: string) {
  const env: NodeJS.ProcessEnv = { TB_GOVERNOR_ENABLED: '1' };
  if (win !== undefined) env.TB_GOVERNOR_WINDOW_SECS = win;
  // cwd without config/node.toml or .env: only this env counts.
  return loadConfig({ env, cwd: os.tmpdir(), home: os.tmpdir() }).config;
}

describe('governorSettings window vs block time', () => {
  const need = OPERATIONAL.minBlocks + 1; // blocks a window must span

  it.each([
    // [window secs, block_time_ms, ok]
    ['2', 1000, false],
    [String(need - 1), 1000, false],
    [String(need), 1000, true],
    ['2', 100, true], // the e2e setting
    ['1', 50, true], // the integration-test setting
    ['1', 300, false],
  ] as const)('window %s s at %i ms blocks → ok=%s', (win, blockMs, ok) => {
    const run = () => governorSettings(cfgWithWindow(win), '/tmp/dd', blockMs);
    if (ok) expect(run().windowSecs).toBe(Number(win));
    else {
      expect(run).toThrow(ConfigError);
      try {
        run();
      } catch (err) {
        const e = err as ConfigError;
        expect(e.exitCode).toBe(2);
        expect(e.key).toBe('governor_window_secs');
        expect(e.message).toContain('TB_GOVERNOR_WINDOW_SECS');
        expect(e.message).toContain(`use at least ${Math.ceil((need * blockMs) / 1000)}`);
      }
    }
  });

  it('the default window (2 × epoch) is always long enough', () => {
    for (const blockMs of [50, 1000, 600_000]) {
      const s = governorSettings(cfgWithWindow(), '/tmp/dd', blockMs);
      expect(s.windowSecs * 1000).toBeGreaterThanOrEqual(need * blockMs);
    }
  });
});
