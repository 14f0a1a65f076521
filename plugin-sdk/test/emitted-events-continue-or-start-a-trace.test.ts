import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toEmittedEvents } from '../src/emitted-events.ts';
import { parseTraceparent } from '../src/traceparent.ts';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

test('an emitted event continues its cause trace, or starts a valid new one when the cause had none', () => {
  const [continued] = toEmittedEvents([{ type: 'a.b', data: '{"__proto__":{"x":1},"n":1}' }], { traceparent: PARENT }, { name: 'p' });
  assert.equal(parseTraceparent(continued?.traceparent)?.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.notEqual(parseTraceparent(continued?.traceparent)?.parentId, 'b7ad6b7169203331');
  assert.deepEqual(Object.keys(continued?.data as object), ['n']);
  assert.equal(continued?.source, 'plugin/p');
  const [fresh] = toEmittedEvents([{ type: 'a.b' }], { traceparent: 'garbage' }, { name: 'p' });
  assert.ok(parseTraceparent(fresh?.traceparent), `a valid traceparent: ${fresh?.traceparent}`);
  assert.equal('data' in (fresh ?? {}), false);
});
