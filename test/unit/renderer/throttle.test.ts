import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttleTrailing } from '../../../src/renderer/src/api/throttle';

describe('throttleTrailing (page refresh on new heads)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once and the last call of a burst when the window is up', () => {
    const fn = vi.fn();
    const t = throttleTrailing(fn, 1000);
    t.call();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(300);
    t.call(); // inside the window: deferred, not dropped
    t.call(); // still one trailing call
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(699);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
    t.call(); // window long over: at once
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('cancel drops a pending trailing call', () => {
    const fn = vi.fn();
    const t = throttleTrailing(fn, 1000);
    t.call();
    t.call();
    t.cancel();
    vi.advanceTimersByTime(2000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
