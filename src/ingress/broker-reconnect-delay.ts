// How long a broker connection waits before attempt number `attempt`
// (1-based) after a failure: exponential, capped, with "equal jitter" — half
// the ceiling fixed, half random. Full jitter (as for plugin retries, see
// delivery/backoff.ts) may draw ~0 ms, and against a broker that refuses at
// once that is exactly the tight loop the circuit breaker is there to
// prevent; the random half still keeps hosts that lost the same broker from
// coming back in lockstep.
import { backoffCeiling } from '../delivery/backoff.ts';
import type { ReconnectPolicy } from './broker-config.ts';

export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, { maxRetries: Infinity, ...policy });
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + unit * (ceiling / 2));
}

/** A sleep that `wake()` ends early (a stopping connection must not wait out its backoff). */
export class WakeableSleep {
  #wake: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  wake(): void {
    this.#wake?.();
  }
}

/** `{ value }` if `promise` settles within `ms`, else undefined (the promise is left running). */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), later]);
  } finally {
    clearTimeout(timer);
  }
}
