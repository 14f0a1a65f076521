import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRfc3339, isRfc3339, parseRfc3339 } from '../../src/envelope/index.ts';

test('parses zones, offsets and fractions to the same instant', () => {
  const instant = Date.UTC(2018, 3, 5, 17, 31, 0, 120);
  assert.equal(parseRfc3339('2018-04-05T17:31:00.12Z'), instant);
  assert.equal(parseRfc3339('2018-04-05t19:31:00.120+02:00'), instant);
  assert.equal(parseRfc3339('2018-04-05 12:01:00.1209-05:30'), instant);
});

test('accepts the RFC 3339 grammar edge cases Date.parse gets wrong', () => {
  assert.equal(parseRfc3339('0099-01-01T00:00:00Z'), new Date('0099-01-01T00:00:00Z').getTime());
  assert.equal(parseRfc3339('2016-12-31T23:59:60Z'), Date.UTC(2017, 0, 1));
  assert.equal(parseRfc3339('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
});

test('refuses what is not an RFC 3339 date-time', () => {
  for (const text of [
    '2024-05-01',
    '2024-05-01T10:00:00',
    '2024-05-01T10:00Z',
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:60:00Z',
    '2024-05-01T10:00:00+24:00',
    '2024-05-01T12:59:60Z',
    '2024-05-01T10:00:00.Z',
    ' 2024-05-01T10:00:00Z',
    'Wed, 01 May 2024 10:00:00 GMT',
  ]) {
    assert.equal(parseRfc3339(text), undefined, text);
    assert.equal(isRfc3339(text), false, text);
  }
});

test('formatRfc3339 writes UTC with milliseconds, and parses back to the same instant', () => {
  const instant = Date.UTC(2030, 11, 31, 23, 59, 59, 999);
  assert.equal(formatRfc3339(instant), '2030-12-31T23:59:59.999Z');
  assert.equal(parseRfc3339(formatRfc3339(instant)), instant);
});
