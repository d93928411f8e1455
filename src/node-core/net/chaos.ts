/**
 * TEST-ONLY network fault injection (`net.chaos`, enabled by `TB_P2P_TEST_HOOKS=1`), for the
 * operations guide's chaos drills: message loss, jitter, and partitions (messages to and from the
 * listed peers are dropped and their connections refused). Production nodes never enable it.
 */
export interface ChaosSettings {
  /** Percent (0..100) of gossip messages (in and out) and sync requests dropped. */
  loss_percent: number;
  /** Extra random delay (0..jitter_ms) before a gossip message is handled or sent. */
  jitter_ms: number;
  /** Peer ids cut off from this node. */
  partition: string[];
}

export class Chaos {
  private s: ChaosSettings = { loss_percent: 0, jitter_ms: 0, partition: [] };
  private cut = new Set<string>();
  /** Random source (tests of the hook itself may pin it). */
  constructor(private readonly random: () => number = Math.random) {}

  get settings(): ChaosSettings {
    return { ...this.s, partition: [...this.s.partition] };
  }

  get active(): boolean {
    return this.s.loss_percent > 0 || this.s.jitter_ms > 0 || this.cut.size > 0;
  }

  /** Replaces the settings (partial: unspecified fields keep their value). */
  set(p: Partial<ChaosSettings>): ChaosSettings {
    this.s = { ...this.s, ...p };
    this.cut = new Set(this.s.partition);
    return this.settings;
  }

  clear(): void {
    this.set({ loss_percent: 0, jitter_ms: 0, partition: [] });
  }

  isCut(peerId: string): boolean {
    return this.cut.has(peerId);
  }

  /** Whether to drop this message now. */
  drop(): boolean {
    return this.s.loss_percent > 0 && this.random() * 100 < this.s.loss_percent;
  }

  /** Waits the random jitter (resolves at once without jitter). */
  async delay(): Promise<void> {
    if (this.s.jitter_ms <= 0) return;
    const ms = Math.floor(this.random() * this.s.jitter_ms);
    await new Promise((r) => setTimeout(r, ms));
  }
}
