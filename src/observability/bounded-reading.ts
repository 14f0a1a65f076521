// A value a scrape reads from something that may not answer: the DLQ count
// asks the store (over the network for Redis), the sandbox answers its
// stats. prom-client awaits every gauge's collect before it renders
// anything, so one reading that never settles would hold the whole of GET
// /metrics: each reading is bounded in time, and a failed or late one yields
// nothing (the gauge keeps its last value) while the other metrics are
// scraped as usual.

export interface BoundedReadingOptions<T> {
  read(): Promise<T>;
  timeoutMs: number;
  /** Called once when readings start failing, not again until one has succeeded. */
  onFailure(err: unknown): void;
}

export class BoundedReading<T> {
  readonly #options: BoundedReadingOptions<T>;
  #failing = false;
  /** The read under way: gauges collected together in one scrape share it (one request, not one each). */
  #current: Promise<T | undefined> | undefined;

  constructor(options: BoundedReadingOptions<T>) {
    this.#options = options;
  }

  /** The value, or undefined when it could not be read within the time limit. */
  value(): Promise<T | undefined> {
    this.#current ??= this.#read().finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  async #read(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#options.timeoutMs} ms`)), this.#options.timeoutMs);
    });
    try {
      // Each scrape asks afresh: a read that never settles must not keep every later one from succeeding.
      const value = await Promise.race([Promise.resolve().then(() => this.#options.read()), timeout]);
      this.#failing = false;
      return value;
    } catch (err) {
      if (!this.#failing) {
        this.#failing = true;
        this.#options.onFailure(err);
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
