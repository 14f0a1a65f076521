import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { assertSerializedSize, serializedByteLength } from '../../src/envelope/index.ts';

test('size is UTF-8 bytes of the JSON serialisation, not string length', () => {
  assert.equal(serializedByteLength({ a: 'é' }), Buffer.byteLength('{"a":"é"}'));
  assert.equal(serializedByteLength({ a: 'é' }), 10);
  assert.equal(serializedByteLength(undefined), 0);
});

test('an event at the limit passes and reports its size', () => {
  const event = { data: 'x'.repeat(100) };
  const size = serializedByteLength(event);
  assert.equal(assertSerializedSize(event, size), size);
});

test('one byte over the limit is PLEXUS_PAYLOAD_TOO_LARGE (413) with the numbers', () => {
  const event = { data: 'x'.repeat(100) };
  const size = serializedByteLength(event);
  assert.throws(
    () => assertSerializedSize(event, size - 1, 'emitted payload'),
    (err: unknown) =>
      err instanceof PlexusError &&
      err.code === 'PLEXUS_PAYLOAD_TOO_LARGE' &&
      err.status === 413 &&
      /emitted payload/.test(err.message) &&
      err.details?.bytes === size &&
      err.details?.maxBytes === size - 1,
  );
});
