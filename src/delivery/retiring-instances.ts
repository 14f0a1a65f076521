// When an upgraded or removed plugin version's sandbox instances may go. The
// swap (setPlugins) stops new batches reaching the old version at once, but
// batches already running on it must finish there: its instances run
// `cleanup` and are dropped only after the last of them.

export class RetiringInstances {
  /** Batches running per version key. */
  readonly #running = new Map<string, number>();
  /** Versions swapped out whose instances still have batches running. */
  readonly #retired = new Set<string>();
  /** The folder each version with batches running was loaded from. */
  readonly #roots = new Map<string, string>();
  readonly #evict: (key: string) => void;

  /** `evict`: drop the version's instances (their cleanup runs). */
  constructor(evict: (key: string) => void) {
    this.#evict = evict;
  }

  /** A batch starts on version `key`, loaded from `root` (a crashed batch's events are re-run on instances loaded from there). */
  started(key: string, root?: string): void {
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    if (root) this.#roots.set(key, root);
  }

  /** The folders of the versions that have batches running now. */
  runningRoots(): string[] {
    return [...this.#roots.values()];
  }

  /** A batch on version `key` is over (whatever its outcome). */
  finished(key: string): void {
    const left = (this.#running.get(key) ?? 1) - 1;
    if (left > 0) {
      this.#running.set(key, left);
      return;
    }
    this.#running.delete(key);
    this.#roots.delete(key);
    if (this.#retired.delete(key)) this.#evict(key);
  }

  /**
   * Version `key` gets batches (again): a version retired while a batch ran
   * and made active before that batch ended (disabled, then enabled during
   * the batch) must keep its instances when the batch ends.
   */
  activate(key: string): void {
    this.#retired.delete(key);
  }

  /** Version `key` no longer gets batches: evicted now if idle, else after its last batch. */
  retire(key: string): void {
    if (this.#running.has(key)) this.#retired.add(key);
    else this.#evict(key);
  }
}
