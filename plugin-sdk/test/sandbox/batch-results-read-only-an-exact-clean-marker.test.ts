// The runner inside an isolate writes a bare 1 for an outcome with nothing
// emitted or logged (isolate-bootstrap.ts). The host reads exactly that as a
// clean success and anything else as before: a look-alike is malformed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBatch, CLEAN_OK } from '../../src/sandbox/outcome-check.ts';
import type { Denial, PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';

const spec = { key: 'k', name: 'p', version: '1.0.0', root: '/x', main: 'm.js', config: {}, capabilities: { kv: false, emit: null, http: [], secrets: [] }, secrets: {}, limits: { memoryMb: 64, timeoutMs: 1000, maxEmitBytes: 1024, maxEmitsPerEvent: 10, maxKvValueBytes: 1024, maxLogsPerCall: 10 } } as unknown as PluginRuntimeSpec;

test('1 is a clean success; 2, "1", true and an object with logs are read as what they are', () => {
  const results = [1, { ok: true, emitted: [], logs: [{ level: 'info', message: 'hi', time: 5 }], droppedLogs: 0 }, 2, '1', true, null];
  const denials: Denial[] = [];
  const checked = checkBatch(JSON.stringify({ results, instanceLogs: [] }), results.length, spec, denials);
  assert.ok(checked);
  const [clean, logged, two, text, yes, unsettled] = checked.outcomes;
  assert.equal(clean, CLEAN_OK);
  assert.deepEqual(logged, { ok: true, emitted: [], logs: [{ level: 'info', message: 'hi', time: 5 }], droppedLogs: 0 });
  for (const bad of [two, text, yes]) assert.equal(bad?.ok === false && bad.error.message, 'the sandbox returned a malformed outcome');
  assert.equal(unsettled, null);
  assert.deepEqual(denials, []);
});
