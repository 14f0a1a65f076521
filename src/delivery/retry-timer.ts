// Deliveries waiting for their retry time, in one heap with one timer: the
// timer always points at the earliest, so thousands of scheduled retries cost
// one setTimeout.
//
// A retry time is a wall-clock time (stored with the delivery, read by other
// hosts and after a restart), but the wait for it here is measured on a clock
// that never steps back: at schedule time it becomes "that long from now".
// Measured on the wall clock, a retry due in 100 ms waited an hour more after
// the clock stepped back an hour (an NTP step, a VM resumed).
import { MAX_TIMER_MS } from '../config/schema-parts.ts';
import { BinaryHeap } from './binary-heap.ts';

export class RetryTimer<T> {
  /** `at`: when the item is due, on the monotonic clock. */
  private readonly heap = new BinaryHeap<{ at: number; item: T }>((a, b) => a.at < b.at);
  private readonly onDue: (items: T[]) => void;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  /** `now`: the wall clock retry times are given in; `monotonic`: the clock the waits run on (never steps back). */
  constructor(onDue: (items: T[]) => void, now: () => number, monotonic: () => number = now) {
    this.onDue = onDue;
    this.now = now;
    this.monotonic = monotonic;
  }

  get size(): number {
    return this.heap.size;
  }

  /** Hands `item` to onDue once the wall-clock time `at` is reached, as it stands now. */
  schedule(item: T, at: number): void {
    const due = this.monotonic() + (at - this.now());
    this.heap.push({ at: due, item });
    if (due < this.timerAt) this.arm(due);
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
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.monotonic())));
    this.timer.unref();
  }

  private fire(): void {
    this.timerAt = Infinity;
    const now = this.monotonic();
    const due: T[] = [];
    while (this.heap.size > 0 && (this.heap.peek() as { at: number }).at <= now) due.push((this.heap.pop() as { item: T }).item);
    if (this.heap.size > 0) this.arm((this.heap.peek() as { at: number }).at);
    if (due.length > 0) this.onDue(due);
  }
}
