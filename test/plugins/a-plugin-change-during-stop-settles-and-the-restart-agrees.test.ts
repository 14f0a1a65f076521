// Plugin changes meet a stopping host. A change asked for once the stop has
// begun is refused at once (PLEXUS_UNAVAILABLE); one already running ends
// before the sandbox closes. A configure reaching a stopped host used to send
// its warm-up to the closed sandbox and never settle, holding every plugin
// operation queued behind it. An upgrade racing the stop either lands or is
// refused, the restarted host runs what plugins.json says, and every event
// accepted before the stop is served.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture, streamEvents } from './host-fixture.ts';
import { packPlugin, writePluginFolder, type TestPlugin } from './plugin-packages.ts';

const NAME = '@acme/stopping';
const schema = { type: 'object', properties: { label: { type: 'string', default: 'none' } }, additionalProperties: false };
const version = (v: string, init = ''): TestPlugin => ({
  name: NAME,
  version: v,
  config: schema,
  capabilities: { kv: true },
  init,
  execute: `await ctx.kv.incr('n:' + event.id);`,
});
const settledWithin = <T>(work: Promise<T>, ms: number) =>
  Promise.race([work.then(() => 'fulfilled', (err: Error & { code?: string }) => err.code ?? err.message), new Promise<string>((resolve) => setTimeout(() => resolve('still pending'), ms))]);

test('a configure reaching a stopping or stopped host is refused, not left hanging', { timeout: 60_000 }, async () => {
  const fx = await startHostFixture();
  try {
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, version('1.0.0')), grants: ['kv'] });
    const before = await readFile(fx.host.pluginStatePath, 'utf8');
    await fx.host.stop();
    assert.equal(await settledWithin(fx.host.pluginManager.update(NAME, { config: { label: 'late' } }), 5_000), 'PLEXUS_UNAVAILABLE');
    assert.equal(await settledWithin(fx.host.pluginManager.update(NAME, { enabled: false }), 5_000), 'PLEXUS_UNAVAILABLE');
    assert.equal(await readFile(fx.host.pluginStatePath, 'utf8'), before, 'plugins.json unchanged');
  } finally {
    await fx.close();
  }
});

test('an upgrade racing the stop lands or is refused, the restart runs what plugins.json says, no event is lost', { timeout: 90_000 }, async () => {
  const fx = await startHostFixture();
  try {
    await fx.host.pluginManager.install({ spec: await writePluginFolder(fx.work, version('1.0.0')), grants: ['kv'] });
    // Accepts refused by the stopping host (PLEXUS_UNAVAILABLE) were never accepted.
    const refused = new Set<string>();
    const stream = streamEvents(fx, (id) => fx.host.accept([orderEvent(id)]).catch(() => refused.add(id)), 2);
    await eventually(() => stream.accepted.length > 20, 'the stream to run');
    // The new version's init takes a while: the stop begins while its instances start.
    const upgrade = fx.host.pluginManager.install({ spec: await packPlugin(fx.work, version('1.1.0', 'const t = Date.now(); while (Date.now() - t < 1500) {}')) });
    const configure = fx.host.pluginManager.update(NAME, { config: { label: 'queued' } });
    await eventually(() => existsSync(join(fx.stateDir, 'plugins', '@acme', 'stopping', '1.1.0')), 'the new version unpacked');
    await fx.host.stop();
    await stream.stop();
    const outcome = await settledWithin(upgrade, 5_000);
    assert.ok(outcome === 'fulfilled' || outcome === 'PLEXUS_UNAVAILABLE', `the upgrade settled: ${outcome}`);
    assert.equal(await settledWithin(configure, 5_000), 'PLEXUS_UNAVAILABLE', 'the change queued behind it is refused');
    const recorded = JSON.parse(await readFile(fx.host.pluginStatePath, 'utf8')) as { plugins: { version: string }[] };
    assert.equal(recorded.plugins[0]?.version, outcome === 'fulfilled' ? '1.1.0' : '1.0.0');

    await fx.restart();
    assert.deepEqual(fx.host.plugins.map((p) => p.spec.version), [recorded.plugins[0]?.version]);
    await fx.host.engine.idle();
    const ids = stream.accepted.map((a) => a.id).filter((id) => !refused.has(id));
    const counts = await Promise.all(ids.map(async (id) => Number((await fx.host.store.kvGet(NAME, `n:${id}`, Date.now())) ?? 0)));
    assert.deepEqual(ids.filter((_, i) => counts[i] === 0), [], 'every accepted event served');
    assert.ok(ids.length > 20, `a real stream (${ids.length} events)`);
    assert.equal(await fx.host.store.countDlq({}), 0);
  } finally {
    await fx.close();
  }
});
