/**
 * At most one call of `fn` per `ms` (ms), with a trailing call: a call inside the window is not
 * dropped but runs once when the window is up (the last of a burst is never lost). `cancel()`
 * drops a pending trailing call (on unmount).
 */
export function throttleTrailing(fn: () => void, ms: number, now: () => number = Date.now): { call: () => void; cancel: () => void } {
  let last = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    last = now();
    trailing = undefined;
    fn();
  };
  return {
    call: () => {
      const wait = last + ms - now();
      if (wait <= 0) run();
      else trailing ??= setTimeout(run, wait);
    },
    cancel: () => {
      if (trailing) clearTimeout(trailing);
      trailing = undefined;
    },
  };
}
