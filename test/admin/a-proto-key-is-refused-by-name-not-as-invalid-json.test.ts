// The admin API refuses JSON with a "__proto__" key (fastify's prototype
// poisoning guard), but said only "Body is not valid JSON" about text that
// is valid JSON, sending the caller looking for a syntax error. The refusal
// now names the key; malformed JSON is still called malformed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, adminFixture } from './admin-fixture.ts';

test('a body with a __proto__ key is refused naming the key; malformed JSON keeps its own message', async () => {
  const { app, host } = adminFixture();
  const poisoned = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"type":"a.b","data":{"__proto__":{"admin":true}}}' });
  assert.equal(poisoned.statusCode, 400);
  const body = poisoned.json() as { error: { code: string; message: string } };
  assert.match(body.error.code, /^PLEXUS_INVALID_/);
  assert.match(body.error.message, /__proto__/);
  assert.equal(host.accepted.length, 0);

  const malformed = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"type":' });
  assert.equal(malformed.statusCode, 400);
  assert.doesNotMatch((malformed.json() as { error: { message: string } }).error.message, /__proto__/);
});
