// Anti-starvation proof: under a constant flood of priority-9 items, a
// priority-0 item is still served within a bounded number of picks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PriorityScheduler } from '../../src/delivery/index.ts';
import { randomInt, seededRandom } from '../router/seeded-random.ts';

/** Picks until `target` comes out while `arrivalsPerPick` priority-9 items keep arriving; returns the picks it took. */
function picksUntilServed(scheduler: PriorityScheduler<string>, target: string, arrivalsPerPick: number, limit: number): number {
  for (let picks = 1; picks <= limit; picks++) {
    for (let i = 0; i < arrivalsPerPick; i++) scheduler.push('flood', 9);
    if (scheduler.pop() === target) return picks;
  }
  return Number.POSITIVE_INFINITY;
}

test('a lone priority-0 item is served within 9 × agingStep + 1 picks of a 9s flood', () => {
  for (const agingStep of [1, 4, 16, 64]) {
    const scheduler = new PriorityScheduler<string>({ agingStep });
    scheduler.push('low', 0);
    const picks = picksUntilServed(scheduler, 'low', 1, 100_000);
    assert.ok(picks <= 9 * agingStep + 1, `agingStep ${agingStep}: ${picks} picks`);
    assert.ok(picks > 1, 'but the 9s still go first for a while');
  }
});

test('the bound holds with a backlog ahead and a flood faster than the service rate', () => {
  const scheduler = new PriorityScheduler<string>({ agingStep: 16 });
  for (let i = 0; i < 500; i++) scheduler.push('backlog', 9);
  scheduler.push('low', 0);
  // Three arrivals per pick: the queue grows without bound, the 0 must not wait forever.
  const picks = picksUntilServed(scheduler, 'low', 3, 100_000);
  assert.ok(picks <= 500 + scheduler.maxOvertakes(0) + 1, `${picks} picks`);
  assert.ok(scheduler.size > 1000, 'the flood is still queued behind it');
});

test('every priority is served within its bound under random floods of higher ones', () => {
  const random = seededRandom(3);
  for (let round = 0; round < 50; round++) {
    const scheduler = new PriorityScheduler<string>({ agingStep: randomInt(random, 1, 20) });
    const priority = randomInt(random, 0, 8);
    scheduler.push('probe', priority);
    let picks = 0;
    for (;;) {
      scheduler.push('flood', randomInt(random, priority + 1, 9));
      picks++;
      if (scheduler.pop() === 'probe') break;
      assert.ok(picks <= scheduler.maxOvertakes(priority) + 1, `priority ${priority} waited ${picks} picks`);
    }
  }
});
