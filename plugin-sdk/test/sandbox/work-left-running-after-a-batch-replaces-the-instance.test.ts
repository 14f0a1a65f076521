// A plugin that starts a kv (or fetch) call and returns without awaiting it
// leaves work behind: when the answer comes, its code would run with no call
// around it, so with no time limit, and a loop there would hold the isolate
// until the next call blocked the worker and the sandbox process had to be
// ended, taking every plugin's batches with it. Such an instance is replaced
// before the answer reaches it (restart cause `detached`), and other plugins
// never notice. A batch run as a sync call returns before its calls reach the
// worker, so its replacement is reported on its own (onLateRestart).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { slowKvPool, testEvent } from './sandbox-fixture.ts';

const slow = slowKvPool();

const event = testEvent;
const options = { grants: ['kv'], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } };

test('an instance whose plugin left a kv call running is replaced, and the sandbox keeps serving everyone', { timeout: 30_000 }, async () => {
  const detached = (await loadPlugin(await writePlugin({
    name: 'detached',
    capabilities: { kv: true },
    limits: { timeoutMs: 500 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ execute(e, ctx) { if (e.data.arm) ctx.kv.get('d:200').then(() => { while (true) {} }); } });`,
  }, slow.dir), options)).spec;
  const good = (await loadPlugin(await writePlugin({ name: 'good', source: "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });" }, slow.dir), options)).spec;

  const armed = await slow.pool.run(detached, [event({ arm: true })]);
  assert.equal(armed.outcomes[0]?.ok, true, 'the batch itself succeeded');
  // Past the moment the kv answer arrives (200 ms).
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = performance.now();
  const [again, other] = await Promise.all([slow.pool.run(detached, [event({})]), slow.pool.run(good, [event({})])]);
  assert.deepEqual([...armed.restarts, ...again.restarts].map((r) => r.cause).concat(slow.lateCauses(detached.key)), ['detached']);
  assert.equal(again.outcomes[0]?.ok, true, 'a fresh instance serves the plugin');
  assert.equal(other.outcomes[0]?.ok, true, 'another plugin is untouched');
  assert.ok(performance.now() - started < 2000, 'nobody waited on a held isolate');
  assert.equal(slow.pool.crashes, 0, 'the sandbox process never died');
});
