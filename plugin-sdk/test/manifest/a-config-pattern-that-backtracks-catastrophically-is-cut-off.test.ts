// Config is checked against the plugin author's schema on the host's own
// thread. A "pattern" that backtracks catastrophically must not hold that
// thread: the check is stopped after CONFIG_CHECK_TIMEOUT_MS and the plugin
// refused with PLEXUS_INVALID_CONFIG, whether the string came from the
// operator's config or from the schema's own default.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { CONFIG_CHECK_TIMEOUT_MS, ConfigValidators, validatePluginConfig } from '../../src/manifest/config.ts';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { plugin, writePlugin } from '../fixtures/write-plugin.ts';

// Without a limit, matching this takes V8 about 20 s (and doubles with every further "a").
const EVIL = `${'a'.repeat(29)}!`;
const SCHEMA = { type: 'object', properties: { id: { type: 'string', pattern: '^(a+)+$' } } };

test('a pattern default that backtracks catastrophically is stopped at the limit and the plugin refused', async (t) => {
  const root = await writePlugin({ name: 'redos-default', source: plugin(''), config: { type: 'object', properties: { id: { type: 'string', pattern: '^(a+)+$', default: EVIL } } } });
  t.after(() => rm(root, { recursive: true, force: true }));
  const started = Date.now();
  await assert.rejects(loadPlugin(root), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PLEXUS_INVALID_CONFIG');
    assert.match(err.message, /took over \d+ ms and was stopped/);
    return true;
  });
  assert.ok(Date.now() - started < CONFIG_CHECK_TIMEOUT_MS + 3000, `refused after ${Date.now() - started} ms`);
});

test('operator config that makes a pattern backtrack is refused in time, and the validators keep working', () => {
  const validators = new ConfigValidators();
  const started = Date.now();
  assert.throws(() => validatePluginConfig('p', SCHEMA, { id: EVIL }, validators), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_CONFIG' && /was stopped/.test(err.message));
  assert.ok(Date.now() - started < CONFIG_CHECK_TIMEOUT_MS + 3000, `refused after ${Date.now() - started} ms`);
  // The same validator afterwards: ordinary answers, failures still named by path.
  assert.deepEqual(validatePluginConfig('p', SCHEMA, { id: 'aaa' }, validators), { id: 'aaa' });
  assert.throws(() => validatePluginConfig('p', SCHEMA, { id: 'b' }, validators), /config\.id must match pattern/);
});
