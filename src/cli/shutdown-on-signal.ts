// SIGTERM/SIGINT: stop intake, let the host finish or release in-flight work
// and run cleanup hooks, exit 0. A second signal, or the shutdown taking
// longer than its limit, exits 1 at once: in-flight deliveries stay durable
// in the store and are recovered on the next start, so forcing is safe.
import type { HostLogger } from '../observability/host-logger.ts';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface ShutdownOptions {
  stop(): Promise<void>;
  /** From the first signal to a forced exit. */
  timeoutMs: number;
  logger: HostLogger;
  /** `process` in production. */
  signals: {
    on(signal: (typeof SHUTDOWN_SIGNALS)[number], listener: () => void): unknown;
    off(signal: (typeof SHUTDOWN_SIGNALS)[number], listener: () => void): unknown;
  };
  /** `process.exit` in production. */
  exit(code: number): void;
  /** A line for the operator's terminal. */
  say(text: string): void;
}

/** Registers the handlers; the returned function removes them (a startup that failed has nothing to stop). */
export function shutdownOnSignal(options: ShutdownOptions): () => void {
  const { logger, say, exit } = options;
  let stopping = false;
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: string) => {
    if (stopping) {
      clearTimeout(deadline);
      say(`plexus: ${signal} again; exiting without waiting for the shutdown`);
      logger.warn({ signal }, 'forced exit');
      exit(1);
      return;
    }
    stopping = true;
    say(`plexus: ${signal}; shutting down (send it again to force)`);
    logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    deadline = setTimeout(() => {
      say(`plexus: the shutdown took longer than ${options.timeoutMs} ms; exiting`);
      logger.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out');
      exit(1);
    }, options.timeoutMs);
    options.stop().then(
      () => {
        clearTimeout(deadline);
        logger.info({}, 'stopped');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const listeners = SHUTDOWN_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) options.signals.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) options.signals.off(signal, listener);
  };
}
