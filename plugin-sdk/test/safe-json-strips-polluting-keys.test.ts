// parseJsonSafely: the keys that pollute prototypes are dropped however the
// JSON spells them, and everything else parses exactly as JSON.parse does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonSafely } from '../src/safe-json.ts';

test('an own __proto__ key is dropped, spelled plainly or with \\u escapes', () => {
  for (const text of ['{"__proto__": {"polluted": true}, "a": 1}', '{"\\u005f_proto__": {"polluted": true}, "a": 1}', '{"__pro\\u0074o__": {"polluted": true}, "a": 1}']) {
    const value = parseJsonSafely(text) as Record<string, unknown>;
    assert.equal(Object.hasOwn(value, '__proto__'), false, text);
    assert.deepEqual({ ...value }, { a: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }
});

test('a constructor.prototype pair is dropped, nested or escaped', () => {
  const nested = parseJsonSafely('{"x": {"constructor": {"prototype": {"polluted": true}}, "keep": 2}}') as { x: Record<string, unknown> };
  assert.equal(Object.hasOwn(nested.x, 'constructor'), false);
  assert.equal(nested.x.keep, 2);
  const escaped = parseJsonSafely('{"\\u0063onstructor": {"prototype": {}}}') as Record<string, unknown>;
  assert.equal(Object.hasOwn(escaped, 'constructor'), false);
});

test('everything else is exactly JSON.parse, including those words as values', () => {
  for (const text of ['{"a": [1, "two", null, {"b": true}]}', '"__proto__"', '{"note": "constructor"}', '{"name": "Zoë ✓"}', '[]', '3.5']) {
    assert.deepEqual(parseJsonSafely(text), JSON.parse(text), text);
  }
  assert.deepEqual(parseJsonSafely('{"constructor": "a plain string is harmless"}'), { constructor: 'a plain string is harmless' });
  assert.throws(() => parseJsonSafely('{"a": '), SyntaxError);
});
