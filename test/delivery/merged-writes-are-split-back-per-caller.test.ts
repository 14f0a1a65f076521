// splitResult: a group-committed write answers for several callers at once;
// each gets exactly its own created records, its own duplicate count, and
// its replayed positions counted from its own first input, and its
// unapplied settlements counted from its own first settlement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { AcceptInput, DeliveryRecord, Settlement, Store } from '../../src/store/store.ts';
import { splitResult, StoreWriter } from '../../src/delivery/store-writer.ts';

const event = (id: string): PlexusEvent => ({ specversion: '1.0', id, source: 'test', type: 't.x' });
const input = (id: string, deliveries: string[]): AcceptInput => ({ event: event(id), acceptedAt: 0, deliveries: deliveries.map((d) => ({ id: d, plugin: 'p' })) });
const record = (id: string): DeliveryRecord => ({ id, seq: 1, plugin: 'p', event: event(id), attempt: 0, availableAt: 0, acceptedAt: 0 });

test('created records, duplicates and replays go back to the caller whose inputs they came from', () => {
  const groups = [
    [input('e1', ['a1', 'a2']), input('e2', ['a3'])],
    [input('e3', ['b1']), input('e4', ['b2', 'b3'])],
    [input('e5', [])],
  ];
  // a2 was a duplicate; e3 (group 2's first input, position 2 overall) was a replay; e5 (position 4) too.
  const shares = splitResult(groups, { created: [record('a1'), record('a3'), record('b2'), record('b3')], duplicates: 1, replayed: [2, 4] });
  assert.deepEqual(shares.map((s) => s.created.map((r) => r.id)), [['a1', 'a3'], ['b2', 'b3'], []]);
  assert.deepEqual(shares.map((s) => s.duplicates), [1, 0, 0], 'a replayed input\'s deliveries are not duplicates');
  assert.deepEqual(shares.map((s) => s.replayed), [undefined, [0], [0]]);
});

test('a single caller gets the whole result back', () => {
  const [only] = splitResult([[input('e1', ['d1', 'd2'])]], { created: [record('d2')], duplicates: 1 });
  assert.deepEqual([only?.created.map((r) => r.id), only?.duplicates, only?.replayed], [['d2'], 1, undefined]);
});

test('settlements the store did not apply go back to the caller that wrote them, as positions in its own settlements', async () => {
  const done = (id: string): Settlement => ({ kind: 'done', deliveryId: id });
  let given: Settlement[] = [];
  const store = {
    settle: async (settlements: Settlement[]) => {
      given = settlements;
      // Overall positions: x2 (1), z2 (4), z3 (5); a store need not answer them in order.
      return { created: [], duplicates: 0, unapplied: [5, 1, 4] };
    },
  } as unknown as Store;
  const writer = new StoreWriter(store, 0);
  const shares = await Promise.all([writer.write([done('x1'), done('x2')], []), writer.write([done('y1')], []), writer.write([done('z1'), done('z2'), done('z3')], [])]);
  assert.equal(given.length, 6, 'one merged write');
  assert.deepEqual(shares.map((s) => s.unapplied), [[1], undefined, [1, 2]]);
});
