/**
 * Suspend / resume (desktop app): before the machine sleeps the node stops cleanly (ordered
 * stop: no half-written block, no stale peers on wake); on resume it starts again — only if it
 * was running before (a node the operator paused stays paused). Shutdown stops it too.
 */
import type { PowerMonitor } from 'electron';
import type { SupervisorState } from '../shared/api/app.js';

export interface PowerNode {
  state(): SupervisorState;
  stop(): Promise<void>;
  start(): void;
}

/** Installs the handlers; returns a function that removes them. */
export function installPowerHandlers(
  pm: Pick<PowerMonitor, 'on' | 'off'>,
  node: PowerNode,
  log: (msg: string) => void = () => {},
): () => void {
  let resumeAfter = false;
  let stopping: Promise<void> | undefined;
  const onSuspend = () => {
    const s = node.state().state;
    resumeAfter = s === 'running' || s === 'starting' || s === 'backoff';
    if (!resumeAfter) return;
    log('system suspending: stopping the node');
    stopping = node.stop();
  };
  const onResume = () => {
    if (!resumeAfter) return;
    resumeAfter = false;
    log('system resumed: starting the node');
    void (stopping ?? Promise.resolve()).then(() => node.start());
  };
  const onShutdown = () => {
    resumeAfter = false;
    void node.stop();
  };
  pm.on('suspend', onSuspend);
  pm.on('resume', onResume);
  pm.on('shutdown', onShutdown);
  return () => {
    pm.off('suspend', onSuspend);
    pm.off('resume', onResume);
    pm.off('shutdown', onShutdown);
  };
}
