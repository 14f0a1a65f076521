// `node --test` run directly (or by an editor's test runner) skips the build
// that `plexus-plugin test` runs first. With no plexus.main on disk the test
// host started anyway and every delivery came back 'retry', so the author saw
// only "'retry' !== 'ok'". No host runs such a package either (the registry
// refuses it at publish), so the test host refuses it at once, saying how to
// build it.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestHost } from '../../src/testing.ts';
import { plugin, writePlugin } from '../fixtures/write-plugin.ts';

test('createTestHost refuses a package whose plexus.main has not been built, naming the build', async (t) => {
  const root = await writePlugin({ name: 'unbuilt', source: plugin('') });
  t.after(() => rm(root, { recursive: true, force: true }));
  await rm(join(root, 'dist/plugin.js'));

  // A host that did start is closed, or its sandbox would keep this test running.
  const started = createTestHost({ plugin: root }).then(async (host) => {
    await host.close();
    return host;
  });
  await assert.rejects(started, (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PLEXUS_PLUGIN_LOAD_FAILED');
    assert.match(err.message, /@fixtures\/unbuilt: plexus\.main dist\/plugin\.js does not exist in .*: build it first \(plexus-plugin build; plexus-plugin test builds before it runs the tests\)/);
    return true;
  });
});

test('createTestHost starts a built package as before', async (t) => {
  const root = await writePlugin({ name: 'built', source: plugin('') });
  const host = await createTestHost({ plugin: root });
  t.after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  assert.equal((await host.deliver({ type: 'test.one' })).status, 'ok');
});
