// Backpressure at the door: an accept waits while the host holds
// delivery.maxQueued deliveries, and is woken when room is made. A caller
// that answers someone waiting on the other end (a webhook sender, whose own
// client gives up after some seconds and retries) bounds its wait: past it
// the accept is refused with PLEXUS_UNAVAILABLE and a retry-after, having
// written nothing. Left unbounded, each such request held its connection and
// its body in memory for as long as the backlog lasted.
//
// The engine checks for room and reserves it in one step, in its own
// continuation: a sleeper woken here only looks again. (Checking here and
// reserving after this promise resolved let every woken accept see the same
// room, and all of them went in.)
import { PlexusError } from '@plexus/plugin-sdk';

/** What a refused caller is told to wait before trying again. */
const RETRY_AFTER_MS = 5000;

export class Admission {
  private waiters: (() => void)[] = [];

  /** Resolves at the next wakeAll(), or at `giveUpAt` (performance.now() ms) if that comes first. */
  sleep(giveUpAt: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
      // A timer only for callers that bound their wait, and only while they wait.
      if (giveUpAt !== Infinity) timer = setTimeout(wake, Math.max(0, giveUpAt - performance.now()));
    });
  }

  /** Wakes every waiting accept; each checks for room again. */
  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The refusal of an accept that waited its `maxWaitMs` for room. */
  refusal(capacity: number): PlexusError {
    return new PlexusError('PLEXUS_UNAVAILABLE', `the host holds delivery.maxQueued (${capacity}) deliveries; try again later`, { details: { retryAfterMs: RETRY_AFTER_MS } });
  }
}
