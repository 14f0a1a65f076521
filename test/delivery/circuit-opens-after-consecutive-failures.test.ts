import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { CircuitBreaker, type CircuitPermit, type CircuitStateChange } from '../../src/delivery/index.ts';

function permit(breaker: CircuitBreaker, now: number): CircuitPermit {
  const result = breaker.tryAcquire(now);
  assert.ok(result.ok, `admitted at ${now}`);
  return result;
}

test('N consecutive failures open the circuit', () => {
  const changes: CircuitStateChange[] = [];
  const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, onStateChange: (c) => changes.push(c) });
  for (let t = 0; t < 2; t++) breaker.onFailure(permit(breaker, t), t);
  assert.equal(breaker.stateAt(2), 'closed');
  breaker.onFailure(permit(breaker, 2), 2);
  assert.equal(breaker.stateAt(2), 'open');
  assert.deepEqual(changes, [{ from: 'closed', to: 'open', at: 2 }]);
});

test('a success in between resets the count: failures must be consecutive', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000 });
  for (let round = 0; round < 10; round++) {
    breaker.onFailure(permit(breaker, round), round);
    breaker.onFailure(permit(breaker, round), round);
    breaker.onSuccess(permit(breaker, round), round);
  }
  assert.equal(breaker.stateAt(10), 'closed');
});

test('while open, calls are refused with the time left in the cool-down', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 5000 });
  breaker.onFailure(permit(breaker, 100), 100);
  assert.deepEqual(breaker.tryAcquire(1100), { ok: false, state: 'open', retryAfterMs: 4000 });
  assert.deepEqual(breaker.tryAcquire(5099), { ok: false, state: 'open', retryAfterMs: 1 });
});

test('options are validated as configuration', () => {
  for (const options of [{ failureThreshold: 0, coolDownMs: 1 }, { failureThreshold: 1, coolDownMs: -1 }, { failureThreshold: 1, coolDownMs: 1, halfOpenMaxCalls: 0 }]) {
    assert.throws(() => new CircuitBreaker(options), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INVALID_CONFIG');
  }
});
