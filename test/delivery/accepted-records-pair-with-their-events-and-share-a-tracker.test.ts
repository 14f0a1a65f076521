import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { acceptedDeliveries } from '../../src/delivery/accepted-deliveries.ts';
import type { AcceptInput, DeliveryRecord } from '../../src/store/store.ts';

const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 'order.paid' });
const input = (id: string, plugins: string[]): AcceptInput => ({ event: event(id), acceptedAt: 1, deliveries: plugins.map((plugin) => ({ id: `${id}/${plugin}`, plugin })) });
const record = (input: AcceptInput, plugin: string, seq: number): DeliveryRecord => ({ id: `${input.event.id}/${plugin}`, seq, plugin, event: input.event, attempt: 0, availableAt: 1, acceptedAt: 1 });

test('created records are paired with their events in order, skipping duplicates, replays and events nobody subscribes to', () => {
  const inputs = [input('a', ['p', 'q']), input('b', ['p']), input('c', []), input('d', ['p', 'q']), input('e', ['q'])];
  // b's delivery was a duplicate, d was a replay, e's went through.
  const [a, , , , e] = inputs as [AcceptInput, AcceptInput, AcceptInput, AcceptInput, AcceptInput];
  const created = [record(a, 'p', 1), record(a, 'q', 1), record(e, 'q', 5)];
  const settled: number[] = [];
  const { queued, settledNow } = acceptedDeliveries(inputs, { created, duplicates: 1, replayed: [3] }, (i) => settled.push(i));
  assert.deepEqual(queued.map((d) => d.record.id), ['a/p', 'a/q', 'e/q']);
  assert.deepEqual(settledNow, [1, 2], 'b (all duplicates) and c (no subscriber) are settled at once; replayed d is not');
  assert.deepEqual(settled, [], 'the caller fires onSettled for settledNow');
  // a's two deliveries share one tracker: onSettled fires when the second settles.
  const [ap, aq, eq] = queued as [typeof queued[0], typeof queued[0], typeof queued[0]];
  assert.equal(ap.tracker, aq.tracker);
  assert.equal(ap.tracker?.remaining, 2);
  assert.equal(ap.tracker?.index, 0);
  assert.notEqual(eq.tracker, ap.tracker);
  assert.equal(eq.tracker?.index, 4);
});

test('without onSettled nothing is tracked and nothing is due', () => {
  const inputs = [input('a', ['p']), input('b', [])];
  const { queued, settledNow } = acceptedDeliveries(inputs, { created: [record(inputs[0] as AcceptInput, 'p', 1)], duplicates: 0 });
  assert.equal(queued.length, 1);
  assert.equal(queued[0]?.tracker, undefined);
  assert.deepEqual(settledNow, []);
});
