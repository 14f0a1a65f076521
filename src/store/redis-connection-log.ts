// An owned Redis client's connection errors, for its whole life (redis-store.ts).
import { connectionSecrets, displayUrl, redactSecrets } from '../config/connection-secrets.ts';
import type { LeaseLog } from './redis-lease.ts';

/** The lease's log, and `info` for a connection that is back (optional: process warnings have no info level). */
export interface RedisStoreLog extends LeaseLog {
  info?(fields: object, message: string): void;
}

/** At most one line per this long about a failing connection (ioredis retries every 2 s at most, for as long as Redis is away). */
export const CONNECTION_ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Reports an owned client's connection errors for its whole life. Without a
 * listener ioredis prints "[ioredis] Unhandled error event" and a stack to
 * stderr for each one, outside the host's JSON log; logged one by one, an
 * outage would be a line per reconnection attempt. So: the first error at
 * once, then at most one line per interval with how many errors it stands
 * for, and a line when the connection is back. Never the URL's userinfo: the
 * URL is shown without it and its password is cut out of error messages.
 */
export class ConnectionErrorLog {
  readonly #log: RedisStoreLog;
  readonly #fields: { store: 'redis'; url: string };
  readonly #secrets: string[];
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastLineAt = -Infinity;
  /** Errors since the last line. */
  #unreported = 0;
  /** An error line went out since the connection was last reported back. */
  #outage = false;

  constructor(log: RedisStoreLog, url: string, intervalMs = CONNECTION_ERROR_LOG_INTERVAL_MS, now: () => number = Date.now) {
    this.#log = log;
    this.#fields = { store: 'redis', url: displayUrl(url) };
    this.#secrets = connectionSecrets({ url });
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  error(err: unknown): void {
    this.#unreported += 1;
    const now = this.#now();
    if (now - this.#lastLineAt < this.#intervalMs) return;
    const message = this.#outage ? 'Redis store connection still failing' : 'Redis store connection error; reconnecting';
    this.#log.error({ ...this.#fields, err: this.redact(err), errors: this.#unreported }, message);
    this.#lastLineAt = now;
    this.#unreported = 0;
    this.#outage = true;
  }

  /** The connection is up again: said once per reported outage (errors of an outage no line reported wait for the next line). */
  ready(): void {
    if (!this.#outage) return;
    (this.#log.info ?? this.#log.warn).call(this.#log, { ...this.#fields, errors: this.#unreported }, 'Redis store connection restored');
    this.#unreported = 0;
    this.#outage = false;
  }

  redact(err: unknown): string {
    return redactSecrets(err instanceof Error ? err.message : String(err), this.#secrets);
  }
}
