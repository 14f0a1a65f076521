import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, decideDisposition, type AttemptOutcome, type DispositionInput } from '../../src/delivery/index.ts';

const now = Date.UTC(2024, 0, 1);
const failure = (error: { code?: string; permanent?: boolean } = {}): AttemptOutcome => ({ status: 'error', error });
const input = (overrides: Partial<DispositionInput>): DispositionInput => ({
  outcome: failure(),
  attempt: 1,
  policy: DEFAULT_RETRY_POLICY,
  event: {},
  now,
  random: () => 0.5,
  ...overrides,
});

test('success is acknowledged, whatever the attempt', () => {
  assert.equal(decideDisposition(input({ outcome: { status: 'ok' }, attempt: 9 })), 'ack');
});

test('a plain error is retried after the jittered backoff', () => {
  assert.deepEqual(decideDisposition(input({ attempt: 1 })), { retryAt: now + 500 });
  assert.deepEqual(decideDisposition(input({ attempt: 3 })), { retryAt: now + 2000 });
});

test('timeouts, out-of-memory and sandbox crashes are retried', () => {
  for (const code of ['PLEXUS_TIMEOUT', 'PLEXUS_OUT_OF_MEMORY', 'PLEXUS_SANDBOX_CRASHED', 'PLEXUS_PLUGIN_ERROR', 'ECONNRESET']) {
    assert.deepEqual(decideDisposition(input({ outcome: failure({ code }) })), { retryAt: now + 500 }, code);
  }
});

test('a PermanentError goes straight to the DLQ as permanent, even on the first attempt', () => {
  assert.deepEqual(decideDisposition(input({ outcome: failure({ permanent: true, code: 'ORDER_UNKNOWN' }) })), { deadLetter: 'permanent' });
});

test('a denied capability is permanent; an invalid event is dead-lettered as invalid', () => {
  assert.deepEqual(decideDisposition(input({ outcome: failure({ code: 'PLEXUS_CAPABILITY_DENIED' }) })), { deadLetter: 'permanent' });
  assert.deepEqual(decideDisposition(input({ outcome: failure({ code: 'PLEXUS_INVALID_EVENT' }) })), { deadLetter: 'invalid' });
  assert.deepEqual(decideDisposition(input({ outcome: failure({ code: 'PLEXUS_INVALID_EVENT', permanent: true }) })), { deadLetter: 'invalid' });
});

test('after maxRetries retries the next failure is exhausted', () => {
  assert.deepEqual(decideDisposition(input({ attempt: 4 })), { deadLetter: 'exhausted' });
});

test('an event already past expiresat is dead-lettered as expired, before exhaustion', () => {
  const event = { expiresat: new Date(now - 1).toISOString() };
  assert.deepEqual(decideDisposition(input({ event, attempt: 1 })), { deadLetter: 'expired' });
  assert.deepEqual(decideDisposition(input({ event, attempt: 4 })), { deadLetter: 'expired' });
});

test('a retry that would start after expiresat is dead-lettered as expired now', () => {
  const event = { expiresat: new Date(now + 499).toISOString() };
  assert.deepEqual(decideDisposition(input({ event })), { deadLetter: 'expired' });
  const later = { expiresat: new Date(now + 500).toISOString() };
  assert.deepEqual(decideDisposition(input({ event: later })), { retryAt: now + 500 });
});

test('a successful delivery is acked even if it finished past the deadline', () => {
  const event = { expiresat: new Date(now - 1000).toISOString() };
  assert.equal(decideDisposition(input({ outcome: { status: 'ok' }, event })), 'ack');
});

test('the plugin-specific policy decides the retries', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 0 };
  assert.deepEqual(decideDisposition(input({ policy })), { deadLetter: 'exhausted' });
});

test('error codes are looked up safely: a code named like an Object member is a plain retryable error', () => {
  for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assert.deepEqual(decideDisposition(input({ outcome: failure({ code }) })), { retryAt: now + 500 }, code);
  }
});
