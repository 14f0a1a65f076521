// A plugin subscribed to "#" matches any string, even "a..b" or "", but no
// host ever delivers such a type: every ingress refuses it as
// PLEXUS_INVALID_EVENT. The test host refuses it the same way instead of
// running the plugin on an event it can never see.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { createTestHost } from '../../src/testing.ts';
import { plugin, writePlugin } from '../fixtures/write-plugin.ts';

test('deliver refuses a type that is not dot-separated words, even under a "#" subscription', async (t) => {
  const root = await writePlugin({ name: 'catch-all', subscribe: ['#'], source: plugin('') });
  const host = await createTestHost({ plugin: root });
  t.after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const type of ['a..b', '', '.a', 'orders created', 'x'.repeat(256)]) {
    await assert.rejects(host.deliver({ type }), (err: Error & { code?: string }) => err.code === 'PLEXUS_INVALID_EVENT', `type ${JSON.stringify(type.slice(0, 20))}`);
  }
  assert.equal((await host.deliver({ type: 'orders.eu.created' })).status, 'ok');
});
