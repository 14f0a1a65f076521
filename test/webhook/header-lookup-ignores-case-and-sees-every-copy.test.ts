// Header names are case-insensitive, and records from node, fastify and tests
// may spell one name several ways at once: every copy counts, so a header
// sent twice under two spellings is refused rather than one copy picked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerValues, singleHeader } from '../../src/ingress/webhook/headers.ts';

test('every copy of a header is found, whatever the case of its key', () => {
  const headers = { 'x-github-delivery': 'a', 'X-GitHub-Delivery': ['b', 'c'], 'X-GITHUB-DELIVERY': undefined, 'x-github-deliveryy': 'd', 'x-github-deliver': 'e' };
  assert.deepEqual(headerValues(headers, 'X-GitHub-Delivery'), ['a', 'b', 'c']);
  assert.deepEqual(headerValues(headers, 'x-github-deliver'), ['e']);
  assert.deepEqual(headerValues(headers, 'x-missing'), []);
});

test('only the record own keys are headers', () => {
  const inherited = Object.create({ 'x-signature': 'from the prototype' }) as Record<string, string>;
  inherited['X-Other'] = 'mine';
  assert.deepEqual(headerValues(inherited, 'x-signature'), []);
  assert.deepEqual(headerValues(inherited, 'x-other'), ['mine']);
});

test('one header sent under two spellings is refused as sent twice', () => {
  assert.throws(() => singleHeader({ 'webhook-id': 'a', 'Webhook-Id': 'b' }, 'webhook-id', 'PLEXUS_BAD_SIGNATURE', 'Standard Webhooks'), { code: 'PLEXUS_BAD_SIGNATURE', message: /sent 2 times/ });
  assert.equal(singleHeader({ 'Webhook-Id': ' msg_1 ' }, 'webhook-id', 'PLEXUS_BAD_SIGNATURE', 'x'), 'msg_1');
});
