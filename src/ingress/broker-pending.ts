// The number of messages an intake holds (taken, not yet acknowledged,
// refused or released), with the two waits built on it: backpressure for
// consumers that pull ("fewer than N, please") and draining at shutdown.

export class PendingCount {
  #count = 0;
  #waiters: { below: number; resolve: () => void }[] = [];

  get count(): number {
    return this.#count;
  }

  add(n = 1): void {
    this.#count += n;
  }

  done(): void {
    this.#count--;
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => this.#count < w.below);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => this.#count >= w.below);
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves when fewer than `count` are pending. */
  below(count: number): Promise<void> {
    if (this.#count < count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ below: count, resolve }));
  }

  /** Resolves true once nothing is pending, false if `timeoutMs` passes first. */
  async drained(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.below(1).then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
