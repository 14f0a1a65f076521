// Serializes async work per key (here: per package) inside one registry
// instance, so two publishes of different versions of one package cannot both
// read the old packument and the second write lose the first one's version.
// Different keys run in parallel.
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Only the last waiter removes the entry, so the map does not grow with every package ever touched.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Number of keys with work queued or running (for tests and diagnostics). */
  get activeKeys(): number {
    return this.#tails.size;
  }
}
