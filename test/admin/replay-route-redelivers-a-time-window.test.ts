import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, adminFixture, assertError } from './admin-fixture.ts';

test('POST /v1/replay passes the window (RFC 3339 or ms) and type to the host and answers {replayed}', async () => {
  const { app, host } = adminFixture();
  host.replayCount = 42;
  const response = await app.inject({ method: 'POST', url: '/v1/replay', headers: AUTH, payload: { from: '2024-05-01T10:00:00Z', to: 1714561200000, type: 'orders.*.created' } });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { replayed: 42 });
  assert.deepEqual(host.replays, [{ from: Date.parse('2024-05-01T10:00:00Z'), to: 1714561200000, type: 'orders.*.created' }]);
});

test('from alone replays up to now', async () => {
  const { app, host } = adminFixture();
  await app.inject({ method: 'POST', url: '/v1/replay', headers: AUTH, payload: { from: 0 } });
  assert.deepEqual(host.replays, [{ from: 0 }]);
});

test('invalid replay requests are 400 PLEXUS_INVALID_REQUEST naming the field, and replay nothing', async () => {
  const { app, host } = adminFixture();
  const cases: [unknown, string][] = [
    [{}, 'body.from is required'],
    [{ from: 'last tuesday' }, 'body.from'],
    [{ from: -5 }, 'body.from'],
    [{ from: 0, to: 'soon' }, 'body.to'],
    [{ from: 0, type: 'orders..created' }, 'body.type'],
    [{ from: 0, type: 'orders.#x' }, 'body.type'],
    [{ from: 0, until: 5 }, 'body.until'],
    [{ from: 100, to: 100 }, 'from must be before to'],
    // Integers the schema takes but no time is: a 400, not a store error (a 500).
    [{ from: 1e300 }, 'from must be an RFC 3339 date-time or milliseconds'],
    [{ from: 9007199254740992 }, 'from must be an RFC 3339 date-time or milliseconds'],
    [{ from: 0, to: 1e300 }, 'to must be an RFC 3339 date-time or milliseconds'],
  ];
  for (const [payload, mentions] of cases) assertError(await app.inject({ method: 'POST', url: '/v1/replay', headers: AUTH, payload: payload as object }), 400, 'PLEXUS_INVALID_REQUEST', mentions);
  assert.equal(host.replays.length, 0);
});
