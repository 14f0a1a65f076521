// A plugin's cleanup hook runs when its instances are discarded (here, at
// SIGTERM). What it logs, and its failure, reach the host's log with the
// plugin, its version and the phase, as init's and execute's lines do; the
// lines used to be dropped, and a failure carried only the instance key.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installFixtures } from '../helpers/installed-fixtures.ts';
import { startPlexus } from '../helpers/plexus-process.ts';

test('cleanup hooks: their log lines and their failures are in the host log at SIGTERM', { timeout: 120_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-cleanup-'));
  try {
    await installFixtures(stateDir, [
      {
        name: 'tidy',
        subscribe: ['tidy.#'],
        source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute() {}, async cleanup(ctx) { ctx.log.info('flushed the buffer', { items: 3 }); } });`,
      },
      {
        name: 'broken-cleanup',
        subscribe: ['tidy.#'],
        source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute() {}, async cleanup() { throw new Error('could not close the session'); } });`,
      },
    ]);
    const host = await startPlexus(stateDir);
    // An event makes both plugins start instances, so there is something to clean up.
    assert.equal((await host.emit({ type: 'tidy.now', data: {} })).status, 202);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await host.stop('SIGTERM'), 0, host.stderr());
    const logs = host.logs();
    const flushed = logs.filter((l) => l.msg === 'flushed the buffer');
    assert.ok(flushed.length >= 1, 'the cleanup hook logged');
    for (const line of flushed) {
      assert.equal(line.plugin, '@fixtures/tidy');
      assert.equal(line.version, '1.0.0');
      assert.equal(line.phase, 'cleanup');
      assert.equal(line.items, 3);
    }
    const failed = logs.filter((l) => l.msg === 'cleanup hook failed');
    assert.ok(failed.length >= 1, 'the failure is logged');
    for (const line of failed) {
      assert.equal(line.plugin, '@fixtures/broken-cleanup');
      assert.match(String(line.err), /could not close the session/);
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
