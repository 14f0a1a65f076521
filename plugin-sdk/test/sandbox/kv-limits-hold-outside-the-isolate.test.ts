// The kv limits (key 1-512 characters, value within maxKvValueBytes and
// JSON, ttl positive) are checked in the isolate, beside plugin code, and
// again by the worker on what actually crosses: a plugin that rewrites its
// arguments after the isolate's checks (here through Array.prototype.toJSON)
// gets a refusal, and the host's store never sees the call.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { checkKvCall } from '../../src/sandbox/kv-call-check.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

let pool: SandboxPool;
let dir: string;
const reached: { op: string; args: unknown[] }[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-kv-limits-'));
  pool = await SandboxPool.start({
    threads: 1,
    kv: async (_plugin, op, args) => {
      reached.push({ op, args });
      return null;
    },
  });
});

after(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

test('arguments rewritten after the isolate checked them are refused before the host', { timeout: 30_000 }, async () => {
  const root = await writePlugin({
    name: 'kv-rewriter',
    capabilities: { kv: true },
    limits: { memoryMb: 128 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(e, ctx) {
  const big = 'x'.repeat(2 * 1024 * 1024);
  Array.prototype.toJSON = function () { delete Array.prototype.toJSON; return ['k', JSON.stringify(big), null]; };
  await ctx.kv.set('k', 1);
} });`,
  }, dir);
  const { spec } = await loadPlugin(root, { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 512, timeoutMs: 30_000 } });
  const result = await pool.run(spec, [{ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.event', data: {} }]);
  const [outcome] = result.outcomes;
  assert.equal(outcome?.ok, false);
  assert.equal(outcome?.ok === false ? outcome.error.code : undefined, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.deepEqual(reached, [], 'the host never saw the call');
});

test('each kv operation is checked for its own shape', () => {
  const max = 64;
  const code = (op: string, args: unknown) => {
    const check = checkKvCall(op, typeof args === 'string' ? args : JSON.stringify(args), max);
    return check.ok ? 'ok' : check.error.code;
  };
  assert.equal(code('get', ['k']), 'ok');
  assert.equal(code('delete', ['k']), 'ok');
  assert.equal(code('set', ['k', '{"a":1}', null]), 'ok');
  assert.equal(code('set', ['k', '"v"', 1000]), 'ok');
  assert.equal(code('incr', ['k', -2.5]), 'ok');
  assert.equal(code('get', 'not json'), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('get', { 0: 'k' }), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('get', ['']), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('get', ['k'.repeat(513)]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('get', ['k', 'extra']), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('set', ['k', JSON.stringify('x'.repeat(max)), null]), 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.equal(code('set', ['k', '{not json', null]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('set', ['k', '1', -5]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('set', ['k', '1', 0]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('set', ['k', 1, null]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('incr', ['k', null]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('incr', ['k', 1e400]), 'PLEXUS_INVALID_REQUEST');
  assert.equal(code('drop', ['k']), 'PLEXUS_INVALID_REQUEST');
});
