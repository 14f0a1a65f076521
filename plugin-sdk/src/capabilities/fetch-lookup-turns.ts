// Who may start a DNS lookup now. dns.lookup runs getaddrinfo on libuv's
// thread pool, which the whole sandbox process shares (fs, crypto, zlib and
// the DNS of every worker and plugin), and a lookup cannot be cancelled: a
// fetch whose deadline passes abandons it, but its thread stays held until the
// resolver gives up (seconds per attempt, per name server). A plugin granted
// a host whose DNS it controls (a slow authoritative server) could otherwise
// hold one pool thread per open fetch: 16 per instance, more than the pool
// (4 by default; libuv lets DNS take half of them), so every other plugin's
// lookups queued behind its hung ones until they timed out.
//
// So each caller (a plugin, on this worker thread) has at most
// MAX_LOOKUPS_PER_CALLER lookups running and the thread MAX_LOOKUPS_PER_THREAD;
// the rest wait here, callers served in turn, within their fetch's own
// deadline. A turn is given back when the lookup itself settles, not when its
// fetch gives up on it: that is when the pool thread is free again. Per
// plugin rather than per instance: an instance discarded and started again
// must not get new turns while its abandoned lookups still hold threads.

/** A plugin's lookups running at once on one worker thread; its other fetches wait for one to settle. */
export const MAX_LOOKUPS_PER_CALLER = 2;
/** Lookups running at once on one worker thread, every plugin together: twice a caller's, so one plugin never takes them all. */
export const MAX_LOOKUPS_PER_THREAD = 4;

export interface LookupTurns {
  /**
   * Resolves, once `caller` may start a lookup, with the function that gives
   * the turn back (call it exactly once, when the lookup settles). Rejects,
   * taking no turn, if `signal` aborts first: a fetch whose deadline passed
   * while it waited never starts its lookup.
   */
  take(caller: string, signal: AbortSignal): Promise<() => void>;
  /** Lookups holding a turn now, all callers or one. */
  running(caller?: string): number;
  /** Fetches waiting for a turn now, all callers or one. */
  waiting(caller?: string): number;
}

interface Waiter {
  readonly start: (done: () => void) => void;
  readonly forget: () => void;
}

export function createLookupTurns(perCaller = MAX_LOOKUPS_PER_CALLER, perThread = MAX_LOOKUPS_PER_THREAD): LookupTurns {
  const runningBy = new Map<string, number>();
  // Callers with someone waiting, in the order they are next served: a caller
  // just served goes to the back, so a plugin with a thousand fetches waiting
  // does not go before one with a single fetch.
  const queues = new Map<string, Waiter[]>();
  let running = 0;

  const giveTurn = (caller: string): (() => void) => {
    running++;
    runningBy.set(caller, (runningBy.get(caller) ?? 0) + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      running--;
      const left = (runningBy.get(caller) ?? 1) - 1;
      if (left > 0) runningBy.set(caller, left);
      else runningBy.delete(caller);
      serveNext();
    };
  };

  const serveNext = (): void => {
    while (running < perThread) {
      let served = false;
      for (const [caller, queue] of queues) {
        if ((runningBy.get(caller) ?? 0) >= perCaller) continue;
        const waiter = queue.shift();
        queues.delete(caller);
        if (queue.length > 0) queues.set(caller, queue); // to the back
        if (waiter === undefined) continue;
        waiter.forget();
        waiter.start(giveTurn(caller));
        served = true;
        break;
      }
      if (!served) return;
    }
  };

  return {
    take(caller, signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        if (running < perThread && (runningBy.get(caller) ?? 0) < perCaller && !queues.has(caller)) {
          resolve(giveTurn(caller));
          return;
        }
        const onAbort = (): void => {
          const queue = queues.get(caller);
          const at = queue?.indexOf(waiter) ?? -1;
          if (queue !== undefined && at >= 0) {
            queue.splice(at, 1);
            if (queue.length === 0) queues.delete(caller);
          }
          reject(signal.reason);
        };
        const waiter: Waiter = { start: resolve, forget: () => signal.removeEventListener('abort', onAbort) };
        signal.addEventListener('abort', onAbort, { once: true });
        const queue = queues.get(caller);
        if (queue === undefined) queues.set(caller, [waiter]);
        else queue.push(waiter);
      });
    },
    running: (caller) => (caller === undefined ? running : runningBy.get(caller) ?? 0),
    waiting: (caller) => {
      if (caller !== undefined) return queues.get(caller)?.length ?? 0;
      let n = 0;
      for (const queue of queues.values()) n += queue.length;
      return n;
    },
  };
}
