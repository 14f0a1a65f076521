// One deadline for a whole fetch (DNS, connect, every redirect hop, the body).
// Its signal aborts the socket; `race` bounds steps that cannot be aborted,
// such as dns.lookup running on the libuv thread pool.
import { PlexusError } from '../errors.ts';

export interface FetchDeadline {
  readonly signal: AbortSignal;
  /** Settles with `work`, or rejects with `error()` as soon as the deadline passes or the caller cancels. */
  race<T>(work: Promise<T>): Promise<T>;
  /** The error to report once `signal` has aborted. */
  error(): PlexusError;
  dispose(): void;
}

export function startDeadline(timeoutMs: number, cancel?: AbortSignal): FetchDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCancel = (): void => controller.abort();
  if (cancel?.aborted) controller.abort();
  else cancel?.addEventListener('abort', onCancel, { once: true });

  const error = (): PlexusError =>
    timedOut
      ? new PlexusError('PLEXUS_TIMEOUT', `fetch exceeded its ${timeoutMs} ms time limit`)
      : new PlexusError('PLEXUS_UNAVAILABLE', 'fetch was cancelled by the host');

  return {
    signal: controller.signal,
    error,
    race<T>(work: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (controller.signal.aborted) {
          reject(error());
          return;
        }
        const onAbort = (): void => reject(error());
        controller.signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => controller.signal.removeEventListener('abort', onAbort));
      });
    },
    dispose(): void {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}
