// A call admitted before a state change reports about the old regime; it must
// neither close a circuit nor re-open one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker, type CircuitPermit } from '../../src/delivery/index.ts';

function admitted(breaker: CircuitBreaker, now: number): CircuitPermit {
  const result = breaker.tryAcquire(now);
  assert.ok(result.ok);
  return result;
}

test('a slow success from before the circuit opened does not close it', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000 });
  const slow = admitted(breaker, 0);
  breaker.onFailure(admitted(breaker, 0), 10);
  breaker.onSuccess(slow, 20);
  assert.equal(breaker.stateAt(20), 'open');
  breaker.onSuccess(slow, 1100); // even once half-open
  assert.equal(breaker.stateAt(1100), 'half-open');
});

test('a late failure from before half-open does not re-open it during the trial', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1000 });
  const lateA = admitted(breaker, 0);
  const lateB = admitted(breaker, 0);
  const lateC = admitted(breaker, 0);
  breaker.onFailure(lateA, 1);
  breaker.onFailure(lateB, 2);
  assert.equal(breaker.stateAt(2), 'open');
  const trial = admitted(breaker, 1002);
  breaker.onFailure(lateC, 1003);
  assert.equal(breaker.stateAt(1003), 'half-open');
  breaker.onSuccess(trial, 1004);
  assert.equal(breaker.stateAt(1004), 'closed');
});

test('once one trial has closed the circuit, other trials in flight do not count', () => {
  const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100, halfOpenMaxCalls: 2 });
  breaker.onFailure(admitted(breaker, 0), 0);
  const first = admitted(breaker, 100);
  const second = admitted(breaker, 100);
  breaker.onSuccess(first, 110);
  breaker.onFailure(second, 120);
  assert.equal(breaker.stateAt(120), 'closed');
});
