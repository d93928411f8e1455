/**
 * The Electron launcher: the node runs in a `utilityProcess` (a Node.js child managed by
 * Chromium's process model; https://www.electronjs.org/docs/latest/api/utility-process), so a
 * busy or crashed node never freezes or kills the window. The child serves JSON-RPC on
 * `process.parentPort`. `spec.entry` is the BUILT node entry (src/node-core/node-entry.ts, bundled
 * with node-core); the node's flags follow the `--tb-node` marker, `spec.env` carries
 * `TB_RESOURCES_DIR`.
 */
import type { ForkOptions, UtilityProcess } from 'electron';
import { lineSplitter } from '../host/lines.js';
import { NODE_V8_FLAGS, nodeEnv, type Launcher, type NodeChild, type NodeSpec } from '../host/launcher.js';

type Fork = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess;

/** @param fork Electron's `utilityProcess.fork`. */
export function utilityLauncher(fork: Fork): Launcher {
  return {
    kind: 'utility',
    launch(spec: NodeSpec): NodeChild {
      const child = fork(spec.entry, ['--tb-node', ...spec.args], {
        stdio: 'pipe',
        serviceName: 'The Block node',
        execArgv: [...NODE_V8_FLAGS],
        env: nodeEnv(spec.env ?? process.env),
        cwd: spec.cwd,
      });
      let exited = false;
      const lineCbs: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
      const emit = (stream: 'stdout' | 'stderr') => (line: string) => lineCbs.forEach((cb) => cb(line, stream));
      child.stdout?.on('data', lineSplitter(emit('stdout')));
      child.stderr?.on('data', lineSplitter(emit('stderr')));
      return {
        get pid() {
          return child.pid;
        },
        send(msg) {
          if (exited) return false;
          try {
            child.postMessage(msg);
            return true;
          } catch {
            return false;
          }
        },
        onMessage(cb) {
          child.on('message', cb);
        },
        onLine(cb) {
          lineCbs.push(cb);
        },
        onExit(cb) {
          // utilityProcess reports only a code; a signal death shows as a non-zero code.
          child.once('exit', (code: number) => {
            exited = true;
            cb({ code, signal: null });
          });
        },
        kill(signal) {
          if (exited) return;
          if (signal === 'SIGKILL' && child.pid) {
            try {
              process.kill(child.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          } else child.kill();
        },
      };
    },
  };
}
