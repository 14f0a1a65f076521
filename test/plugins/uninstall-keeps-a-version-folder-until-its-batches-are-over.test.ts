// Uninstalling (or replacing) a version while one of its batches runs keeps
// that version's folder until the batch is over: a batch that times out or
// crashes re-runs its other events one by one on instances loaded from the
// folder. Removed at once, those events failed to load and were charged an
// attempt they had done nothing to lose. The folder goes once it is unused.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { orderEvent } from './events.ts';
import { eventually, startHostFixture, type HostFixture } from './host-fixture.ts';
import { writePluginFolder } from './plugin-packages.ts';

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

test("an uninstall during a batch that then times out lets the batch-mates' re-runs load, then removes the folder", { timeout: 60_000 }, async () => {
  const name = '@acme/churn';
  await fx.host.pluginManager.install({ spec: await writePluginFolder(await mkdtemp(join(fx.work, 'v1-')), {
    name,
    version: '1.0.0',
    // 'hang' runs past the 1 s limit: the batch times out and its other events are re-run one by one.
    execute: "if (event.id === 'hang') { const t = Date.now(); while (Date.now() - t < 1500) {} } ctx.log.info('served', { id: event.id, served: ctx.plugin.version });",
    plexus: { limits: { timeoutMs: 1000 } },
  }) });
  await fx.host.accept([orderEvent('hang'), orderEvent('ok1'), orderEvent('ok2')]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await fx.host.pluginManager.uninstall(name);
  await eventually(() => ['ok1', 'ok2'].every((id) => fx.served().some((s) => s.id === id)), 'the batch-mates served by their re-runs');
  await eventually(() => !existsSync(join(fx.stateDir, 'plugins', '@acme', 'churn')), 'the folder removed once its batch is over');
  assert.equal(fx.logger.lines.some((l) => JSON.stringify(l.fields ?? {}).includes('init-failed')), false, 'no re-run failed to load');
});
