// W3C Trace Context allows tracestate headers well over the 512 characters an
// event keeps. Tracing metadata must never get a request refused: a long
// header is truncated the way the spec says (large members first, then from
// the end), one with more than 32 members is dropped, and the event is valid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fittedTracestate } from '../../src/envelope/tracestate.ts';
import { toEnvelope } from '../../src/envelope/to-envelope.ts';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const member = (i: number, valueChars = 20) => `vendor${i}=${'x'.repeat(valueChars)}`;

test('a tracestate that fits is kept as it came', () => {
  const value = [member(1), member(2)].join(',');
  assert.equal(fittedTracestate(value), value);
});

test('over 512 characters: members over 128 characters go first, then members from the end', () => {
  const large = member(99, 200);
  const members = [member(0), large, ...Array.from({ length: 20 }, (_, i) => member(i + 1))];
  const fitted = fittedTracestate(members.join(' , ')) as string;
  assert.ok(fitted.length <= 512, String(fitted.length));
  assert.ok(!fitted.includes('vendor99='), 'the large member is removed first');
  const kept = fitted.split(',');
  assert.deepEqual(kept, [member(0), ...Array.from({ length: kept.length - 1 }, (_, i) => member(i + 1))], 'the members kept are the first ones, in order');
  assert.ok(kept.join(',').length + 1 + member(kept.length).length > 512, 'no further member would have fitted');
});

test('more than 32 members, or nothing left that fits: no tracestate', () => {
  assert.equal(fittedTracestate(Array.from({ length: 33 }, (_, i) => member(i)).join(',')), undefined);
  assert.equal(fittedTracestate(Array.from({ length: 5 }, (_, i) => member(i, 200)).join(',')), undefined);
});

test('an event whose headers carry a 32-member, 949-character tracestate is accepted with the truncated one', () => {
  const tracestate = Array.from({ length: 32 }, (_, i) => member(i)).join(',');
  assert.equal(tracestate.length, 949);
  const event = toEnvelope({ a: 1 }, { source: 'webhook/test', type: 'orders.created', now: Date.now(), headers: { traceparent: TRACEPARENT, tracestate } });
  assert.equal(event.traceparent, TRACEPARENT);
  assert.ok(typeof event.tracestate === 'string' && event.tracestate.length <= 512 && tracestate.startsWith(event.tracestate));
});
