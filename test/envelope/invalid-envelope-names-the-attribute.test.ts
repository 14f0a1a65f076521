import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { validateEnvelope } from '../../src/envelope/index.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const minimal = { specversion: '1.0', id: 'evt-1', source: 'amqp/orders', type: 'orders.created' };

const cases: [string, Record<string, unknown>, string][] = [
  ['specversion other than 1.0', { ...minimal, specversion: '0.3' }, 'specversion'],
  ['missing specversion', { id: 'a', source: 's', type: 't' }, 'specversion'],
  ['missing id', { specversion: '1.0', source: 's', type: 't' }, 'id'],
  ['empty id', { ...minimal, id: '' }, 'id'],
  ['numeric id', { ...minimal, id: 7 }, 'id'],
  ['missing source', { specversion: '1.0', id: 'a', type: 't' }, 'source'],
  ['source that is no URI-reference', { ...minimal, source: 'has spaces in it' }, 'source'],
  ['missing type', { specversion: '1.0', id: 'a', source: 's' }, 'type'],
  ['type with an empty word', { ...minimal, type: 'orders..created' }, 'type'],
  ['type with a wildcard', { ...minimal, type: 'orders.*' }, 'type'],
  ['time that is not RFC 3339', { ...minimal, time: '2024-05-01 10:00' }, 'time'],
  ['time without a zone', { ...minimal, time: '2024-05-01T10:00:00' }, 'time'],
  ['expiresat on February 30th', { ...minimal, expiresat: '2024-02-30T00:00:00Z' }, 'expiresat'],
  ['priority above 9', { ...minimal, priority: 10 }, 'priority'],
  ['priority below 0', { ...minimal, priority: -1 }, 'priority'],
  ['fractional priority', { ...minimal, priority: 4.5 }, 'priority'],
  ['priority as a string', { ...minimal, priority: '5' }, 'priority'],
  ['empty partitionkey', { ...minimal, partitionkey: '' }, 'partitionkey'],
  ['numeric idempotencykey', { ...minimal, idempotencykey: 12 }, 'idempotencykey'],
  ['malformed traceparent', { ...minimal, traceparent: '00-abc-01' }, 'traceparent'],
  ['all-zero trace id', { ...minimal, traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }, 'traceparent'],
  ['datacontenttype that is no media type', { ...minimal, datacontenttype: 'json' }, 'datacontenttype'],
  ['relative dataschema', { ...minimal, dataschema: 'schemas/v1.json' }, 'dataschema'],
  ['empty subject', { ...minimal, subject: '' }, 'subject'],
  ['uppercase extension name', { ...minimal, partitionKey: 'k' }, 'partitionKey'],
  ['extension name with an underscore', { ...minimal, partition_key: 'k' }, 'partition_key'],
  ['extension name with a dash', { ...minimal, 'x-tenant': 'k' }, '["x-tenant"]'],
  ['object-valued extension', { ...minimal, tenant: { id: 1 } }, 'tenant'],
  ['fractional extension number', { ...minimal, ratio: 0.5 }, 'ratio'],
  ['extension integer beyond 32 bits', { ...minimal, big: 2147483648 }, 'big'],
  ['data together with data_base64', { ...minimal, data: 1, data_base64: 'AA==' }, 'data_base64'],
  ['data_base64 that is not base64', { ...minimal, data_base64: 'not base64!' }, 'data_base64'],
];

for (const [what, input, path] of cases) {
  test(`refuses ${what}, naming ${path}`, () => assertInvalidEvent(() => validateEnvelope(input), path));
}

test('refuses a body that is not an object', () => {
  for (const body of [null, 'text', 42, [], [minimal]]) assertInvalidEvent(() => validateEnvelope(body), '(root)');
});

test('reports every problem at once, not only the first', () => {
  try {
    validateEnvelope({ specversion: '1.0', id: '', source: 's', type: 'a..b', priority: 12 });
    assert.fail('expected a refusal');
  } catch (err) {
    assert.ok(err instanceof PlexusError);
    const paths = (err.details?.problems as { path: string }[]).map((p) => p.path).sort();
    assert.deepEqual(paths, ['id', 'priority', 'type']);
  }
});

test('a __proto__ member is an (invalid) attribute, not a way to smuggle inherited ones past validation', () => {
  const parsed: unknown = JSON.parse('{"specversion":"1.0","id":"a","source":"s","type":"t","__proto__":{"priority":4}}');
  assertInvalidEvent(() => validateEnvelope(parsed), '__proto__');
});
