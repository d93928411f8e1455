// Round timeouts and the start of the next height (issue 10: "blocks every block_time_ms while the
// network is healthy"): timeout_commit counts from the decided block's timestamp — a start every
// validator agrees on — and the driver uses it in place of the core's per-node request.
import { describe, expect, it } from 'vitest';
import type { CoreConfig } from '../../../src/node-core/chain/tendermint/core.js';
import { ConsensusDriver } from '../../../src/node-core/chain/tendermint/driver.js';
import { RoundTimeouts } from '../../../src/node-core/chain/tendermint/timeouts.js';
import type { Decision } from '../../../src/node-core/chain/tendermint/types.js';

describe('round timeouts', () => {
  it('counts timeout_commit from the decided block timestamp, clamped to [0, one block time]', () => {
    const t = new RoundTimeouts(1000, () => 0);
    expect(t.afterBlock(10_000, 10_250)).toBe(750); // decided 250 ms into the height
    expect(t.afterBlock(10_000, 10_000)).toBe(1000);
    expect(t.afterBlock(10_000, 11_600)).toBe(0); // the height took longer than a block time: at once
    expect(t.afterBlock(10_000, 8_000)).toBe(1000); // a clock behind the proposer's waits one block time at most
  });

  it('grows the round timeouts and falls back to the own round-0 start for timeout_commit', () => {
    let now = 5_000;
    const t = new RoundTimeouts(1000, () => now);
    expect(t.timeout('propose', 0)).toBe(3000);
    expect(t.timeout('propose', 2)).toBe(4000);
    expect(t.timeout('prevote', 1)).toBe(1500);
    expect(t.timeout('precommit', 0)).toBe(1000);
    now = 5_300;
    expect(t.timeout('commit', 0)).toBe(700);
    now = 7_000;
    expect(t.timeout('commit', 0)).toBe(0);
  });
});

describe('consensus driver: timeout_commit after a decision', () => {
  it('arms the next height with commitDelay(decision) instead of the core request', async () => {
    // One validator: every height decides on its own. Past the start-up, the core asks for a
    // timeout_commit that never ends; only the driver's commitDelay (0) lets the next heights start.
    let commits = 0;
    const config: CoreConfig<{ id: string }> = {
      validators: new Map([['a', 10n]]),
      self: 'a',
      proposer: () => 'a',
      getValue: (h, r) => ({ id: `${h}.${r}` }),
      valid: () => true,
      idOf: (v) => v.id,
      timeout: (step) => (step === 'commit' ? (commits++ === 0 ? 0 : 2 ** 30) : 60_000),
    };
    const decided: number[] = [];
    const asked: number[] = [];
    const d = await ConsensusDriver.start<{ id: string }>({
      config,
      height: 1,
      send: () => {},
      onDecision: (x: Decision<{ id: string }>) => void decided.push(x.height),
      commitDelay: (x) => {
        asked.push(x.height);
        return 0;
      },
    });
    try {
      const t0 = Date.now();
      while (decided.length < 3) {
        if (Date.now() - t0 > 60_000) throw new Error(`3 heights not decided (decided ${decided.join(', ')})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await d.stop();
    }
    expect(decided.slice(0, 3)).toEqual([1, 2, 3]);
    expect(asked.slice(0, 3)).toEqual([1, 2, 3]);
  }, 90_000);
});
