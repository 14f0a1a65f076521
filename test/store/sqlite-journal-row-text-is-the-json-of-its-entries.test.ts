import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { entriesText, parseEntries } from '../../src/store/sqlite-chunks.ts';
import type { AcceptInput } from '../../src/store/store.ts';

const event = (i: number): PlexusEvent => ({ specversion: '1.0', id: `e-${i}`, source: 'test', type: 'order.paid', data: { i, text: 'a "quoted" ],[ text' }, priority: 4 });
const inputs = (times: number[]): AcceptInput[] => times.map((acceptedAt, i) => ({ event: event(i), acceptedAt, deliveries: [] }));

for (const [label, times] of [
  ['one event', [1700000000000]],
  ['one accept time (the fast path)', [1700000000000, 1700000000000, 1700000000000]],
  ['several accept times (merged writes)', [1700000000000, 1700000000001, 1700000000001, 1700000000005]],
  ['no events', []],
] as const) {
  test(`a journal row's text is JSON.stringify of its [acceptedAt, event] entries: ${label}`, () => {
    const given = inputs([...times]);
    const jsons = given.map((input) => JSON.stringify(input.event));
    const text = entriesText(given, jsons, new Set(times).size === 1);
    assert.equal(text, JSON.stringify(given.map((input) => [input.acceptedAt, input.event])));
    assert.deepEqual(parseEntries(text), given.map((input) => [input.acceptedAt, input.event]));
  });
}
