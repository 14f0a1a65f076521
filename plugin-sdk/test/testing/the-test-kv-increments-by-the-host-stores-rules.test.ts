// plexus-plugin test runs plugins against an in-memory kv. Its incr must
// refuse what the host's stores refuse (a stored "5", true, [7], "0x10", a
// result past the largest double), or a plugin passes its tests and fails in
// production. Both use the SDK's one incr rule (kv-number.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incrementJsonNumber } from '../../src/kv-number.ts';
import { MemoryKv } from '../../src/testing/memory-kv.ts';

test('incr on a stored value that is not a JSON number, or past the largest double, is PLEXUS_INVALID_REQUEST and changes nothing', async () => {
  for (const [stored, by] of [['"5"', 1], ['true', 1], ['null', 1], ['[7]', 1], ['"0x10"', 1], ['1.7976931348623157e308', 1.7976931348623157e308]] as const) {
    const kv = new MemoryKv();
    await kv.apply('set', ['k', stored, null]);
    await assert.rejects(kv.apply('incr', ['k', by]), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_REQUEST', stored);
    assert.throws(() => incrementJsonNumber('k', stored, by), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_REQUEST', stored);
    assert.equal(await kv.apply('get', ['k']), stored, `${stored} is left as it was`);
  }
});

test('numbers and a missing key increment as the stores do', async () => {
  const kv = new MemoryKv();
  assert.equal(await kv.apply('incr', ['n', 2]), 2);
  assert.equal(await kv.apply('incr', ['n', 0.5]), 2.5);
  await kv.apply('set', ['e', '1e3', null]);
  assert.equal(await kv.apply('incr', ['e', -1]), 999);
  assert.equal(incrementJsonNumber('x', '1e3', -1), 999);
});
