// The nesting guard (the SDK's, for every JSON from outside): brackets
// inside strings (escaped quotes included) and multi-byte characters do not
// count, the limit is inclusive, and parseJsonBody applies it before
// JSON.parse ever sees the body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertJsonDepth, MAX_JSON_DEPTH } from '@plexus/plugin-sdk/runtime';
import { parseJsonBody } from '../../src/ingress/webhook/index.ts';
import { assertPlexusError } from './helpers.ts';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

test('nesting up to the limit passes; one level more is PLEXUS_INVALID_EVENT', () => {
  assertJsonDepth(nested(MAX_JSON_DEPTH));
  assertPlexusError(() => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)), 'PLEXUS_INVALID_EVENT', /deeper than 64 levels/);
  assertPlexusError(() => assertJsonDepth('{"a":{"b":[1]}}', 2), 'PLEXUS_INVALID_EVENT', /deeper than 2/);
});

test('brackets inside strings, after escaped quotes and next to multi-byte characters do not count', () => {
  const inString = JSON.stringify({ text: '['.repeat(1000), quoted: '"{{{{"\\', emoji: '🎉[' });
  assertJsonDepth(inString, 1);
  assert.deepEqual(parseJsonBody(Buffer.from(inString)), JSON.parse(inString));
});

test('siblings do not add up: depth is how deep, not how many', () => {
  assertJsonDepth(JSON.stringify(Array.from({ length: 10_000 }, () => [{ a: [1] }])), 4);
});

test('parseJsonBody refuses a deep body before parsing, and still parses ordinary JSON', () => {
  assertPlexusError(() => parseJsonBody(Buffer.from(nested(100_000))), 'PLEXUS_INVALID_EVENT', /deeper than/);
  assertPlexusError(() => parseJsonBody(Buffer.from(`${'{"a":'.repeat(100_000)}`)), 'PLEXUS_INVALID_EVENT', /deeper than/);
  assert.deepEqual(parseJsonBody(Buffer.from('{"a":[{"b":null}]}')), { a: [{ b: null }] });
});
