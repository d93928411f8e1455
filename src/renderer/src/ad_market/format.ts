/** Ad market figures as operators read them. */
export const pct = (ppm: number) => `${(ppm / 10_000).toFixed(1)}%`;
export const usd = (micros: string) => `$${(Number(micros) / 1e6).toFixed(2)}`;
export const bps = (b: number) => `${(b / 100).toFixed(1)}%`;

/** Seconds as "3 h 20 min" / "45 s"; null → never. */
export function duration(s: number | null): string {
  if (s === null) return 'never at this rate';
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  return h < 48 ? `${h} h ${Math.round((s % 3600) / 60)} min` : `${Math.round(h / 24)} d`;
}

/** The readiness snapshot file the CLI prints with `--format json` (same bytes). */
export const snapshotText = (snap: unknown) => JSON.stringify(snap, null, 2) + '\n';
