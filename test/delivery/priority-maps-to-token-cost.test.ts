import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PRIORITY_COST, priorityClass, priorityCost } from '../../src/delivery/index.ts';

test('priorities 0-9 map to the seed classes: 8-9 critical, 6-7 high, 3-5 normal, 0-2 low', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => priorityClass(p)),
    ['low', 'low', 'low', 'normal', 'normal', 'normal', 'high', 'high', 'critical', 'critical'],
  );
});

test('costs are critical 1, high 2, normal 3, low 4 tokens', () => {
  assert.deepEqual([9, 7, 4, 0].map((p) => priorityCost(p)), [1, 2, 3, 4]);
  assert.equal(MAX_PRIORITY_COST, 4);
});

test('an event without priority costs as the default priority 4: normal', () => {
  assert.equal(priorityCost(), 3);
  assert.equal(priorityCost(undefined), 3);
});

test('a cost never rises with priority', () => {
  for (let p = 1; p <= 9; p++) assert.ok(priorityCost(p) <= priorityCost(p - 1));
});

test('out-of-range priorities are a programming error', () => {
  for (const p of [-1, 10, 4.5, Number.NaN]) assert.throws(() => priorityCost(p), RangeError);
});
