import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, adminFixture, assertError } from './admin-fixture.ts';
import { T0, dlqEntry } from './fake-host.ts';

function seeded() {
  const fixture = adminFixture();
  fixture.host.dlq = [
    dlqEntry('a', { plugin: 'p1', type: 'orders.created', reason: 'exhausted', minutes: 0 }),
    dlqEntry('b', { plugin: 'p1', type: 'orders.paid', reason: 'permanent', minutes: 10 }),
    dlqEntry('c', { plugin: 'p2', type: 'orders.created', source: 'amqp/orders', reason: 'expired', minutes: 20 }),
    dlqEntry('d', { plugin: 'p2', type: 'users.created', reason: 'invalid', minutes: 30 }),
  ];
  return fixture;
}

const ids = (body: { entries: { id: string }[] }) => body.entries.map((e) => e.id);

test('GET /v1/dlq lists entries with the total, times as RFC 3339', async () => {
  const { app } = seeded();
  const response = await app.inject({ method: 'GET', url: '/v1/dlq', headers: AUTH });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.deepEqual(ids(body), ['a', 'b', 'c', 'd']);
  assert.equal(body.total, 4);
  assert.equal(body.limit, 50);
  assert.equal(body.offset, 0);
  assert.deepEqual(body.entries[0], {
    id: 'a',
    plugin: 'p1',
    event: { specversion: '1.0', id: 'evt-a', source: 'webhook/github', type: 'orders.created', data: { n: 'a' } },
    reason: 'exhausted',
    attempts: 4,
    error: { name: 'Error', message: 'upstream said 503', code: 'PLEXUS_PLUGIN_ERROR' },
    acceptedAt: '2024-05-01T09:59:55.000Z',
    deadAt: '2024-05-01T10:00:00.000Z',
  });
});

test('filters plugin, type, source, reason, from and to (RFC 3339 or ms) narrow the list and the total', async () => {
  const { app } = seeded();
  const cases: [string, string[]][] = [
    ['plugin=p2', ['c', 'd']],
    ['type=orders.created', ['a', 'c']],
    ['source=amqp%2Forders', ['c']],
    ['reason=permanent', ['b']],
    [`from=${encodeURIComponent('2024-05-01T10:10:00Z')}`, ['b', 'c', 'd']],
    [`to=${T0 + 20 * 60_000}`, ['a', 'b']],
    [`from=${T0 + 5 * 60_000}&to=${encodeURIComponent('2024-05-01T12:20:00+02:00')}`, ['b']],
    ['plugin=p1&type=orders.created', ['a']],
  ];
  for (const [query, expected] of cases) {
    const body = (await app.inject({ method: 'GET', url: `/v1/dlq?${query}`, headers: AUTH })).json();
    assert.deepEqual(ids(body), expected, query);
    assert.equal(body.total, expected.length, query);
  }
});

test('limit and offset page through; total stays the full count', async () => {
  const { app } = seeded();
  const body = (await app.inject({ method: 'GET', url: '/v1/dlq?limit=2&offset=1', headers: AUTH })).json();
  assert.deepEqual(ids(body), ['b', 'c']);
  assert.equal(body.total, 4);
  assert.equal(body.limit, 2);
  assert.equal(body.offset, 1);
});

test('invalid list queries are 400 PLEXUS_INVALID_REQUEST naming the parameter', async () => {
  const { app } = seeded();
  const cases: [string, string][] = [
    ['reason=tired', 'querystring.reason'],
    ['from=yesterday', 'querystring.from'],
    ['to=2024-13-01T00:00:00Z', 'querystring.to'],
    ['limit=0', 'querystring.limit'],
    ['limit=1001', 'querystring.limit'],
    ['offset=-1', 'querystring.offset'],
    ['limit=ten', 'querystring.limit'],
    ['plugn=p1', 'plugn'],
    [`from=${T0}&to=${T0}`, 'from must be before to'],
  ];
  for (const [query, mentions] of cases) assertError(await app.inject({ method: 'GET', url: `/v1/dlq?${query}`, headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', mentions);
});

test('GET /v1/dlq/:id shows one entry; an unknown id is 404 PLEXUS_NOT_FOUND', async () => {
  const { app } = seeded();
  const response = await app.inject({ method: 'GET', url: '/v1/dlq/c', headers: AUTH });
  assert.equal(response.statusCode, 200);
  assert.equal(response.json().event.source, 'amqp/orders');
  assertError(await app.inject({ method: 'GET', url: '/v1/dlq/zzz', headers: AUTH }), 404, 'PLEXUS_NOT_FOUND', 'zzz');
});

test('POST /v1/dlq/:id/replay moves that entry back to delivery; an unknown id is 404', async () => {
  const { app, host } = seeded();
  const response = await app.inject({ method: 'POST', url: '/v1/dlq/b/replay', headers: AUTH });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { replayed: 1 });
  assert.deepEqual(host.requeued.map((e) => e.id), ['b']);
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/b/replay', headers: AUTH }), 404, 'PLEXUS_NOT_FOUND');
});

test('POST /v1/dlq/replay replays what the filter matches, or everything with all: true', async () => {
  const { app, host } = seeded();
  assert.deepEqual((await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { plugin: 'p2', reason: 'expired' } })).json(), { replayed: 1 });
  assert.deepEqual(host.requeued.map((e) => e.id), ['c']);
  assert.deepEqual((await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { all: true } })).json(), { replayed: 3 });
  assert.equal(host.dlq.length, 0);
});

test('bulk replay with an empty filter must say all: true; a filter with all is refused too', async () => {
  const { app, host } = seeded();
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: {} }), 400, 'PLEXUS_INVALID_REQUEST', 'all=true');
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { all: false } }), 400, 'PLEXUS_INVALID_REQUEST', 'all=true');
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { all: true, plugin: 'p1' } }), 400, 'PLEXUS_INVALID_REQUEST', 'not both');
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { plugins: 'p1' } }), 400, 'PLEXUS_INVALID_REQUEST', 'plugins');
  assertError(await app.inject({ method: 'POST', url: '/v1/dlq/replay', headers: AUTH, payload: { reason: 'bored' } }), 400, 'PLEXUS_INVALID_REQUEST', 'body.reason');
  assert.equal(host.requeued.length, 0);
});

test('DELETE /v1/dlq purges what the filter matches', async () => {
  const { app, host } = seeded();
  const response = await app.inject({ method: 'DELETE', url: '/v1/dlq?plugin=p1', headers: AUTH });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { purged: 2 });
  assert.deepEqual(host.dlq.map((e) => e.id), ['c', 'd']);
});

test('a filterless purge must be explicit (?all=true); an empty or mistyped filter wipes nothing', async () => {
  const { app, host } = seeded();
  assertError(await app.inject({ method: 'DELETE', url: '/v1/dlq', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', 'all=true');
  assertError(await app.inject({ method: 'DELETE', url: '/v1/dlq?all=false', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', 'all=true');
  assertError(await app.inject({ method: 'DELETE', url: '/v1/dlq?plugn=p1', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', 'plugn');
  assertError(await app.inject({ method: 'DELETE', url: '/v1/dlq?all=true&type=orders.paid', headers: AUTH }), 400, 'PLEXUS_INVALID_REQUEST', 'not both');
  assert.equal(host.dlq.length, 4);
  assert.deepEqual((await app.inject({ method: 'DELETE', url: '/v1/dlq?all=true', headers: AUTH })).json(), { purged: 4 });
  assert.equal(host.dlq.length, 0);
});
