// Whether an instance's next batch runs as a synchronous call into its
// isolate (~8 µs of overhead) or an async one (~60 µs: a hop to isolated-vm's
// thread pool and back). A sync call holds the worker thread, and with it
// every batch of every other plugin sent to that worker: they cannot even be
// read off the link until it returns. So a batch goes sync only when what
// this instance's batches cost per event, as last measured on either path,
// says it ends within SYNC_BUDGET_MS of CPU. Reacting only after a sync batch
// went over, a CPU-hungry plugin (30 ms an event) held a worker for its whole
// first batch and for every probe (a batch of 256: 7.7 s), and a trivial
// plugin's events sent there waited that long. A new instance's cost is not
// known yet: a first batch of one event runs sync (it holds the worker for
// one event at most, once), a bigger one async; either measures it. An
// instance replacing another of the same plugin on this worker (an upgrade,
// a restart) starts from its predecessor's cost instead: a new version's
// first batches ran async and cold, and bench:reload's first event of the
// new version came 30-50 ms later (190-211 vs 160-161 ms). Should the new
// version cost far more, one batch over the budget sends it async as before.
//
// CPU time, not wall time: on a busy machine the sandbox (nice 10) is
// preempted in the middle of batches. Measured by wall time, a trivial plugin
// went async ~27 times a second under bench:reload's load and twice as often
// during an upgrade, which added only the hop's cost; steady throughput rose
// ~9% once the budget counted CPU.

/** A sync batch is one expected to take at most this many ms of CPU. */
export const SYNC_BUDGET_MS = 2;
/**
 * After a sync batch over the budget, or one that had to wait on I/O or
 * timers (its sync call could not settle it), the next FIRST_PROBE batches
 * run async whatever they cost, then twice as many each time it happens
 * again, up to LAST_PROBE.
 */
const FIRST_PROBE = 2;
const LAST_PROBE = 64;

/** Whether a batch of `count` events, at `perEventMs` of CPU each (undefined: not measured yet), fits the sync budget. */
export function fitsSyncBudget(perEventMs: number | undefined, count: number): boolean {
  if (perEventMs === undefined) return count <= 1;
  return perEventMs * Math.max(1, count) <= SYNC_BUDGET_MS;
}

/** One instance's choice of path, from what its batches cost. */
export class SyncPath {
  /** Batches left to run async before the sync path is tried again (0 = sync, if the cost fits). */
  #asyncLeft = 0;
  #probeAfter = FIRST_PROBE;
  /** CPU ms per event of the last batch measured. */
  #perEventMs: number | undefined;

  /** CPU ms per event as last measured (or seeded); undefined until then. */
  get perEventMs(): number | undefined {
    return this.#perEventMs;
  }

  /** Starts from a predecessor's measured cost, if nothing is measured yet. */
  seed(perEventMs: number | undefined): void {
    this.#perEventMs ??= perEventMs;
  }

  /** Whether a batch of `count` events may run as a sync call now: not backed off, and its cost fits. */
  fits(count: number): boolean {
    return this.#asyncLeft === 0 && fitsSyncBudget(this.#perEventMs, count);
  }

  /** An async batch ran; `cpuMs`: what it cost, when measured. */
  ranAsync(count: number, cpuMs: number | undefined): void {
    if (this.#asyncLeft > 0) this.#asyncLeft--;
    if (cpuMs !== undefined) this.#perEventMs = cpuMs / Math.max(1, count);
  }

  /** A sync batch settled within its call, at `cpuMs` of this thread's CPU. */
  ranSync(count: number, cpuMs: number): void {
    this.#perEventMs = cpuMs / Math.max(1, count);
    if (cpuMs > SYNC_BUDGET_MS) this.backOff();
    else this.#probeAfter = FIRST_PROBE;
  }

  /** A sync batch could not settle within its call (it waits on kv, fetch or timers). */
  backOff(): void {
    this.#asyncLeft = this.#probeAfter;
    this.#probeAfter = Math.min(this.#probeAfter * 2, LAST_PROBE);
  }
}
