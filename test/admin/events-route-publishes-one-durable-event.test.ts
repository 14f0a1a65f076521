import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { AUTH, adminFixture, assertError } from './admin-fixture.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');

test('the short form {type, data} gets specversion, a new id and source "admin"; 202 {id} once accepted', async () => {
  const { app, host } = adminFixture({ now: () => NOW });
  const response = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: { type: 'orders.created', data: { id: 7 }, partitionkey: 'o-7' } });
  assert.equal(response.statusCode, 202);
  const { id } = response.json() as { id: string };
  assert.deepEqual(Object.keys(response.json()), ['id']);
  assert.equal(host.accepted.length, 1);
  const event = host.accepted[0];
  assert.equal(event?.id, id);
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(event?.specversion, '1.0');
  assert.equal(event?.source, 'admin');
  assert.equal(event?.partitionkey, 'o-7');
  assert.deepEqual(event?.data, { id: 7 });
  // Normalised like every ingress: time set, defaults filled in.
  assert.equal(event?.time, '2024-05-01T12:00:00.000Z');
  assert.equal(event?.priority, 4);
  assert.equal(event?.datacontenttype, 'application/json');
});

test('a full CloudEvent keeps its own id and source', async () => {
  const { app, host } = adminFixture();
  const cloudEvent = { specversion: '1.0', id: 'evt-1', source: 'billing/api', type: 'invoices.paid', priority: 9 };
  const response = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: cloudEvent });
  assert.equal(response.statusCode, 202);
  assert.deepEqual(response.json(), { id: 'evt-1' });
  assert.equal(host.accepted[0]?.source, 'billing/api');
  assert.equal(host.accepted[0]?.priority, 9);
});

test('the short form may set its own id and source', async () => {
  const { app, host } = adminFixture();
  const response = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: { type: 'a.b', id: 'mine', source: 'cron/nightly' } });
  assert.deepEqual(response.json(), { id: 'mine' });
  assert.equal(host.accepted[0]?.source, 'cron/nightly');
});

test('invalid events are 400 PLEXUS_INVALID_EVENT naming the attribute, and nothing is accepted', async () => {
  const { app, host } = adminFixture();
  const cases: [unknown, string][] = [
    [{ data: {} }, 'type'],
    [{ type: 'orders..created' }, 'type'],
    [{ type: 'a.b', priority: 12 }, 'priority'],
    [{ type: 'a.b', expiresat: 'tomorrow' }, 'expiresat'],
    [{ specversion: '0.3', id: 'x', source: 's', type: 'a.b' }, 'specversion'],
    [{ type: 'a.b', 'Bad-Name': 1 }, 'Bad-Name'],
    [[{ type: 'a.b' }], 'body'],
    ['just a string', 'body'],
  ];
  for (const [payload, mentions] of cases) {
    const response = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    assertError(response, 400, 'PLEXUS_INVALID_EVENT', mentions);
  }
  assert.equal(host.accepted.length, 0);
});

test('malformed JSON is 400 PLEXUS_INVALID_EVENT', async () => {
  const { app } = adminFixture();
  const response = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"type": ' });
  assertError(response, 400, 'PLEXUS_INVALID_EVENT');
});

test('a body over the limit is 413 PLEXUS_PAYLOAD_TOO_LARGE', async () => {
  const { app } = adminFixture({ bodyLimit: 1024 });
  const response = await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: { type: 'a.b', data: 'x'.repeat(2048) } });
  assertError(response, 413, 'PLEXUS_PAYLOAD_TOO_LARGE');
});

test('a host that is shutting down answers 503 PLEXUS_UNAVAILABLE', async () => {
  const { app, host } = adminFixture();
  host.acceptError = new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down');
  assertError(await app.inject({ method: 'POST', url: '/v1/events', headers: AUTH, payload: { type: 'a.b' } }), 503, 'PLEXUS_UNAVAILABLE', 'shutting down');
});
