import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { validateEnvelope } from '../../src/envelope/index.ts';
import { areHostAttributesValid } from '../../src/envelope/host-attributes.ts';

// The quick check lets wrapPlainBody skip the schema, so it must never say
// yes where the schema says no. Saying no where the schema says yes only
// costs a full validation.
const ids = ['1700000000000-0', 'x', '', ' ', 'a/b:c', '\u0000'];
const sources = [
  'redis/stream:orders', 'redis/list:jobs', 'redis/channel:news.*', 'webhook/github', 'amqp/orders', 'a',
  '', ' ', 'has space', 'a/%zz', 'a/%41', '1a:b', 'a:b', '//host/path', '/abs', 'a//b', 'a/b?c#d', 'a/[x]', 'a/"q"', 'é/x', 'a/b\\c', 'a/\u0000',
];
const types = ['order.paid', 'bench.tick', 'a', 'a..b', '.a', 'a.', 'a b', 'x:y.z-w_v', '', 'a'.repeat(256), 'order.*'];

function schemaAccepts(id: string, source: string, type: string): boolean {
  try {
    validateEnvelope({ specversion: '1.0', id, source, type, data: { n: 1 } });
    return true;
  } catch (err) {
    if (err instanceof PlexusError && err.code === 'PLEXUS_INVALID_EVENT') return false;
    throw err;
  }
}

test('the quick check of host-set attributes only accepts what the envelope schema accepts', () => {
  let vouched = 0;
  for (const id of ids) {
    for (const source of sources) {
      for (const type of types) {
        if (!areHostAttributesValid(id, source, type)) continue;
        vouched++;
        assert.ok(schemaAccepts(id, source, type), `quick check accepted ${JSON.stringify({ id, source, type })}, the schema refuses it`);
      }
    }
  }
  // The check must actually vouch for what the ingresses produce, or it saves nothing.
  assert.ok(areHostAttributesValid('1700000000000-0', 'redis/stream:orders', 'order.paid'));
  assert.ok(areHostAttributesValid('delivery-1', 'webhook/github', 'github.push'));
  assert.ok(vouched > 50);
});
