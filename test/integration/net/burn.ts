/**
 * CPU burners for the network drills (issue 10): `TB_DRILL_BURN=3 npx vitest run --config
 * vitest.net.config.ts test/integration/net/cluster-sync.test.ts` starts three `yes > /dev/null`
 * processes beside the cluster, as a loaded machine would. They are always killed: at cluster
 * cleanup and, failing that, when the test process exits. Safety assertions stay strict; only
 * liveness waits grow (`livenessFactor`).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Burners requested by TB_DRILL_BURN (0–8). */
export function burnCount(): number {
  const raw = process.env.TB_DRILL_BURN ?? '0';
  if (!/^\d$/.test(raw) || Number(raw) > 8) throw new Error(`TB_DRILL_BURN must be an integer from 0 to 8, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Liveness waits are multiplied by this under burners (a loaded machine is slower, never less safe). */
export function livenessFactor(): number {
  return 1 + burnCount();
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Kills every burner this process started (an afterAll hook: a cluster that never finished starting has no cleanup). */
export function stopAllBurners(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** Starts `n` CPU-burning children; the returned function kills them (idempotent). */
export function startBurners(n = burnCount()): () => void {
  const mine: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] });
    live.add(p);
    p.on('exit', () => live.delete(p));
    mine.push(p);
  }
  return () => {
    for (const p of mine) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
}
