import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost, type TestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

async function hostFor(t: TestContext, grants = ['emit:audit.payments.*']): Promise<TestHost> {
  const host = await createTestHost({ plugin, grants });
  t.after(() => host.close());
  return host;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const payment = { id: 'pay-1', accountId: 'acct-42', amount: 1250, status: 'succeeded' };

test('routes a payment to audit.payments.<status>, partitioned by account, on the same trace', async (t) => {
  const host = await hostFor(t);

  const outcome = await host.deliver({ id: 'evt-1', source: 'webhook/stripe', type: 'payments.card.settled', time: '2026-03-01T12:00:00Z', data: payment, traceparent: TRACEPARENT });

  assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
  assert.equal(outcome.emitted.length, 1);
  const [audit] = outcome.emitted;
  assert.equal(audit?.type, 'audit.payments.succeeded');
  assert.equal(audit?.partitionkey, 'acct-42');
  assert.equal(audit?.source, 'plugin/@plexus/plugin-audit-router');
  assert.deepEqual(audit?.data, {
    paymentId: 'pay-1',
    accountId: 'acct-42',
    amount: 1250,
    cause: { id: 'evt-1', type: 'payments.card.settled', source: 'webhook/stripe', time: '2026-03-01T12:00:00Z' },
  });
  // Same trace id, a new parent span id: the audit event is a child of the payment event.
  const [version, traceId, parentId] = audit?.traceparent?.split('-') ?? [];
  assert.equal(version, '00');
  assert.equal(traceId, TRACE_ID);
  assert.notEqual(parentId, '00f067aa0ba902b7');
});

test('each outcome gets its own topic', async (t) => {
  const host = await hostFor(t);

  const outcomes = await host.deliverMany(['failed', 'refunded'].map((status) => ({ type: 'payments.updated', data: { ...payment, status } })));

  assert.deepEqual(outcomes.map((o) => o.emitted.map((e) => e.type)), [['audit.payments.failed'], ['audit.payments.refunded']]);
});

test('a payment without an account or a usable status is dead-lettered, emitting nothing', async (t) => {
  const host = await hostFor(t);

  const [noAccount, badStatus] = await host.deliverMany([
    { type: 'payments.updated', data: { id: 'pay-2', status: 'succeeded' } },
    { type: 'payments.updated', data: { ...payment, status: 'has.dots' } },
  ]);

  assert.equal(noAccount?.status, 'dead');
  assert.match(noAccount?.error?.message ?? '', /needs a string id and accountId/);
  assert.equal(badStatus?.status, 'dead');
  assert.match(badStatus?.error?.message ?? '', /no usable status/);
  assert.deepEqual([...(noAccount?.emitted ?? []), ...(badStatus?.emitted ?? [])], []);
});

test('an outcome outside the narrower grant is denied with PLEXUS_CAPABILITY_DENIED and dead-lettered', async (t) => {
  const host = await hostFor(t, ['emit:audit.payments.failed']);

  const [failed, succeeded] = await host.deliverMany([
    { type: 'payments.updated', data: { ...payment, status: 'failed' } },
    { type: 'payments.updated', data: payment },
  ]);

  assert.equal(failed?.status, 'ok');
  assert.equal(succeeded?.status, 'dead');
  assert.equal(succeeded?.error?.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(host.denials.map((d) => [d.capability, d.target]), [['emit', 'audit.payments.succeeded']]);
});

test('without an emit grant ctx.emit is absent and the event is dead-lettered', async (t) => {
  const host = await hostFor(t, []);

  const outcome = await host.deliver({ type: 'payments.updated', data: payment });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /needs an emit grant/);
});
