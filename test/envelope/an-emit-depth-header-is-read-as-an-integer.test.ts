// The emit-chain depth (`plexusdepth`) arrives as a header string in binary
// mode (`ce-plexusdepth: 3`): it is read as the integer it names, and a value
// that would undercount a chain is refused like any invalid attribute.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wrapPlainBody } from '../../src/envelope/index.ts';

const wrap = (value: string) => wrapPlainBody({ body: { ok: true }, source: 'webhook/relay', type: 'loop.start', now: 0, headers: { 'ce-plexusdepth': value } });

test('a ce-plexusdepth header becomes an integer attribute', () => {
  assert.equal(wrap('3').plexusdepth, 3);
});

test('a negative or non-integer ce-plexusdepth header is refused', () => {
  for (const value of ['-1', '1.5', 'deep']) {
    assert.throws(() => wrap(value), (err: { code?: string; message?: string }) => err.code === 'PLEXUS_INVALID_EVENT' && /plexusdepth/.test(err.message ?? ''), value);
  }
});
