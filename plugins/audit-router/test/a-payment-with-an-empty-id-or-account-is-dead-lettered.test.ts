import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

// An empty id names no payment, and an empty account id would put every such
// payment in one shared "" partition, in no account's audit trail: the README
// dead-letters a payment without them, and "" is without them.
test('a payment whose id or accountId is an empty string is dead-lettered, emitting nothing', async (t) => {
  const host = await createTestHost({ plugin, grants: ['emit:audit.payments.*'] });
  t.after(() => host.close());

  const outcomes = await host.deliverMany([
    { type: 'payments.updated', data: { id: '', accountId: 'acct-42', status: 'failed' } },
    { type: 'payments.updated', data: { id: 'pay-1', accountId: '', status: 'failed' } },
  ]);

  assert.deepEqual(outcomes.map((o) => o.status), ['dead', 'dead']);
  assert.deepEqual(outcomes.flatMap((o) => o.emitted), []);
  assert.match(outcomes[1]?.error?.message ?? '', /needs a string id and accountId/);
});
