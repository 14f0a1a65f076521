import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toEnvelope, wrapPlainBody } from '../../src/envelope/index.ts';
import { assertInvalidEvent } from './expect-invalid-event.ts';

const now = Date.UTC(2024, 0, 2, 3, 4, 5);
const base = { source: 'webhook/github', type: 'github.push', now };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('the body becomes data of a normalised CloudEvents 1.0 envelope', () => {
  const event = wrapPlainBody({ ...base, body: { ref: 'refs/heads/main' }, id: 'delivery-1' });
  assert.deepEqual(event, {
    specversion: '1.0',
    id: 'delivery-1',
    source: 'webhook/github',
    type: 'github.push',
    data: { ref: 'refs/heads/main' },
    time: '2024-01-02T03:04:05.000Z',
    datacontenttype: 'application/json',
    priority: 4,
  });
});

test('without an id, a fresh random UUID is minted each time', () => {
  const a = wrapPlainBody({ ...base, body: 1 });
  const b = wrapPlainBody({ ...base, body: 1 });
  assert.match(a.id, UUID);
  assert.notEqual(a.id, b.id);
});

test('a body that looks like an envelope is still data when the caller wraps it', () => {
  const body = { id: 'x', type: 'y', source: 'z' };
  assert.deepEqual(wrapPlainBody({ ...base, body }).data, body);
});

test('bytes become data_base64 labelled application/octet-stream', () => {
  const event = wrapPlainBody({ ...base, body: new Uint8Array([0, 1, 2, 255]) });
  assert.equal(event.data_base64, 'AAEC/w==');
  assert.equal(event.data, undefined);
  assert.equal(event.datacontenttype, 'application/octet-stream');
});

test('binary-mode headers of HTTP, Kafka and AMQP fill optional attributes', () => {
  const event = wrapPlainBody({
    ...base,
    body: 'hello',
    headers: {
      'Content-Type': 'text/plain',
      'CE-Priority': '8',
      'ce-subject': 'caf%C3%A9',
      ce_partitionkey: 'customer-1',
      'cloudEvents:idempotencykey': 'k-1',
      cloudEvents_tenant: 'acme',
      'x-unrelated': 'ignored',
    },
  });
  assert.equal(event.datacontenttype, 'text/plain');
  assert.equal(event.priority, 8);
  assert.equal(event.subject, 'café');
  assert.equal(event.partitionkey, 'customer-1');
  assert.equal(event.idempotencykey, 'k-1');
  assert.equal(event.tenant, 'acme');
  assert.equal(event['x-unrelated'], undefined);
});

test('ce-id is used when the caller gives no id, and the caller id wins over it', () => {
  assert.equal(wrapPlainBody({ ...base, body: 1, headers: { 'ce-id': 'from-header' } }).id, 'from-header');
  assert.equal(wrapPlainBody({ ...base, body: 1, id: 'given', headers: { 'ce-id': 'from-header' } }).id, 'given');
});

test('headers cannot override source, type or specversion, which the ingress decides', () => {
  const event = wrapPlainBody({ ...base, body: 1, headers: { 'ce-source': 'webhook/stripe', 'ce-type': 'admin.delete', 'ce-specversion': '0.3' } });
  assert.equal(event.source, 'webhook/github');
  assert.equal(event.type, 'github.push');
  assert.equal(event.specversion, '1.0');
});

test('a W3C traceparent header is propagated; an invalid one is ignored with its tracestate', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const ok = wrapPlainBody({ ...base, body: 1, headers: { traceparent, tracestate: 'a=1' } });
  assert.equal(ok.traceparent, traceparent);
  assert.equal(ok.tracestate, 'a=1');
  const bad = wrapPlainBody({ ...base, body: 1, headers: { traceparent: 'garbage', tracestate: 'a=1' } });
  assert.equal(bad.traceparent, undefined);
  assert.equal(bad.tracestate, undefined);
});

test('an invalid priority header is refused naming priority', () => {
  assertInvalidEvent(() => wrapPlainBody({ ...base, body: 1, headers: { 'ce-priority': 'urgent' } }), 'priority');
  assertInvalidEvent(() => wrapPlainBody({ ...base, body: 1, headers: { 'ce-priority': '12' } }), 'priority');
});

test('an invalid type or source given by the caller is refused', () => {
  assertInvalidEvent(() => wrapPlainBody({ ...base, type: 'github..push', body: 1 }), 'type');
  assertInvalidEvent(() => wrapPlainBody({ ...base, source: '', body: 1 }), 'source');
});

test('multi-valued and empty header values are handled like node joins them', () => {
  const event = wrapPlainBody({ ...base, body: 1, headers: { 'ce-tags': ['a', 'b'], 'ce-none': undefined, 'ce-nil': null } });
  assert.equal(event.tags, 'a, b');
  assert.equal(Object.hasOwn(event, 'none'), false);
  assert.equal(Object.hasOwn(event, 'nil'), false);
});

test('a ce-__proto__ header is refused as an attribute name, not applied to the prototype', () => {
  assertInvalidEvent(() => wrapPlainBody({ ...base, body: 1, headers: { 'ce-__proto__': 'x' } }), '__proto__');
});

test('an empty id given by the caller is refused', () => {
  assertInvalidEvent(() => wrapPlainBody({ ...base, id: '', body: 1 }), 'id');
});

test('a source the quick check does not vouch for is still validated in full: absolute URIs pass, malformed ones are refused', () => {
  assert.equal(wrapPlainBody({ ...base, source: 'https://example.com/hooks?x=1', body: 1 }).source, 'https://example.com/hooks?x=1');
  assert.equal(wrapPlainBody({ ...base, source: '/absolute/path', body: 1 }).source, '/absolute/path');
  assertInvalidEvent(() => wrapPlainBody({ ...base, source: 'has space', body: 1 }), 'source');
  assertInvalidEvent(() => wrapPlainBody({ ...base, source: 'a/%zz', body: 1 }), 'source');
});

test('a wrapped body is the envelope its equivalent structured CloudEvent makes, key for key and in the same order', () => {
  for (const body of [{ ref: 'refs/heads/main' }, null, 'text', 7, [1, 2]]) {
    const wrapped = wrapPlainBody({ ...base, body, id: 'd-1' });
    const structured = toEnvelope({ specversion: '1.0', id: 'd-1', source: base.source, type: base.type, data: body }, { source: '', type: '', now });
    assert.equal(JSON.stringify(wrapped), JSON.stringify(structured));
  }
  const bytes = wrapPlainBody({ ...base, body: new Uint8Array([1, 2, 3]), id: 'd-2' });
  const structured = toEnvelope({ specversion: '1.0', id: 'd-2', source: base.source, type: base.type, data_base64: 'AQID' }, { source: '', type: '', now });
  assert.equal(JSON.stringify(bytes), JSON.stringify(structured));
});
