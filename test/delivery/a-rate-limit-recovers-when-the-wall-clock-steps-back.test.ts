// Token buckets fed the wall clock (a webhook source's rateLimit, the
// per-plugin log limit) must not refuse for as long as the clock stepped
// back (an NTP step, a VM resumed from a snapshot). A bucket that kept its
// mark at the old time refilled nothing until the clock caught up: a source
// over its burst got 429 for an hour after a one-hour step. Now the mark
// moves back with the clock (nothing refills at the step itself), so refill
// resumes at once. A clock that jumps back and forth can so mint at most one
// burst per jump, which the cap bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { TokenBucket } from '../../src/delivery/rate-limiter.ts';
import { SourceRateLimits } from '../../src/ingress/webhook/http/source-rate-limits.ts';
import type { WebhookSource } from '../../src/ingress/webhook/source-config.ts';

const HOUR = 3_600_000;

test('a bucket refills at its rate from a wall clock stepped back an hour, not from an hour later', () => {
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2 }, 10 * HOUR);
  assert.equal(bucket.tryTake(2, 10 * HOUR).ok, true);
  const after = 9 * HOUR;
  assert.equal(bucket.tryTake(1, after).ok, false, 'the step itself refills nothing');
  assert.equal(bucket.tryTake(1, after + 999).ok, false);
  assert.equal(bucket.tryTake(1, after + 1000).ok, true, 'one second later, one token, as before the step');
});

test("a webhook source over its burst is answered again within its refill time after the clock steps back", () => {
  const source = { name: 'github', rateLimit: { perSecond: 10, burst: 1 } } as unknown as WebhookSource;
  const limits = new SourceRateLimits([source], 10 * HOUR);
  limits.take('github', 0, 10 * HOUR);
  const after = 9 * HOUR;
  assert.throws(() => limits.precheck('github', after), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_RATE_LIMITED');
  assert.doesNotThrow(() => limits.precheck('github', after + 100), 'within a tenth of a second at 10/s');
  assert.doesNotThrow(() => limits.take('github', 0, after + 100));
});
