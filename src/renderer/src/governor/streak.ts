/**
 * What a gate's streak counter means for the operator. The reference keeps counting a streak after
 * its condition was met (enter_streak = enter_ok ? +1 : 0, spec/governor.md), so the raw figures
 * read "21/12" or "42/12" once a gate had entered; the card shows progress toward the transition,
 * capped at the requirement, and says "met" past it (the raw count stays in the tooltip).
 */
export interface StreakView {
  /** Text shown, e.g. "7/12" or "12/12 ✓". */
  text: string;
  /** Bar fill, 0..100. */
  pct: number;
  /** Tooltip with the raw count. */
  title: string;
}

/** @param n consecutive windows (raw, ≥ 0); @param of windows required (≥ 1 expected). */
export function streakView(n: number, of: number): StreakView {
  const req = Math.max(1, of);
  const shown = Math.min(n, req);
  const met = n >= req;
  return {
    text: met ? `${req}/${req} ✓` : `${shown}/${req}`,
    pct: Math.round((shown / req) * 100),
    title: `${n} consecutive window${n === 1 ? '' : 's'}; ${req} required${met ? ' (met)' : ''}`,
  };
}
