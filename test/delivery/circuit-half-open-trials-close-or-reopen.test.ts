import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker, type CircuitPermit, type CircuitStateChange } from '../../src/delivery/index.ts';

function openBreaker(halfOpenMaxCalls: number, changes: CircuitStateChange[] = []): CircuitBreaker {
  const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000, halfOpenMaxCalls, onStateChange: (c) => changes.push(c) });
  breaker.onFailure(breaker.tryAcquire(0) as CircuitPermit, 0);
  return breaker;
}

test('after the cool-down the circuit is half-open', () => {
  const breaker = openBreaker(1);
  assert.equal(breaker.stateAt(999), 'open');
  assert.equal(breaker.stateAt(1000), 'half-open');
});

test('half-open admits only the configured number of trial calls', () => {
  const breaker = openBreaker(2);
  assert.equal(breaker.tryAcquire(1000).ok, true);
  assert.equal(breaker.tryAcquire(1001).ok, true);
  assert.deepEqual(breaker.tryAcquire(1002), { ok: false, state: 'half-open', retryAfterMs: 1000 });
});

test('a trial success closes the circuit', () => {
  const changes: CircuitStateChange[] = [];
  const breaker = openBreaker(1, changes);
  breaker.onSuccess(breaker.tryAcquire(1000) as CircuitPermit, 1200);
  assert.equal(breaker.stateAt(1200), 'closed');
  assert.equal(breaker.tryAcquire(1200).ok, true);
  assert.deepEqual(changes.map((c) => `${c.from}>${c.to}@${c.at}`), ['closed>open@0', 'open>half-open@1000', 'half-open>closed@1200']);
});

test('a trial failure re-opens the circuit for a full new cool-down', () => {
  const changes: CircuitStateChange[] = [];
  const breaker = openBreaker(1, changes);
  breaker.onFailure(breaker.tryAcquire(1000) as CircuitPermit, 1500);
  assert.equal(breaker.stateAt(2400), 'open');
  assert.equal(breaker.stateAt(2500), 'half-open');
  assert.deepEqual(changes.map((c) => c.to), ['open', 'half-open', 'open', 'half-open']);
});

test('after closing, the failure count starts from zero again', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10 });
  breaker.onFailure(breaker.tryAcquire(0) as CircuitPermit, 0);
  breaker.onFailure(breaker.tryAcquire(0) as CircuitPermit, 0);
  breaker.onSuccess(breaker.tryAcquire(10) as CircuitPermit, 10);
  breaker.onFailure(breaker.tryAcquire(11) as CircuitPermit, 11);
  assert.equal(breaker.stateAt(11), 'closed');
});
