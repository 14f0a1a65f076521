import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEnvReferences } from '../../src/config/env-references.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

test('${NAME} resolves anywhere in string values, including inside longer strings and nested sections', () => {
  const { value, problems } = resolveEnvReferences(
    { store: { kind: 'redis', url: 'redis://:${REDIS_PASSWORD}@${REDIS_HOST}:6379' }, secrets: { KEY: '${API_KEY}' }, list: ['${API_KEY}', 3, true, null] },
    { REDIS_PASSWORD: 'pw', REDIS_HOST: 'cache', API_KEY: 'k-123' },
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(value, { store: { kind: 'redis', url: 'redis://:pw@cache:6379' }, secrets: { KEY: 'k-123' }, list: ['k-123', 3, true, null] });
});

test('${NAME:-default} falls back when the variable is unset or empty', () => {
  const doc = { a: '${UNSET:-fallback}', b: '${EMPTY:-fallback}', c: '${SET:-fallback}', d: '${UNSET:-}', e: '${UNSET:-a:b-c}' };
  const { value, problems } = resolveEnvReferences(doc, { EMPTY: '', SET: 'given' });
  assert.deepEqual(problems, []);
  assert.deepEqual(value, { a: 'fallback', b: 'fallback', c: 'given', d: '', e: 'a:b-c' });
});

test('$${ is a literal ${, with or without a } after it, and a lone $ stays as it is', () => {
  const { value, problems } = resolveEnvReferences({ a: 'cost: $5, template: $${NAME}', b: 'pa$$word', c: 'price: $${amount', d: '$${' }, {});
  assert.deepEqual(value, { a: 'cost: $5, template: ${NAME}', b: 'pa$$word', c: 'price: ${amount', d: '${' });
  assert.deepEqual(problems, []);
});

test('keys are never resolved, and only own env properties count', () => {
  const { value, problems } = resolveEnvReferences({ '${KEY}': '${constructor}' }, { KEY: 'x' });
  assert.deepEqual(Object.keys(value as object), ['${KEY}']);
  assert.deepEqual(problems, [{ path: '["${KEY}"]', message: 'references ${constructor}, which is not set' }]);
});

test('an unset variable, a malformed or unterminated reference are problems naming the path and variable', () => {
  const { problems } = resolveEnvReferences({ secrets: { KEY: '${MISSING}' }, listen: '${1BAD}', adminToken: 'abc${OPEN' }, {});
  assert.deepEqual(problems, [
    { path: 'secrets.KEY', message: 'references ${MISSING}, which is not set' },
    { path: 'listen', message: 'has an invalid reference ${1BAD} (write ${NAME} or ${NAME:-default})' },
    { path: 'adminToken', message: 'has an unterminated ${ (write ${NAME} or ${NAME:-default}; $${ for a literal ${)' },
  ]);
});

test('loadConfig resolves references from the injected env, then validates the result (numbers included)', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'p.yaml', 'adminListen: ${ADMIN_HOST:-127.0.0.1}:${ADMIN_PORT}\ndelivery: { batchSize: "${BATCH}" }\nsecrets: { STRIPE_KEY: "${STRIPE_KEY}" }\n');
    const loaded = await loadConfig({ file, env: { ADMIN_PORT: '9191', BATCH: '16', STRIPE_KEY: 'sk_live_secret' } });
    assert.deepEqual(loaded.host.adminListen, { host: '127.0.0.1', port: 9191 });
    assert.equal(loaded.host.delivery.batchSize, 16);
    assert.deepEqual(loaded.host.secrets, { STRIPE_KEY: 'sk_live_secret' });
  });
});

test('refusals name the variable but never print a resolved value', async () => {
  await withTempDir(async (dir) => {
    const missing = await writeConfig(dir, 'missing.yaml', 'secrets: { STRIPE_KEY: "${STRIPE_KEY}" }\n');
    await assertInvalidConfig(loadConfig({ file: missing, env: {} }), 'secrets.STRIPE_KEY references ${STRIPE_KEY}, which is not set', missing);
    // The resolved value is invalid for its field: the message says what is wrong, not what the value was.
    const invalid = await writeConfig(dir, 'invalid.yaml', 'adminToken: "${ADMIN_TOKEN}"\n');
    const err = await assertInvalidConfig(loadConfig({ file: invalid, env: { ADMIN_TOKEN: 'hunter2' } }), 'adminToken');
    assert.ok(!err.message.includes('hunter2'));
    assert.ok(!JSON.stringify(err.details).includes('hunter2'));
  });
});
