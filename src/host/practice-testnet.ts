/**
 * The practice testnet owned by the console ("Start a practice testnet", no terminal): the
 * `contract-cli testnet up` machinery (src/node-core/net/localnet.ts) run from the host — N
 * validator processes on 127.0.0.1 with their own data dirs under `<dir>/v1…vN`, a genesis and
 * `<dir>/network.json` — then the console's node joins it as a full node (network-switch.ts).
 * The validators are stopped when the console quits unless the operator keeps them; a kept
 * testnet is found running again at the next start (its pids are in `<dir>/testnet.json`).
 * Progress is pushed to listeners (`app.practice`): creating → starting (ready i/N) → joining →
 * running, or failed with the reason and the validator's output file.
 */
import { EventEmitter } from 'node:events';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { PracticeState } from '../shared/api/app.js';
import { createClient, httpTransport } from '../shared/api/client.js';
import { RpcError } from '../shared/api/errors.js';
import { createLocalnet, isOurNode, readPlan, savePlan, spawnDetached, type LocalnetNode, type LocalnetPlan, type NodeCommand } from '../node-core/net/localnet.js';

export const PRACTICE_NAME = 'practice';
export const PRACTICE_CHAIN_ID = 31_339;

export interface PracticeOptions {
  /** Directory of the practice testnet (e.g. `<data parent>/practice-testnet`), resolved when started. */
  dir: () => string | undefined;
  /** Joins the network file once the validators are ready (the console's network switch). */
  join: (networkFile: string) => Promise<void>;
  /**
   * Where the joining node's wallet keys live for a network name (`<its data root>/keys/wallets`):
   * the practice faucet key is installed there, so the operator can fund keys without a terminal.
   */
  walletsDir?: (network: string) => string;
  /** How long one validator may take to become ready (ms). */
  readyTimeoutMs?: number;
  /** How a validator process starts (the console's own node's way: launcher.ts detachedNodeCommand); default from source. */
  node?: () => NodeCommand;
}

async function answersReady(n: LocalnetNode): Promise<boolean> {
  try {
    const c = createClient(httpTransport(`http://127.0.0.1:${n.rpc_port}`, { timeoutMs: 1500 }));
    return (await c.call('node.status')).phase === 'ready';
  } catch {
    return false;
  }
}

export class PracticeTestnet {
  private s: PracticeState = { state: 'none', validators: 0, ready: 0, keep: false };
  private readonly ee = new EventEmitter();
  private running?: Promise<void>;
  private plan?: LocalnetPlan;

  constructor(private readonly o: PracticeOptions) {
    // A testnet kept from an earlier session: report it as it is.
    const dir = o.dir();
    if (dir && existsSync(path.join(dir, 'testnet.json'))) {
      try {
        const plan = readPlan(dir);
        const alive = plan.nodes.filter((n) => n.pid !== null && isOurNode(n.pid, n.data_dir)).length;
        this.plan = plan;
        this.s = { state: alive ? 'running' : 'stopped', validators: plan.nodes.length, ready: alive, dir, network: plan.name, network_file: plan.network_file, keep: alive > 0 };
      } catch {
        /* a broken plan: offered as none; start() reports the problem */
      }
    }
  }

  status(): PracticeState {
    return { ...this.s };
  }

  onChange(cb: (s: PracticeState) => void): () => void {
    this.ee.on('change', cb);
    return () => this.ee.off('change', cb);
  }

  private set(p: Partial<PracticeState>): void {
    this.s = { ...this.s, ...p };
    this.ee.emit('change', this.status());
  }

  /**
   * Starts (creating on first use) the practice testnet and joins it. Resolves when the start
   * has begun; progress and the outcome go to listeners.
   * @throws RpcError `busy` while a start runs; `not_ready` when no directory is known yet.
   */
  start(o: { validators?: number; keep?: boolean } = {}): { done: Promise<void> } {
    if (this.running) throw RpcError.app('busy', 'the practice testnet is already starting');
    const dir = this.o.dir();
    if (!dir) throw RpcError.app('not_ready', 'the data directory is not known until the node has started once');
    const validators = o.validators ?? 3;
    this.set({ state: 'creating', validators, ready: 0, dir, keep: o.keep ?? false, error: undefined, started_at_ms: Date.now(), step: 'creating keys, genesis and network file' });
    const done = this.run(dir, validators).catch((e: unknown) => {
      this.set({ state: 'failed', error: (e as Error).message, step: undefined });
    });
    this.running = done.finally(() => (this.running = undefined));
    return { done: this.running };
  }

  private async run(dir: string, validators: number): Promise<void> {
    let plan: LocalnetPlan;
    try {
      plan = readPlan(dir);
    } catch {
      plan = await createLocalnet({ dir, validators, name: PRACTICE_NAME, chainId: PRACTICE_CHAIN_ID, blockTimeMs: 1000 });
    }
    this.plan = plan;
    this.set({ state: 'starting', validators: plan.nodes.length, network: plan.name, network_file: plan.network_file, step: `starting ${plan.nodes.length} validators` });
    for (const n of plan.nodes) if (n.pid === null || !isOurNode(n.pid, n.data_dir)) n.pid = spawnDetached(n, plan.network_file, {}, this.o.node?.());
    await savePlan(dir, plan);
    const until = Date.now() + (this.o.readyTimeoutMs ?? 120_000);
    const ready = new Set<string>();
    while (ready.size < plan.nodes.length) {
      for (const n of plan.nodes) {
        if (ready.has(n.name)) continue;
        if (await answersReady(n)) ready.add(n.name);
        else if (n.pid === null || !isOurNode(n.pid, n.data_dir)) throw new Error(`validator ${n.name} exited during start; see ${path.join(n.data_dir, 'node.out')}`);
      }
      this.set({ ready: ready.size, step: `validators ready: ${ready.size} of ${plan.nodes.length}` });
      if (ready.size === plan.nodes.length) break;
      if (Date.now() > until) throw new Error(`the validators did not become ready within ${Math.round((this.o.readyTimeoutMs ?? 120_000) / 1000)} s; see ${path.join(dir, 'v1', 'node.out')}`);
      await new Promise((r) => setTimeout(r, 400));
    }
    const wallets = this.o.walletsDir?.(plan.name);
    if (wallets && !existsSync(path.join(wallets, 'faucet.json'))) {
      await fs.mkdir(wallets, { recursive: true, mode: 0o700 });
      await fs.copyFile(plan.faucet.key_file, path.join(wallets, 'faucet.json'));
      await fs.chmod(path.join(wallets, 'faucet.json'), 0o600);
    }
    this.set({ state: 'joining', step: 'restarting this node on the practice testnet' });
    await this.o.join(plan.network_file);
    this.set({ state: 'running', step: undefined });
  }

  /** Keep (or not) the validators running when the console quits. */
  setKeep(keep: boolean): void {
    this.set({ keep });
  }

  /**
   * Stops the validators (SIGTERM, SIGKILL after `graceMs`); their data stays.
   * @returns the names of the validators stopped.
   */
  async stop(graceMs = 20_000): Promise<string[]> {
    const plan = this.plan;
    if (!plan || !this.s.dir) return [];
    this.set({ state: 'stopping', step: 'stopping the validators' });
    const stopped: string[] = [];
    await Promise.all(
      plan.nodes.map(async (n) => {
        if (n.pid === null || !isOurNode(n.pid, n.data_dir)) return;
        const pid = n.pid;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          return;
        }
        const until = Date.now() + graceMs;
        while (isOurNode(pid, n.data_dir) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        if (isOurNode(pid, n.data_dir)) process.kill(pid, 'SIGKILL');
        stopped.push(n.name);
      }),
    );
    for (const n of plan.nodes) n.pid = null;
    await savePlan(this.s.dir, plan).catch(() => {});
    this.set({ state: 'stopped', ready: 0, step: undefined });
    return stopped;
  }

  /** On quit: stops the validators unless kept. */
  async dispose(): Promise<void> {
    await this.running?.catch(() => {});
    if (!this.s.keep && (this.s.state === 'running' || this.s.state === 'failed' || this.s.state === 'joining' || this.s.state === 'starting')) await this.stop();
  }
}
