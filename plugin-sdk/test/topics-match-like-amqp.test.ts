import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidEventType, topicMatches, topicPatternProblem } from '../src/topics.ts';

test('* matches exactly one word and # zero or more, as in AMQP topic exchanges', () => {
  const table: [string, string, boolean][] = [
    ['orders.*.created', 'orders.eu.created', true],
    ['orders.*.created', 'orders.created', false],
    ['orders.*.created', 'orders.eu.west.created', false],
    ['payments.#', 'payments', true],
    ['payments.#', 'payments.card.settled', true],
    ['#', 'anything.at.all', true],
    ['#.created', 'created', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c', false],
    ['a.b', 'a.b.c', false],
  ];
  for (const [pattern, type, expected] of table) assert.equal(topicMatches(pattern, type), expected, `${pattern} vs ${type}`);
});

test('pattern and type syntax is checked', () => {
  assert.equal(topicPatternProblem('orders.*.created'), undefined);
  assert.match(String(topicPatternProblem('orders.cr*')), /invalid word/);
  assert.match(String(topicPatternProblem('')), /non-empty/);
  assert.ok(isValidEventType('orders.eu.created'));
  assert.ok(!isValidEventType('orders.*'));
  assert.ok(!isValidEventType('orders..x'));
});
