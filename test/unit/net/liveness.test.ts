// Peer liveness counters (net/liveness.ts): the governor's operational gate signal.
import { describe, expect, it } from 'vitest';
import { PeerLiveness } from '../../../src/node-core/net/liveness.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

describe('peer liveness', () => {
  it('is null (no signal) until a request was made, then the share answered in the window', async () => {
    const m = createMetrics();
    const l = new PeerLiveness(m);
    expect(l.ratio(60_000, 1000)).toBeNull();
    l.record('p1', true, 1000);
    l.record('p1', true, 2000);
    l.record('p2', false, 3000);
    l.record('p2', true, 4000);
    expect(l.ratio(60_000, 5000)).toBe(0.75);
    expect(l.ratio(60_000, 5000, ['p2'])).toBe(0.5);
    expect(l.ratio(60_000, 5000, ['gone'])).toBeNull();
    // outside the window: only the two latest count
    expect(l.ratio(2500, 5000)).toBe(0.5);
    expect(l.stats()).toEqual([
      { peer: 'p1', answered: 2, dropped: 0 },
      { peer: 'p2', answered: 1, dropped: 1 },
    ]);
    const text = await m.registry.metrics();
    expect(text).toMatch(/peer_requests_total\{result="answered"\} 3/);
    expect(text).toMatch(/peer_requests_total\{result="dropped"\} 1/);
  });

  it('keeps a bounded history per peer and a bounded number of peers', () => {
    const l = new PeerLiveness();
    for (let i = 0; i < 200; i++) l.record('p', i >= 100, i);
    expect(l.ratio(1e9, 300)).toBe(1); // the last 64 outcomes are all answered
    for (let i = 0; i < 600; i++) l.record(`peer${i}`, true, 1);
    expect(l.stats().length).toBeLessThanOrEqual(512);
  });
});
