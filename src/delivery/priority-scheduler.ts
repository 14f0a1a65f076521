// Chooses the next item among priorities 0-9, 9 first, without starving the
// low ones (REQ-T264). Aging, done with a static key: each item gets a
// virtual deadline = arrival number + (9 − priority) × agingStep, and the
// earliest deadline is served (ties: earlier arrival). Among items that
// arrive within agingStep of each other this is strict priority order; but
// an item can be overtaken by at most (9 − priority) × agingStep later
// arrivals, so a priority-0 item waits for at most the items already queued
// ahead of it plus 9 × agingStep newcomers, however many 9s keep coming.
// Because the key never changes after push, no re-sorting as items age.
import { MAX_PRIORITY, isPriority } from '../envelope/priority.ts';
import { BinaryHeap } from './binary-heap.ts';

export const DEFAULT_AGING_STEP = 16;

interface Entry<T> {
  readonly item: T;
  readonly priority: number;
  readonly arrival: number;
  readonly deadline: number;
}

export class PriorityScheduler<T> {
  readonly agingStep: number;
  readonly #heap = new BinaryHeap<Entry<T>>((a, b) => a.deadline < b.deadline || (a.deadline === b.deadline && a.arrival < b.arrival));
  readonly #depth: number[] = new Array<number>(MAX_PRIORITY + 1).fill(0);
  #arrivals = 0;

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
    const arrival = this.#arrivals++;
    this.#heap.push({ item, priority, arrival, deadline: arrival + this.maxOvertakes(priority) });
    this.#depth[priority]!++;
  }

  pop(): T | undefined {
    const entry = this.#heap.pop();
    if (!entry) return undefined;
    this.#depth[entry.priority]!--;
    return entry.item;
  }

  peek(): T | undefined {
    return this.#heap.peek()?.item;
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Queue depth per priority, index = priority: for metrics (REQ-T269). */
  depthByPriority(): number[] {
    return [...this.#depth];
  }
}
