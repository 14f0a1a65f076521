// What a failed hook call means for its event: retry later, or dead-letter
// now. The error's class decides (CONTRACT §3): PermanentError, a denied
// capability and an invalid event are never retried; timeouts, OOM, crashes
// and ordinary throws are.
import type { ErrorData } from '../errors.ts';

const NEVER_RETRIED = new Set(['PLEXUS_CAPABILITY_DENIED', 'PLEXUS_INVALID_EVENT', 'PLEXUS_PAYLOAD_TOO_LARGE']);

export function isPermanentFailure(error: ErrorData): boolean {
  return error.permanent === true || (error.code !== undefined && NEVER_RETRIED.has(error.code));
}
