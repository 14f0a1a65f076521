// Deliveries waiting for their retry time, in one heap with one timer: the
// timer always points at the earliest, so thousands of scheduled retries cost
// one setTimeout.
import { MAX_TIMER_MS } from '../config/schema-parts.ts';
import { BinaryHeap } from './binary-heap.ts';

export class RetryTimer<T> {
  private readonly heap = new BinaryHeap<{ at: number; item: T }>((a, b) => a.at < b.at);
  private readonly onDue: (items: T[]) => void;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(onDue: (items: T[]) => void, now: () => number) {
    this.onDue = onDue;
    this.now = now;
  }

  get size(): number {
    return this.heap.size;
  }

  schedule(item: T, at: number): void {
    this.heap.push({ at, item });
    if (at < this.timerAt) this.arm(at);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    // Node fires a delay over 2^31 - 1 ms after 1 ms: wait that long at most, then fire() finds nothing due and re-arms.
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timerAt = Infinity;
    const now = this.now();
    const due: T[] = [];
    while (this.heap.size > 0 && (this.heap.peek() as { at: number }).at <= now) due.push((this.heap.pop() as { item: T }).item);
    if (this.heap.size > 0) this.arm((this.heap.peek() as { at: number }).at);
    if (due.length > 0) this.onDue(due);
  }
}
