import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidTraceparent, parseTraceparent } from '../../src/envelope/index.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

test('parses the four fields of a version 00 traceparent', () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE}-${PARENT}-01`), { version: '00', traceId: TRACE, parentId: PARENT, flags: '01' });
});

test('a future version may carry more fields after the flags', () => {
  assert.equal(parseTraceparent(`01-${TRACE}-${PARENT}-01-extra`)?.traceId, TRACE);
  assert.equal(isValidTraceparent(`01-${TRACE}-${PARENT}-01`), true);
});

test('refuses every malformed traceparent the spec names', () => {
  for (const value of [
    `00-${TRACE}-${PARENT}-01-extra`, // version 00 has exactly four fields
    `ff-${TRACE}-${PARENT}-01`, // version ff is forbidden
    `00-${'0'.repeat(32)}-${PARENT}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${PARENT}-01`,
    `00-${TRACE}-${PARENT}-1`,
    `00-${TRACE.slice(1)}-${PARENT}-01`,
    `01-${TRACE}-${PARENT}-01x`,
    '',
    42,
    undefined,
  ]) {
    assert.equal(isValidTraceparent(value), false, String(value));
  }
});
