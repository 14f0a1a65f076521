// A store that cannot take a write now (disk full, read-only, I/O error,
// locked by another process; Redis unreachable, loading, out of memory or a
// read-only replica) is a dependency that is not available, not a bug:
// PLEXUS_UNAVAILABLE (503), so a webhook sender or an admin client retries
// later, instead of PLEXUS_INTERNAL (500), which says the host is broken.
// Recognised by the shape of the backend's own errors: node:sqlite's result
// code, ioredis' connection errors and Redis' error prefixes.
import { PlexusError } from '@plexus/plugin-sdk';

/** SQLite primary result codes of a store that cannot write now: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN. */
const SQLITE_UNAVAILABLE = new Set([5, 6, 8, 10, 13, 14]);
/** Redis replies that mean the server cannot serve writes now. */
const REDIS_UNAVAILABLE = /^(LOADING|READONLY|MISCONF|OOM|MASTERDOWN|CLUSTERDOWN|BUSY|NOREPLICAS) /;

/** PLEXUS_UNAVAILABLE for an error of an unavailable store backend; undefined for any other error. */
export function storeUnavailable(err: unknown): PlexusError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, errcode, errstr } = err as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number' && SQLITE_UNAVAILABLE.has(errcode & 0xff)) {
    return new PlexusError('PLEXUS_UNAVAILABLE', `the store cannot write now: ${typeof errstr === 'string' ? errstr : err.message}`, { cause: err });
  }
  if (err.name === 'MaxRetriesPerRequestError' || err.message === 'Connection is closed.' || (err.name === 'ReplyError' && REDIS_UNAVAILABLE.test(err.message))) {
    return new PlexusError('PLEXUS_UNAVAILABLE', `the Redis store is not available: ${err.message}`, { cause: err });
  }
  return undefined;
}
