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
// sits on the path of every delivery): items and arrival numbers go in two
// FifoQueues per priority rather than as entry objects.
import { MAX_PRIORITY, isPriority } from '../envelope/priority.ts';
import { FifoQueue } from './fifo-queue.ts';

export const DEFAULT_AGING_STEP = 16;

/** One priority's items and their arrival numbers, in two FIFOs kept in step. */
interface Level<T> {
  readonly items: FifoQueue<T>;
  readonly arrivals: FifoQueue<number>;
}

export class PriorityScheduler<T> {
  readonly agingStep: number;
  readonly #levels: Level<T>[] = Array.from({ length: MAX_PRIORITY + 1 }, () => ({ items: new FifoQueue<T>(), arrivals: new FifoQueue<number>() }));
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
    const level = this.#levels[priority] as Level<T>;
    level.items.push(item);
    level.arrivals.push(this.#arrivals++);
    this.#size++;
  }

  pop(): T | undefined {
    const level = this.#next();
    if (level === undefined) return undefined;
    this.#size--;
    level.arrivals.shift();
    return level.items.shift();
  }

  peek(): T | undefined {
    return this.#next()?.items.peek();
  }

  get size(): number {
    return this.#size;
  }

  /** Queue depth per priority, index = priority: for metrics (REQ-T269). */
  depthByPriority(): number[] {
    return this.#levels.map((l) => l.items.size);
  }

  /** The level whose oldest item has the earliest deadline (ties: earlier arrival). */
  #next(): Level<T> | undefined {
    let best: Level<T> | undefined;
    let bestDeadline = Infinity;
    let bestArrival = Infinity;
    for (let p = MAX_PRIORITY; p >= 0; p--) {
      const level = this.#levels[p] as Level<T>;
      const arrival = level.arrivals.peek();
      if (arrival === undefined) continue;
      const deadline = arrival + (MAX_PRIORITY - p) * this.agingStep;
      if (deadline < bestDeadline || (deadline === bestDeadline && arrival < bestArrival)) {
        best = level;
        bestDeadline = deadline;
        bestArrival = arrival;
      }
    }
    return best;
  }
}
