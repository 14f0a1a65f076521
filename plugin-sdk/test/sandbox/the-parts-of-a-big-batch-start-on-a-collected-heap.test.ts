// A batch too big for its isolate runs in parts on one instance
// (worker-runtime.ts). Each part of one event of 1 MiB U+FFFD (2 MB) left ~2
// MB of its copy and parse on an 8 MB heap, uncollected when the next part
// began; on a busy machine a marking cycle that spanned the two parts counted
// both live, and isolated-vm ended the instance for memory: an event that
// fitted was charged PLEXUS_OUT_OF_MEMORY (the full suite, 3 files at a time
// on 2 cores; 3 of 40 runs of values-too-big-...test.ts with 4 copies at a
// time). The worker now collects the heap before each part after the first.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { HostCallGate } from '../../src/sandbox/host-call-gate.ts';
import { PluginInstance } from '../../src/sandbox/instance.ts';
import { loadSdkSource } from '../../src/sandbox/sdk-source.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

const MB = 1024 * 1024;
let dir: string;
let instance: PluginInstance;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-collected-parts-'));
  // init replaces the realm's ArrayBuffer: the collection must not run plugin code.
  const source = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  init() { globalThis.ArrayBuffer = function () { globalThis.called = true; }; },
  execute(e, ctx) { if (e.data === 'keep') globalThis.kept = new Array(${MB / 4}).fill(0.5); ctx.log.info('seen', { n: e.data.length, replaced: ArrayBuffer.name !== 'ArrayBuffer', called: globalThis.called === true }); },
});`;
  const root = await writePlugin({ name: 'collected-parts', limits: { memoryMb: 8, timeoutMs: 10_000 }, source }, dir);
  const { spec } = await loadPlugin(root, { grants: [], ceiling: { memoryMb: 128, timeoutMs: 30_000 } });
  instance = await PluginInstance.create(spec, await loadSdkSource(), { kv: async () => 'null', fetch: async () => '{}', denied: () => undefined, calls: new HostCallGate() });
});

after(async () => {
  instance.dispose();
  await rm(dir, { recursive: true, force: true });
});

const part = (data: string) => JSON.stringify([{ specversion: '1.0', id: 'p', source: 'test', type: 'test.event', data }]);

test('after a part of one 2 MB event, a collection leaves the heap what it held before the part', { timeout: 30_000 }, async () => {
  const empty = await instance.usedHeapBytes();
  for (let i = 0; i < 4; i++) {
    const result = await instance.runBatch(part('\ufffd'.repeat(MB)));
    assert.ok('json' in result, `part ${i} ran`);
    const left = await instance.usedHeapBytes();
    assert.ok(left > empty + MB, `part ${i}: the event is still on the heap (${left} of ${empty} before)`);
    await instance.collectGarbage();
    const collected = await instance.usedHeapBytes();
    assert.ok(collected < empty + MB / 4, `part ${i}: collected to ${collected}, ${empty} before any part`);
  }
});

test('what the plugin still holds is kept, the instance lives on, and no plugin code runs', { timeout: 30_000 }, async () => {
  const empty = await instance.usedHeapBytes();
  assert.ok('json' in (await instance.runBatch(part('keep'))));
  await instance.collectGarbage();
  assert.ok((await instance.usedHeapBytes()) > empty + 1.5 * MB, 'the 2 MB of doubles the plugin keeps survive');
  const next = await instance.runBatch(part('x'));
  assert.ok('json' in next);
  assert.deepEqual(JSON.parse(next.json).results[0].logs[0].fields, { n: 1, replaced: true, called: false });
  assert.equal(instance.disposed, false);
});

test('collecting a disposed instance does nothing', async () => {
  const gone = instance;
  gone.dispose();
  await gone.collectGarbage();
  assert.equal(await gone.usedHeapBytes(), 0);
});
