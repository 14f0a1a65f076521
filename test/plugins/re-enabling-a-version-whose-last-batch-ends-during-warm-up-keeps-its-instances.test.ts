// Disable a plugin while one of its batches runs (its instances are retired
// once that batch ends), then enable it again: the enable warms the same
// version, and that batch can end between the warm-up and the swap. The
// engine then sent the just-warmed instances to cleanup, and the first events
// after the enable ran on a version whose cleanup had run, on instances
// started cold behind the warm-up's back (a second init). Found by the
// seeded torture test (random-plugin-changes-under-load-...).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture, type HostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

const NAME = '@acme/held';
// The batch of event "slow" waits until the test sets kv "go"; init and cleanup are counted.
const SOURCE = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  async init(ctx) { await ctx.kv.incr('inits'); },
  async execute(event, ctx) {
    if (event.id === 'slow') while (!(await ctx.kv.get('go'))) await ctx.kv.get('tick');
    await ctx.kv.incr('n:' + event.id);
  },
  async cleanup(ctx) { await ctx.kv.incr('cleanups'); },
});
`;

const kv = async (key: string) => Number((await fx.host.store.kvGet(NAME, key, Date.now())) ?? 0);

test('enabling a version again keeps the instances it warmed, even when its last batch ends during the warm-up', async () => {
  const installed = await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, { name: NAME, version: '1.0.0', capabilities: { kv: true }, files: { 'dist/plugin.js': SOURCE } }), grants: ['kv'] });
  assert.equal(installed.change, 'installed');
  await fx.host.accept([orderEvent('slow')]);
  await eventually(() => fx.host.engine.runningRoots().length === 1, 'the slow batch running');
  await fx.host.pluginManager.update(NAME, { enabled: false });

  // The slow batch ends after the enable warmed the version and before it swaps it in.
  const sandbox = fx.host.sandbox;
  const warm = sandbox.warm.bind(sandbox);
  sandbox.warm = async (spec) => {
    const report = await warm(spec);
    await fx.host.store.kvSet(NAME, 'go', '1', null, Date.now());
    await eventually(() => fx.host.engine.runningRoots().length === 0, 'the slow batch over');
    return report;
  };
  try {
    await fx.host.pluginManager.update(NAME, { enabled: true });
  } finally {
    sandbox.warm = warm;
  }
  await fx.host.accept([orderEvent('after-enable')]);
  await eventually(async () => (await kv('n:after-enable')) === 1, 'the event after the enable executed');
  assert.equal(await kv('n:slow'), 1);
  assert.equal(await kv('cleanups'), 0, 'the warmed instances were not cleaned up');
  assert.equal(await kv('inits'), 1, 'no instance started cold after the enable');
});
