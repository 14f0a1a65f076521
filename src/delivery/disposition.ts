// The fate of one (event, plugin) attempt (CONTRACT §3, §6): acknowledge,
// retry later, or dead-letter with a reason. Pure: the caller makes it durable.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { isPermanentFailure } from '@plexus/plugin-sdk/runtime';
import { expiresAtMs } from '../envelope/expiry.ts';
import { nextRetry, type Random } from './backoff.ts';
import type { RetryPolicy } from './retry-policy.ts';

export interface AttemptError {
  readonly code?: string | undefined;
  /** Set for PermanentError (and by the sandbox for other never-retry failures). */
  readonly permanent?: boolean | undefined;
}

export type AttemptOutcome = { readonly status: 'ok' } | { readonly status: 'error'; readonly error: AttemptError };

export type DeadLetterReason = 'permanent' | 'exhausted' | 'expired' | 'invalid';

export type Disposition = 'ack' | { readonly retryAt: number } | { readonly deadLetter: DeadLetterReason };

export interface DispositionInput {
  readonly outcome: AttemptOutcome;
  /** 1-based number of the attempt whose outcome this is. */
  readonly attempt: number;
  readonly policy: RetryPolicy;
  readonly event: Pick<PlexusEvent, 'expiresat'>;
  readonly now: number;
  readonly random: Random;
}

// Which failures no retry can fix is the SDK's rule (the test harness uses
// it too); everything else (PLEXUS_TIMEOUT, PLEXUS_OUT_OF_MEMORY,
// PLEXUS_SANDBOX_CRASHED, plain throws) is retried. An invalid event is
// reported as such rather than as a plugin's permanent failure.
/** Why an error skips retries, or undefined when it is retryable. */
export function nonRetryableReason(error: AttemptError): DeadLetterReason | undefined {
  if (error.code === 'PLEXUS_INVALID_EVENT') return 'invalid';
  return isPermanentFailure(error) ? 'permanent' : undefined;
}

export function decideDisposition({ outcome, attempt, policy, event, now, random }: DispositionInput): Disposition {
  if (outcome.status === 'ok') return 'ack';
  const reason = nonRetryableReason(outcome.error);
  if (reason) return { deadLetter: reason };
  // Expiry is a fact about the event whatever the policy says, so it is
  // reported before exhaustion (CONTRACT §5: dead-lettered "as expired").
  const deadline = expiresAtMs(event);
  if (deadline !== undefined && now > deadline) return { deadLetter: 'expired' };
  const next = nextRetry(attempt, policy, random);
  if (next === 'exhausted') return { deadLetter: 'exhausted' };
  const retryAt = now + next.delayMs;
  // A retry that would start after the deadline cannot deliver "by then".
  if (deadline !== undefined && retryAt > deadline) return { deadLetter: 'expired' };
  return { retryAt };
}
