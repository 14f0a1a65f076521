import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingTable } from '../../src/router/index.ts';

test('a plugin matched by several of its patterns is listed once', () => {
  const table = RoutingTable.build([{ pluginKey: 'p', patterns: ['orders.#', 'orders.*.created', '#', 'orders.eu.created'] }]);
  assert.deepEqual(table.match('orders.eu.created'), ['p']);
});

test('plugins come back in the order the table was built with, not trie order', () => {
  const table = RoutingTable.build([
    { pluginKey: 'zeta', patterns: ['#'] },
    { pluginKey: 'alpha', patterns: ['orders.eu.created'] },
    { pluginKey: 'mid', patterns: ['orders.*.created'] },
  ]);
  assert.deepEqual(table.match('orders.eu.created'), ['zeta', 'alpha', 'mid']);
  assert.deepEqual(table.pluginKeys, ['zeta', 'alpha', 'mid']);
});

test('entries repeating a plugin key are merged at its first position', () => {
  const table = RoutingTable.build([
    { pluginKey: 'a', patterns: ['x'] },
    { pluginKey: 'b', patterns: ['y'] },
    { pluginKey: 'a', patterns: ['y', 'x'] },
  ]);
  assert.deepEqual(table.pluginKeys, ['a', 'b']);
  assert.deepEqual(table.patternsOf('a'), ['x', 'y']);
  assert.deepEqual(table.match('y'), ['a', 'b']);
});

test('the same answer every time, frozen so no caller can change what the next one gets', () => {
  const table = RoutingTable.build([{ pluginKey: 'a', patterns: ['#'] }, { pluginKey: 'b', patterns: ['*'] }]);
  const first = table.match('t');
  assert.throws(() => (first as string[]).push('mutated'), TypeError);
  assert.deepEqual(table.match('t'), ['a', 'b']);
  assert.ok(Object.isFrozen(table.match('nope.none')));
});

test('invalid event types route nowhere, even to #', () => {
  const table = RoutingTable.build([{ pluginKey: 'audit', patterns: ['#'] }]);
  for (const type of ['', 'a..b', 'a.*', 'a b', '.a']) assert.deepEqual(table.match(type), [], JSON.stringify(type));
});

test('a plugin with no patterns is in the table but never matched', () => {
  const table = RoutingTable.build([{ pluginKey: 'idle', patterns: [] }]);
  assert.deepEqual(table.pluginKeys, ['idle']);
  assert.deepEqual(table.match('anything'), []);
});
