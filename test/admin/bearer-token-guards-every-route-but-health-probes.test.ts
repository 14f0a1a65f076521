import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, TOKEN, adminFixture, assertError } from './admin-fixture.ts';

const GUARDED: { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object }[] = [
  { method: 'GET', url: '/v1/plugins' },
  { method: 'POST', url: '/v1/events', payload: { type: 'orders.created' } },
  { method: 'GET', url: '/v1/dlq' },
  { method: 'GET', url: '/v1/dlq/abc' },
  { method: 'POST', url: '/v1/dlq/abc/replay' },
  { method: 'POST', url: '/v1/dlq/replay', payload: { all: true } },
  { method: 'DELETE', url: '/v1/dlq?all=true' },
  { method: 'POST', url: '/v1/replay', payload: { from: 0 } },
  { method: 'GET', url: '/openapi.json' },
];

test('every /v1 route and /openapi.json answer 401 PLEXUS_UNAUTHORIZED without a token, and touches nothing', async () => {
  const { app, host } = adminFixture();
  for (const route of GUARDED) {
    const response = await app.inject({ method: route.method, url: route.url, ...(route.payload ? { payload: route.payload } : {}) });
    assertError(response, 401, 'PLEXUS_UNAUTHORIZED', 'Authorization: Bearer');
    assert.match(String(response.headers['www-authenticate']), /^Bearer/);
  }
  assert.equal(host.accepted.length, 0);
  assert.equal(host.replays.length, 0);
});

test('a wrong token, a token of another length or another scheme is 401', async () => {
  const { app } = adminFixture();
  const headers = [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer x', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`];
  for (const authorization of headers) {
    for (const route of GUARDED) {
      const response = await app.inject({ method: route.method, url: route.url, headers: { authorization }, ...(route.payload ? { payload: route.payload } : {}) });
      assertError(response, 401, 'PLEXUS_UNAUTHORIZED');
    }
  }
});

test('the right token opens every route (case-insensitive scheme)', async () => {
  const { app } = adminFixture();
  for (const authorization of [AUTH.authorization, `bearer ${TOKEN}`]) {
    for (const route of GUARDED) {
      const response = await app.inject({ method: route.method, url: route.url, headers: { authorization }, ...(route.payload ? { payload: route.payload } : {}) });
      assert.notEqual(response.statusCode, 401, `${route.method} ${route.url}: ${response.body}`);
    }
  }
});

test('/healthz and /readyz need no token', async () => {
  const { app } = adminFixture();
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json(), { status: 'ok' });
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.equal(ready.json().ready, true);
});

test('an unknown route is 401 without a token (the route table is not probed) and 404 PLEXUS_NOT_FOUND with one', async () => {
  const { app } = adminFixture();
  assertError(await app.inject({ method: 'GET', url: '/v1/nope' }), 401, 'PLEXUS_UNAUTHORIZED');
  assertError(await app.inject({ method: 'GET', url: '/v1/nope', headers: AUTH }), 404, 'PLEXUS_NOT_FOUND', '/v1/nope');
});

test('the token never appears in what the admin app logs', async () => {
  const { app, logger } = adminFixture();
  await app.inject({ method: 'GET', url: '/v1/dlq', headers: AUTH });
  await app.inject({ method: 'GET', url: '/v1/dlq', headers: { authorization: 'Bearer wrong-token-value' } });
  assert.ok(!logger.text.includes(TOKEN));
  assert.ok(!logger.text.includes('wrong-token-value'));
});

test("the router's own refusals (a bad %-encoding, an over-long parameter) check the token first and answer in the contract's shape", async () => {
  const { app } = adminFixture();
  const long = `/v1/dlq/${'x'.repeat(300)}`;
  for (const url of ['/v1/plugins/%', '/v1/plugins/%zz', long, `/v1/nosuch/${'x'.repeat(300)}`]) {
    const anonymous = await app.inject({ method: 'GET', url });
    assertError(anonymous, 401, 'PLEXUS_UNAUTHORIZED');
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
  }
  assertError(await app.inject({ method: 'GET', url: '/v1/plugins/%', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST');
  assertError(await app.inject({ method: 'GET', url: long, headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST');
});

test('a plugin name as long as npm allows (214 characters, scoped) reaches its route', async () => {
  const { app } = adminFixture();
  const name = `@${'s'.repeat(50)}/${'n'.repeat(162)}`;
  assert.equal(name.length, 214);
  const response = await app.inject({ method: 'GET', url: `/v1/plugins/${encodeURIComponent(name)}`, headers: AUTH });
  // The fake host manages no plugins: what matters is that the route ran and answered, not the router (400/414).
  assertError(response, 503, 'PLEXUS_UNAVAILABLE', 'does not manage plugins');
});
