// A batch run as a sync call into an isolate holds its worker thread, and
// isolated-vm's `timeout` ends the plugin's own loops. But when V8 itself
// loses control of the isolate (a catastrophic OOM such as
// Array(1e9).fill(0)) the call never returns, and isolated-vm's
// onCatastrophicError, which must run on that same thread, never runs: only
// the host's generous per-run deadline would end it, a minute later. So each
// worker writes, in memory shared with the sandbox process's main thread,
// when its current sync call must be over; that thread ends the process once
// a deadline has passed, as the catastrophic-error handler would have (the
// host respawns the sandbox and charges the batch).

/** Slots for worker threads; a respawned worker claims a free one. */
const SLOTS = 256;
/** How far past its own time limit a sync call may run before its worker counts as lost. */
export const LOST_AFTER_MS = 2000;

/** The shared memory: a deadline (ms since epoch, 0 = none) and an owner thread id per slot. */
export function createSyncCallWatch(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT + SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

const deadlinesOf = (shared: SharedArrayBuffer) => new Float64Array(shared, 0, SLOTS);
const ownersOf = (shared: SharedArrayBuffer) => new Int32Array(shared, SLOTS * Float64Array.BYTES_PER_ELEMENT, SLOTS);

/** One worker thread's slot. */
export class SyncCallSlot {
  readonly #deadlines: Float64Array;
  readonly #owners: Int32Array;
  readonly #index: number;

  private constructor(shared: SharedArrayBuffer, index: number) {
    this.#deadlines = deadlinesOf(shared);
    this.#owners = ownersOf(shared);
    this.#index = index;
  }

  /** Undefined when every slot is taken: that worker's sync calls then go unwatched. */
  static claim(shared: SharedArrayBuffer, threadId: number): SyncCallSlot | undefined {
    const owners = ownersOf(shared);
    for (let i = 0; i < SLOTS; i++) if (Atomics.compareExchange(owners, i, 0, threadId) === 0) return new SyncCallSlot(shared, i);
    return undefined;
  }

  /** A sync call that may take up to `limitMs` starts. */
  begin(limitMs: number): void {
    this.#deadlines[this.#index] = Date.now() + limitMs + LOST_AFTER_MS;
  }

  end(): void {
    this.#deadlines[this.#index] = 0;
  }

  release(): void {
    this.end();
    Atomics.store(this.#owners, this.#index, 0);
  }
}

/**
 * The most overdue sync call of a live worker: its thread id and how far
 * past its deadline it is, in ms. A slot whose thread is gone without
 * releasing it (terminated mid-call) is not a stuck worker, so only threads
 * `isLive` accepts count.
 */
export function overdueCall(shared: SharedArrayBuffer, isLive: (threadId: number) => boolean, now = Date.now()): { threadId: number; ms: number } | undefined {
  const deadlines = deadlinesOf(shared);
  const owners = ownersOf(shared);
  let worst: { threadId: number; ms: number } | undefined;
  deadlines.forEach((deadline, i) => {
    const threadId = Atomics.load(owners, i);
    if (deadline > 0 && now > deadline && threadId !== 0 && isLive(threadId) && (worst === undefined || now - deadline > worst.ms)) worst = { threadId, ms: now - deadline };
  });
  return worst;
}
