import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingTable } from '../../src/router/index.ts';

const table = RoutingTable.build([{ pluginKey: 'enricher', patterns: ['orders.*.created'] }]);

test('* matches exactly one word', () => {
  assert.deepEqual(table.match('orders.eu.created'), ['enricher']);
  assert.deepEqual(table.match('orders.us.created'), ['enricher']);
});

test('* does not match zero words or two words', () => {
  assert.deepEqual(table.match('orders.created'), []);
  assert.deepEqual(table.match('orders.eu.west.created'), []);
});

test('literal words must match exactly, case included', () => {
  assert.deepEqual(table.match('Orders.eu.created'), []);
  assert.deepEqual(table.match('orders.eu.created.v2'), []);
});

test('a lone * matches every one-word type and nothing longer', () => {
  const any = RoutingTable.build([{ pluginKey: 'p', patterns: ['*'] }]);
  assert.deepEqual(any.match('ping'), ['p']);
  assert.deepEqual(any.match('ping.pong'), []);
});
