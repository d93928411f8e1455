/** Small text helpers for child-process output: line splitting and a bounded ring of recent lines. */

/**
 * Splits a byte/text stream into lines; calls `onLine` per complete line (without the newline).
 * A partial line longer than `maxLine` characters is flushed as a line of its own, so one
 * runaway write cannot grow memory without bound.
 */
export function lineSplitter(onLine: (line: string) => void, maxLine = 16 * 1024): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, i).replace(/\r$/, ''));
      rest = rest.slice(i + 1);
    }
    if (rest.length > maxLine) {
      onLine(rest);
      rest = '';
    }
  };
}

/** Fixed-capacity FIFO that keeps the last `capacity` items. */
export class Ring<T> {
  private items: T[] = [];
  constructor(readonly capacity: number) {}
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }
  toArray(): T[] {
    return this.items.slice();
  }
  clear(): void {
    this.items = [];
  }
  get size(): number {
    return this.items.length;
  }
}
