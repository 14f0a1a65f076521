// A FIFO as a ring buffer: push and shift are O(1) and, once the ring has
// grown to the queue's working size, allocate nothing. (A plain array with a
// head index had to be re-sliced and then regrown by copying as it refilled:
// on a queue of 100k deliveries that was a steady stream of large copies
// and of garbage for the collector.) Capacity is a power of two, doubled
// when full and halved when a quarter full, never below MIN_CAPACITY.

const MIN_CAPACITY = 16;

export class FifoQueue<T> {
  #ring: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#ring.length) this.#resize(this.#ring.length * 2);
    this.#ring[(this.#head + this.#size) & (this.#ring.length - 1)] = item;
    this.#size++;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.#size > 0 ? this.#ring[this.#head] : undefined;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#ring[this.#head];
    // Not kept alive by the ring once it is out.
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#ring.length - 1);
    this.#size--;
    if (this.#ring.length > MIN_CAPACITY && this.#size * 4 <= this.#ring.length) this.#resize(this.#ring.length / 2);
    return item;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const all = this.#ordered(this.#size);
    this.#ring = new Array<T | undefined>(MIN_CAPACITY);
    this.#head = 0;
    this.#size = 0;
    return all as T[];
  }

  #resize(capacity: number): void {
    const items = this.#ordered(capacity);
    this.#ring = items;
    this.#head = 0;
  }

  /** The items oldest first, in a new array of `length` slots. */
  #ordered(length: number): (T | undefined)[] {
    const out = new Array<T | undefined>(length);
    const mask = this.#ring.length - 1;
    for (let i = 0; i < this.#size; i++) out[i] = this.#ring[(this.#head + i) & mask];
    return out;
  }
}
