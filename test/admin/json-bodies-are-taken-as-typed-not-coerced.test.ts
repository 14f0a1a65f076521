// Query strings are text, so "limit=10" is coerced to 10; a JSON body already
// carries its types, and coercing it turned {"all": 1} into a replay of every
// dead letter, {"enabled": "false"} into a disable and {"spec": ["x"]} into an
// install. A body field of the wrong type is a 400 that touches nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, adminFixture, assertError } from './admin-fixture.ts';
import { dlqEntry } from './fake-host.ts';

const post = (url: string, payload: object) => ({ method: 'POST' as const, url, headers: AUTH, payload });

test('bulk DLQ replay refuses "all" that is not the boolean true, and replays nothing', async () => {
  const { app, host } = adminFixture();
  host.dlq = [dlqEntry('a', { plugin: 'p1' }), dlqEntry('b', { plugin: 'p2' })];
  for (const all of [1, 'true', [true]]) {
    const error = assertError(await app.inject(post('/v1/dlq/replay', { all })), 400, 'PLEXUS_INVALID_REQUEST', 'body.all');
    assert.match(error.message, /boolean/);
  }
  assert.equal(host.requeued.length, 0);
  assert.equal(host.dlq.length, 2);
});

test('DLQ filter fields in a body must be strings: an array or a number is refused, not flattened', async () => {
  const { app, host } = adminFixture();
  host.dlq = [dlqEntry('a', { plugin: 'p1' }), dlqEntry('b', { plugin: '1' })];
  assertError(await app.inject(post('/v1/dlq/replay', { plugin: ['p1'] })), 400, 'PLEXUS_INVALID_REQUEST', 'body.plugin');
  assertError(await app.inject(post('/v1/dlq/replay', { plugin: 1 })), 400, 'PLEXUS_INVALID_REQUEST', 'body.plugin');
  assert.equal(host.requeued.length, 0);
});

test('journal replay refuses a "from" wrapped in an array or given as a boolean', async () => {
  const { app, host } = adminFixture();
  assertError(await app.inject(post('/v1/replay', { from: [0] })), 400, 'PLEXUS_INVALID_REQUEST', 'body.from');
  assertError(await app.inject(post('/v1/replay', { from: 0, type: ['orders.created'] })), 400, 'PLEXUS_INVALID_REQUEST', 'body.type');
  assert.deepEqual(host.replays, []);
});

test('plugin install and change bodies are checked as typed, before any plugin manager is asked', async () => {
  // The fake host has no plugin manager: a body that passed validation would be a 503, a refused one is a 400.
  const { app } = adminFixture();
  const patch = (payload: object) => ({ method: 'PATCH' as const, url: '/v1/plugins/p1', headers: AUTH, payload });
  assertError(await app.inject(patch({ enabled: 'false' })), 400, 'PLEXUS_INVALID_REQUEST', 'body.enabled');
  assertError(await app.inject(patch({ enabled: 0 })), 400, 'PLEXUS_INVALID_REQUEST', 'body.enabled');
  assertError(await app.inject(patch({ grants: 'kv' })), 400, 'PLEXUS_INVALID_REQUEST', 'body.grants');
  assertError(await app.inject(post('/v1/plugins', { spec: ['/srv/plugin'] })), 400, 'PLEXUS_INVALID_REQUEST', 'body.spec');
  assertError(await app.inject(post('/v1/plugins', { spec: 42 })), 400, 'PLEXUS_INVALID_REQUEST', 'body.spec');
  // The right types still reach the (absent) manager.
  assertError(await app.inject(patch({ enabled: false })), 503, 'PLEXUS_UNAVAILABLE');
});

test('query strings are still coerced: limit=10 is a number, all=true a boolean', async () => {
  const { app, host } = adminFixture();
  host.dlq = [dlqEntry('a', { plugin: 'p1' })];
  const list = await app.inject({ method: 'GET', url: '/v1/dlq?limit=10&offset=0', headers: AUTH });
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().limit, 10);
  const purge = await app.inject({ method: 'DELETE', url: '/v1/dlq?all=true', headers: AUTH });
  assert.deepEqual(purge.json(), { purged: 1 });
});
