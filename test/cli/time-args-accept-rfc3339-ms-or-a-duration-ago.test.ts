import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimeArg, timeArgToRfc3339 } from '../../src/cli/time-arg.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');

test('RFC 3339 date-times are absolute', () => {
  assert.equal(parseTimeArg('2024-05-01T10:00:00Z', NOW), Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(parseTimeArg('2024-05-01T12:00:00+02:00', NOW), Date.parse('2024-05-01T10:00:00Z'));
});

test('digits are epoch milliseconds', () => {
  assert.equal(parseTimeArg('1714557600000', NOW), 1_714_557_600_000);
});

test('a duration means that long before now', () => {
  assert.equal(parseTimeArg('1h', NOW), NOW - 3_600_000);
  assert.equal(parseTimeArg('30m', NOW), NOW - 1_800_000);
  assert.equal(parseTimeArg('7d', NOW), NOW - 7 * 86_400_000);
  assert.equal(timeArgToRfc3339('90m', NOW), '2024-05-01T10:30:00.000Z');
});

test('anything else is refused', () => {
  for (const text of ['yesterday', '2024-05-01', '1 hour', '', '-1h']) assert.equal(parseTimeArg(text, NOW), undefined, text);
});

test('times a Date cannot hold, or past the year 9999 (no RFC 3339 form), are refused rather than crashing', () => {
  for (const text of ['8640000000000001', '253402300800000', '100000w']) {
    assert.equal(parseTimeArg(text, NOW), undefined, text);
    assert.equal(timeArgToRfc3339(text, NOW), undefined, text);
  }
  assert.equal(timeArgToRfc3339('253402300799999', NOW), '9999-12-31T23:59:59.999Z');
});
