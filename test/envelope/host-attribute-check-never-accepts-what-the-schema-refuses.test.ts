import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { validateEnvelope } from '../../src/envelope/index.ts';
import { areHostAttributesValid, quickContentType } from '../../src/envelope/host-attributes.ts';

// The quick check lets wrapPlainBody skip the schema, so it must never say
// yes where the schema says no. Saying no where the schema says yes only
// costs a full validation.
const ids = ['1700000000000-0', 'x', '', ' ', 'a/b:c', '\u0000'];
const sources = [
  'redis/stream:orders', 'redis/list:jobs', 'redis/channel:news.*', 'webhook/github', 'amqp/orders', 'a',
  '', ' ', 'has space', 'a/%zz', 'a/%41', '1a:b', 'a:b', '//host/path', '/abs', 'a//b', 'a/b?c#d', 'a/[x]', 'a/"q"', 'é/x', 'a/b\\c', 'a/\u0000',
];
const types = ['order.paid', 'bench.tick', 'a', 'a..b', '.a', 'a.', 'a b', 'x:y.z-w_v', '', 'a'.repeat(256), 'order.*'];

function schemaAccepts(id: string, source: string, type: string, more: Record<string, unknown> = {}): boolean {
  try {
    validateEnvelope({ ...more, specversion: '1.0', id, source, type, data: { n: 1 } });
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

const contentTypes = [
  'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/cloudevents+json', 'application/vnd.github+json',
  '', ' ', 'json', '/json', 'application/', 'application json', 'a/b;', 'a/b; q="x y"', '\u0000/x', 'é/x', 'a/' + 'b'.repeat(200), 7, true, null,
];

test('the quick check of a transport content type only accepts what the envelope schema accepts, and only when it is the one attribute', () => {
  let vouched = 0;
  for (const contentType of contentTypes) {
    const quick = quickContentType({ datacontenttype: contentType });
    if (quick === false) continue;
    vouched++;
    assert.equal(quick, contentType);
    assert.ok(schemaAccepts('x', 'webhook/github', 'github.push', { datacontenttype: contentType }), `quick check accepted ${JSON.stringify(contentType)}, the schema refuses it`);
  }
  assert.ok(vouched >= 5, 'it vouches for the content types transports send');
  assert.equal(quickContentType(undefined), undefined);
  assert.equal(quickContentType({}), undefined);
  assert.equal(quickContentType({ datacontenttype: 'application/json', subject: 'x' }), false, 'any other attribute goes through the schema');
  assert.equal(quickContentType({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), false);
});
