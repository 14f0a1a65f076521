import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingTable } from '../../src/router/index.ts';

test('a trailing # matches zero, one or many words', () => {
  const table = RoutingTable.build([{ pluginKey: 'payments', patterns: ['payments.#'] }]);
  assert.deepEqual(table.match('payments'), ['payments']);
  assert.deepEqual(table.match('payments.captured'), ['payments']);
  assert.deepEqual(table.match('payments.card.eu.captured'), ['payments']);
  assert.deepEqual(table.match('refunds.payments'), []);
});

test('a lone # matches every type', () => {
  const table = RoutingTable.build([{ pluginKey: 'audit', patterns: ['#'] }]);
  for (const type of ['a', 'a.b', 'a.b.c.d.e']) assert.deepEqual(table.match(type), ['audit']);
});

test('a # in the middle may swallow nothing or a run of words', () => {
  const table = RoutingTable.build([{ pluginKey: 'p', patterns: ['task.#.failed'] }]);
  assert.deepEqual(table.match('task.failed'), ['p']);
  assert.deepEqual(table.match('task.build.failed'), ['p']);
  assert.deepEqual(table.match('task.build.step.3.failed'), ['p']);
  assert.deepEqual(table.match('task.build.failed.again'), []);
});

test('# and * combine as in AMQP (seed 002: task.*.#)', () => {
  const table = RoutingTable.build([{ pluginKey: 'p', patterns: ['task.*.#'] }]);
  assert.deepEqual(table.match('task.started.normal'), ['p']);
  assert.deepEqual(table.match('task.completed'), ['p']);
  assert.deepEqual(table.match('task'), []);
});

test('several # in a row are one #, and backtracking patterns terminate', () => {
  const table = RoutingTable.build([{ pluginKey: 'p', patterns: ['#.#.x.#.#'] }]);
  assert.deepEqual(table.match('x'), ['p']);
  assert.deepEqual(table.match('a.b.x.c'), ['p']);
  assert.deepEqual(table.match(Array(100).fill('a').join('.')), []);
});
