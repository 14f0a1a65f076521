// Chooses the next item among priorities 0-9, 9 first, without starving the
// low ones (REQ-T264). Aging, done with a static key: each item gets a
// virtual deadline = arrival number + (9 − priority) × agingStep, and the
// earliest deadline is served (ties: earlier arrival). Among items that
// arrive within agingStep of each other this is strict priority order; but
// an item can be overtaken by at most (9 − priority) × agingStep later
// arrivals, so a priority-0 item waits for at most the items already queued
// ahead of it plus 9 × agingStep newcomers, however many 9s keep coming.
//
// Within one priority, deadlines grow with arrival, so each priority is a
// FIFO and the earliest deadline overall is at the head of one of ten FIFOs:
// push is O(1) and pop compares ten heads, with no per-item allocation (this
// sits on the path of every delivery).
import { MAX_PRIORITY, isPriority } from '../envelope/priority.ts';

export const DEFAULT_AGING_STEP = 16;

/** One priority's items and their arrival numbers: parallel arrays with a head index. */
class Fifo<T> {
  items: T[] = [];
  arrivals: number[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T, arrival: number): void {
    this.items.push(item);
    this.arrivals.push(arrival);
  }

  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as T; // let the item be collected
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class PriorityScheduler<T> {
  readonly agingStep: number;
  readonly #fifos: Fifo<T>[] = Array.from({ length: MAX_PRIORITY + 1 }, () => new Fifo<T>());
  #arrivals = 0;
  #size = 0;

  constructor(options: { readonly agingStep?: number } = {}) {
    const { agingStep = DEFAULT_AGING_STEP } = options;
    if (!(Number.isSafeInteger(agingStep) && agingStep >= 1)) throw new RangeError(`agingStep must be an integer >= 1, got ${agingStep}`);
    this.agingStep = agingStep;
  }

  /** The most later arrivals that can be served before an item of `priority`. */
  maxOvertakes(priority: number): number {
    return (MAX_PRIORITY - priority) * this.agingStep;
  }

  push(item: T, priority: number): void {
    if (!isPriority(priority)) throw new RangeError(`priority must be an integer 0-9, got ${priority}`);
    (this.#fifos[priority] as Fifo<T>).push(item, this.#arrivals++);
    this.#size++;
  }

  pop(): T | undefined {
    const fifo = this.#next();
    if (fifo === undefined) return undefined;
    this.#size--;
    return fifo.shift();
  }

  peek(): T | undefined {
    const fifo = this.#next();
    return fifo === undefined ? undefined : fifo.items[fifo.head];
  }

  get size(): number {
    return this.#size;
  }

  /** Queue depth per priority, index = priority: for metrics (REQ-T269). */
  depthByPriority(): number[] {
    return this.#fifos.map((f) => f.size);
  }

  /** The FIFO whose head has the earliest deadline (ties: earlier arrival). */
  #next(): Fifo<T> | undefined {
    let best: Fifo<T> | undefined;
    let bestDeadline = Infinity;
    let bestArrival = Infinity;
    for (let p = MAX_PRIORITY; p >= 0; p--) {
      const fifo = this.#fifos[p] as Fifo<T>;
      if (fifo.head >= fifo.items.length) continue;
      const arrival = fifo.arrivals[fifo.head] as number;
      const deadline = arrival + (MAX_PRIORITY - p) * this.agingStep;
      if (deadline < bestDeadline || (deadline === bestDeadline && arrival < bestArrival)) {
        best = fifo;
        bestDeadline = deadline;
        bestArrival = arrival;
      }
    }
    return best;
  }
}
