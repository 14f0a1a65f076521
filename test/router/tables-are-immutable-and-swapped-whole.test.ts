import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingTable } from '../../src/router/index.ts';

const v1 = RoutingTable.build([
  { pluginKey: 'a', patterns: ['orders.#'] },
  { pluginKey: 'b', patterns: ['payments.#'] },
]);

test('a table and its lists are frozen', () => {
  assert.ok(Object.isFrozen(v1));
  assert.ok(Object.isFrozen(v1.pluginKeys));
  assert.ok(Object.isFrozen(v1.patternsOf('a')));
  assert.throws(() => (v1.pluginKeys as string[]).push('c'), TypeError);
});

test('with() returns a new table and leaves the one in use untouched', () => {
  const v2 = v1.with({ pluginKey: 'c', patterns: ['orders.eu.#'] });
  assert.notEqual(v2, v1);
  assert.deepEqual(v2.match('orders.eu.created'), ['a', 'c']);
  assert.deepEqual(v1.match('orders.eu.created'), ['a']);
});

test('with() on an existing key replaces its patterns in place', () => {
  const v2 = v1.with({ pluginKey: 'a', patterns: ['payments.refunded'] });
  assert.deepEqual(v2.pluginKeys, ['a', 'b']);
  assert.deepEqual(v2.match('payments.refunded'), ['a', 'b']);
  assert.deepEqual(v2.match('orders.x'), []);
  assert.deepEqual(v1.match('orders.x'), ['a']);
});

test('without() removes a plugin from the new table only', () => {
  const v2 = v1.without('a');
  assert.deepEqual(v2.pluginKeys, ['b']);
  assert.deepEqual(v2.match('orders.x'), []);
  assert.deepEqual(v1.match('orders.x'), ['a']);
});

test('the empty table matches nothing', () => {
  assert.deepEqual(RoutingTable.EMPTY.match('a.b'), []);
  assert.deepEqual(RoutingTable.EMPTY.pluginKeys, []);
});
