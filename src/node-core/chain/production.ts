/**
 * The production timer of a single-validator chain: one block every `block_time_ms`, aligned to
 * the head's timestamp (the delay comes from the chain); a failed block is retried at the next slot.
 */
import type pino from 'pino';

export class ProductionTimer {
  private timer: NodeJS.Timeout | undefined;
  private on = false;

  /**
   * @param delayMs milliseconds until the next slot (≥ 0), asked before each block.
   * @param produce builds and commits one block.
   */
  constructor(
    private readonly delayMs: () => number,
    private readonly produce: () => Promise<unknown>,
    private readonly logger?: pino.Logger,
  ) {}

  /** Whether the timer runs (between start and stop). */
  get running(): boolean {
    return this.on;
  }

  start(): void {
    this.on = true;
    this.schedule();
  }

  /** Stops the timer; a block being produced is not waited for (the chain's queue is). */
  stop(): void {
    this.on = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.on) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.produce()
        .catch((err) => this.logger?.error({ err }, 'block production failed; retrying at the next slot'))
        .finally(() => this.schedule());
    }, this.delayMs());
  }
}
