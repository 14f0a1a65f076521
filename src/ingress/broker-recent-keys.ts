// A bounded set that forgets its oldest keys first. The intake remembers
// events that settled while their acknowledgement could not be sent; a
// broker redelivers those soon after a reconnect, so recent is what matters
// and memory stays bounded however long the host runs.

export class RecentKeys {
  readonly #max: number;
  // A Set iterates in insertion order: the first key is the oldest.
  readonly #keys = new Set<string>();

  constructor(max: number) {
    if (!(Number.isSafeInteger(max) && max >= 1)) throw new RangeError(`max must be an integer >= 1, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#keys.size;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.#max) {
      const oldest = this.#keys.values().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
  }
}
