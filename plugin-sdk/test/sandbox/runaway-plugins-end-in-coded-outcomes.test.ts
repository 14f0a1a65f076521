import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const cases: [keyof typeof HOSTILE, string, 'timeout' | 'oom' | undefined][] = [
  ['infiniteLoop', 'PLEXUS_TIMEOUT', 'timeout'],
  ['microtaskLoop', 'PLEXUS_TIMEOUT', 'timeout'],
  ['neverSettles', 'PLEXUS_TIMEOUT', 'timeout'],
  ['allocationBomb', 'PLEXUS_OUT_OF_MEMORY', 'oom'],
  ['deepRecursion', 'PLEXUS_PLUGIN_ERROR', undefined],
  ['hugeEmit', 'PLEXUS_PAYLOAD_TOO_LARGE', undefined],
];

for (const [name, code, restart] of cases) {
  test(`${HOSTILE[name]!.name} ends in ${code}${restart ? ', its instance is replaced,' : ''} and a healthy plugin is still served`, async () => {
    const spec = await sandbox.spec(HOSTILE[name]!);
    const started = Date.now();
    const result = await sandbox.run(spec);
    const outcome = result.outcomes[0];
    assert.equal(outcome?.ok, false);
    assert.equal(!outcome?.ok && outcome?.error.code, code, JSON.stringify(outcome));
    if (restart) assert.deepEqual(result.restarts, [{ key: spec.key, cause: restart }]);
    else assert.deepEqual(result.restarts, []);
    assert.ok(Date.now() - started < 15_000, 'bounded in time');
    const healthy = await sandbox.run(await sandbox.spec(HOSTILE.healthy!));
    assert.equal(healthy.outcomes[0]?.ok, true);
    // The runaway plugin itself is served again on a fresh instance.
    const again = await sandbox.run(spec);
    assert.equal(again.outcomes.length, 1);
  });
}

test('ArrayBuffer allocations count against the memory limit', async () => {
  const result = await sandbox.run(await sandbox.spec(HOSTILE.bufferBomb!));
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, false);
  assert.match(!outcome?.ok ? String(outcome?.error.code) + outcome?.error.message : '', /PLEXUS_OUT_OF_MEMORY|allocation failed/i);
});

test('resizable ArrayBuffers cannot grow past the memory limit: no resize, no transfer of one, however the plugin patches its globals', async () => {
  const rss = async () => (await sandbox.pool.stats()).rssBytes;
  for (const fixture of [HOSTILE.resizableBuffer!, HOSTILE.resizableTransfer!]) {
    const outcome = (await sandbox.run(await sandbox.spec(fixture))).outcomes[0];
    assert.equal(outcome?.ok, false, fixture.name);
    assert.match(!outcome?.ok ? outcome?.error.message ?? '' : '', /resize is not a function|resizable buffer is not available/, fixture.name);
  }
  const stealth = (await sandbox.run(await sandbox.spec(HOSTILE.resizableByStealth!))).outcomes[0];
  assert.equal(stealth?.ok, false, 'the transfer of a resizable buffer is refused even with resizable patched to false');
  assert.ok((await rss()) < 1024 * 1024 * 1024, 'the sandbox did not grow by gigabytes');
});

test('a batch with one runaway event charges only that event: the others succeed', async () => {
  const spec = await sandbox.spec({
    name: 'mixed',
    limits: { timeoutMs: 300 },
    source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(event) { if (event.data.loop) while (true) {} } });`,
  });
  const events = [false, false, true, false].map((loop, i) => ({ specversion: '1.0', id: String(i), source: 'test', type: 'test.x', data: { loop } }));
  const result = await sandbox.pool.run(spec, events);
  assert.deepEqual(result.outcomes.map((o) => (o.ok ? 'ok' : o.error.code)), ['ok', 'ok', 'PLEXUS_TIMEOUT', 'ok']);
});
