// The pure derivations: event type and delivery id from headers or body.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldProblem } from '@plexus/plugin-sdk/runtime';
import { deriveEventType, extractDeliveryId, type EventTypeRule } from '../../src/ingress/webhook/index.ts';
import { compileEventTypeRule } from '../../src/ingress/webhook/event-type.ts';
import { compileJsonPath, readJsonPath } from '../../src/ingress/webhook/json-path.ts';
import { assertPlexusError } from './helpers.ts';

function rule(config: Parameters<typeof compileEventTypeRule>[0]): EventTypeRule {
  const problems: FieldProblem[] = [];
  const compiled = compileEventTypeRule(config, 'type', problems);
  assert.deepEqual(problems, []);
  assert.ok(compiled);
  return compiled;
}

describe('deriveEventType', () => {
  test('returns a fixed type whatever the request holds', () => {
    assert.equal(deriveEventType(rule({ from: 'fixed', value: 'luminaguard.task' }), { headers: { 'X-GitHub-Event': 'push' }, body: { type: 'x' } }), 'luminaguard.task');
  });

  test('reads a header case-insensitively and applies the prefix (X-GitHub-Event: push → github.push)', () => {
    const github = rule({ from: 'header', header: 'X-GitHub-Event', prefix: 'github.' });
    assert.equal(deriveEventType(github, { headers: { 'x-github-event': 'push' }, body: {} }), 'github.push');
    assert.equal(deriveEventType(github, { headers: { 'X-GITHUB-EVENT': 'pull_request' }, body: {} }), 'github.pull_request');
  });

  test('follows a JSON path into the body ($.event.type, bracket and index segments)', () => {
    const body = { event: { type: 'invoice.paid' }, items: [{ 'kind name': 'order.created' }] };
    assert.equal(deriveEventType(rule({ from: 'body', path: '$.event.type' }), { headers: {}, body }), 'invoice.paid');
    assert.equal(deriveEventType(rule({ from: 'body', path: "$.items[0]['kind name']", prefix: 'shop.' }), { headers: {}, body }), 'shop.order.created');
  });

  test('refuses a missing, non-string, inherited or malformed type with PLEXUS_INVALID_EVENT', () => {
    const header = rule({ from: 'header', header: 'X-Event' });
    const body = rule({ from: 'body', path: '$.type' });
    assertPlexusError(() => deriveEventType(header, { headers: {}, body: {} }), 'PLEXUS_INVALID_EVENT', /header X-Event is missing/);
    assertPlexusError(() => deriveEventType(header, { headers: { 'x-event': ['a', 'b'] }, body: {} }), 'PLEXUS_INVALID_EVENT', /sent 2 times/);
    assertPlexusError(() => deriveEventType(body, { headers: {}, body: { type: 42 } }), 'PLEXUS_INVALID_EVENT', /body \$\.type is missing or not a string/);
    assertPlexusError(() => deriveEventType(body, { headers: {}, body: undefined }), 'PLEXUS_INVALID_EVENT', /missing/);
    assertPlexusError(() => deriveEventType(body, { headers: {}, body: { type: 'a..b' } }), 'PLEXUS_INVALID_EVENT', /not dot-separated words: "a\.\.b"/);
    const proto = rule({ from: 'body', path: '$.constructor.name' });
    assertPlexusError(() => deriveEventType(proto, { headers: {}, body: {} }), 'PLEXUS_INVALID_EVENT', /missing/);
  });
});

describe('JSON paths', () => {
  test('compile to segments and read only own properties and in-range indexes', () => {
    assert.deepEqual(compileJsonPath(`$.a['b.c']["d"][2]`).segments, ['a', 'b.c', 'd', 2]);
    assert.deepEqual(compileJsonPath('$').segments, []);
    assert.equal(readJsonPath({ a: [1, 2] }, compileJsonPath('$.a[1]')), 2);
    assert.equal(readJsonPath({ a: [1, 2] }, compileJsonPath('$.a[2]')), undefined);
    assert.equal(readJsonPath({ a: 'text' }, compileJsonPath('$.a.length')), undefined);
    assert.equal(readJsonPath(JSON.parse('{"__proto__":{"x":"own"}}'), compileJsonPath('$.__proto__.x')), 'own');
  });
});

describe('extractDeliveryId', () => {
  test('reads the id from a header or from the body; integer ids become their decimal text', () => {
    assert.equal(extractDeliveryId({ from: 'header', header: 'X-GitHub-Delivery' }, { headers: { 'x-github-delivery': '72d3162e' }, body: {} }), '72d3162e');
    const path = compileJsonPath('$.id');
    assert.equal(extractDeliveryId({ from: 'body', path }, { headers: {}, body: { id: 'evt_1' } }), 'evt_1');
    assert.equal(extractDeliveryId({ from: 'body', path }, { headers: {}, body: { id: 123456 } }), '123456');
  });

  test('refuses a missing, non-scalar or oversized id with PLEXUS_INVALID_REQUEST so id-less deliveries cannot skip dedup', () => {
    const path = compileJsonPath('$.id');
    assertPlexusError(() => extractDeliveryId({ from: 'header', header: 'X-GitHub-Delivery' }, { headers: {}, body: {} }), 'PLEXUS_INVALID_REQUEST', /header X-GitHub-Delivery is missing/);
    assertPlexusError(() => extractDeliveryId({ from: 'body', path }, { headers: {}, body: { id: { nested: 1 } } }), 'PLEXUS_INVALID_REQUEST', /body \$\.id is missing/);
    assertPlexusError(() => extractDeliveryId({ from: 'body', path }, { headers: {}, body: { id: 1.5 } }), 'PLEXUS_INVALID_REQUEST', /missing/);
    assertPlexusError(() => extractDeliveryId({ from: 'body', path }, { headers: {}, body: { id: 'x'.repeat(257) } }), 'PLEXUS_INVALID_REQUEST', /longer than 256/);
  });
});
