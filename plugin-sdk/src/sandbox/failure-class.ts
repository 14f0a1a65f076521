// What a failed hook call means for its event: retry later, or dead-letter
// now. The error's class decides (CONTRACT §3): PermanentError, a denied
// capability, an invalid event and an oversized payload are never retried
// (a retry cannot fix them); timeouts, OOM, crashes and ordinary throws are.
// The one rule both the host's disposition and the test harness use.
import type { ErrorData } from '../errors.ts';

const NEVER_RETRIED = new Set(['PLEXUS_CAPABILITY_DENIED', 'PLEXUS_INVALID_EVENT', 'PLEXUS_PAYLOAD_TOO_LARGE']);

export function isPermanentFailure(error: Pick<ErrorData, 'code' | 'permanent'>): boolean {
  return error.permanent === true || (error.code !== undefined && NEVER_RETRIED.has(error.code));
}
