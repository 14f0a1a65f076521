import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, adminFixture, assertError } from './admin-fixture.ts';

test('an unknown route is 404 PLEXUS_NOT_FOUND naming method and path', async () => {
  const { app } = adminFixture();
  assertError(await app.inject({ method: 'PUT', url: '/v1/dlq?x=1', headers: AUTH }), 404, 'PLEXUS_NOT_FOUND', 'PUT /v1/dlq');
});

test('a body that is not JSON is 415 PLEXUS_UNSUPPORTED_MEDIA_TYPE', async () => {
  const { app } = adminFixture();
  const response = await app.inject({ method: 'POST', url: '/v1/replay', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'from=0' });
  assertError(response, 415, 'PLEXUS_UNSUPPORTED_MEDIA_TYPE');
});

test('schema failures are 400 PLEXUS_INVALID_REQUEST with the problems as details', async () => {
  const { app } = adminFixture();
  const error = assertError(await app.inject({ method: 'GET', url: '/v1/dlq?limit=5000', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', 'querystring.limit must be <= 1000');
  assert.deepEqual(error.details, { problems: [{ path: 'querystring.limit', message: 'must be <= 1000' }] });
});

test('an unexpected failure is 500 PLEXUS_INTERNAL with the generic message; the cause goes to the log only', async () => {
  const { app, host, logger } = adminFixture();
  host.listDlq = async () => {
    throw new Error('SQLITE_CORRUPT at /var/lib/plexus/plexus.db');
  };
  const error = assertError(await app.inject({ method: 'GET', url: '/v1/dlq', headers: AUTH }), 500, 'PLEXUS_INTERNAL');
  assert.ok(!error.message.includes('SQLITE_CORRUPT'));
  assert.equal(error.details, undefined);
  assert.ok(logger.lines.some((l) => l.level === 'error' && JSON.stringify(l.fields).includes('SQLITE_CORRUPT')));
});

test('a JSON body nested deeper than 64 levels is 400 PLEXUS_INVALID_REQUEST before it is parsed; prototype poisoning stays refused', async () => {
  const { app, host } = adminFixture();
  const deep = `{"type":"orders.created","source":"x","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  assertError(await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: deep }), 400, 'PLEXUS_INVALID_REQUEST', 'deeper than 64 levels');
  const poisoned = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"type":"orders.created","source":"x","__proto__":{"polluted":true}}' });
  assert.equal(poisoned.statusCode, 400);
  assert.equal(host.accepted.length, 0);
});
