import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostReadiness } from '../../src/admin/host-readiness.ts';
import { Readiness } from '../../src/admin/readiness.ts';
import { adminFixture, assertError } from './admin-fixture.ts';
import { FakeHost } from './fake-host.ts';

test('/readyz is 200 with each check when the store and sandbox answer', async () => {
  const { app } = adminFixture();
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { ready: true, checks: [{ name: 'store', ok: true }, { name: 'sandbox', ok: true }] });
});

test('a failing store makes /readyz 503 PLEXUS_UNAVAILABLE with the reason, in the error body shape', async () => {
  const host = new FakeHost();
  host.storeError = new Error('database is locked');
  const { app } = adminFixture({ readiness: hostReadiness(host) });
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  const error = assertErrorWithChecks(response);
  assert.equal(error.code, 'PLEXUS_UNAVAILABLE');
  assert.match(error.message, /store: database is locked/);
  assert.deepEqual(response.json().checks, [{ name: 'store', ok: false, reason: 'database is locked' }, { name: 'sandbox', ok: true }]);
});

test('a check that does not answer in time fails with a timeout reason', async () => {
  const host = new FakeHost();
  host.sandboxDelayMs = 500;
  const readiness = hostReadiness(host, { timeoutMs: 50 });
  const report = await readiness.run();
  assert.equal(report.ready, false);
  assert.deepEqual(report.checks.find((c) => c.name === 'sandbox'), { name: 'sandbox', ok: false, reason: 'no answer within 50 ms' });
});

test('checks can be added (a broker consumer) and removed again; names are unique', async () => {
  const readiness = new Readiness();
  let connected = false;
  const remove = readiness.add('amqp/orders', async () => {
    if (!connected) throw new Error('not connected');
  });
  assert.throws(() => readiness.add('amqp/orders', async () => {}), /already registered/);
  assert.deepEqual(await readiness.run(), { ready: false, checks: [{ name: 'amqp/orders', ok: false, reason: 'not connected' }] });
  connected = true;
  assert.equal((await readiness.run()).ready, true);
  remove();
  assert.deepEqual(readiness.names, []);
  assert.deepEqual(await readiness.run(), { ready: true, checks: [] });
});

test('a synchronous throw in a check is a failed check, not a crashed probe', async () => {
  const readiness = new Readiness();
  readiness.add('sync', (() => {
    throw new Error('sync failure');
  }) as () => Promise<void>);
  assert.deepEqual(await readiness.run(), { ready: false, checks: [{ name: 'sync', ok: false, reason: 'sync failure' }] });
});

function assertErrorWithChecks(response: Parameters<typeof assertError>[0]) {
  assert.equal(response.statusCode, 503);
  const body = response.json() as { error: { code: string; message: string }; ready: boolean };
  assert.equal(body.ready, false);
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}
