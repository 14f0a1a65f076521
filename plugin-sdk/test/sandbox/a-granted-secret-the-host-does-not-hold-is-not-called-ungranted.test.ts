// An operator who granted secrets:NAME to a plugin, on a host whose config
// has no value for NAME, must be told what is missing: "not granted" sent
// them to look at grants that are right (plexus plugins lists the grant).
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { createTestHost } from '../../src/testing.ts';
import { plugin, writePlugin } from '../fixtures/write-plugin.ts';

const reader = { name: 'secret-reader', capabilities: { secrets: ['TOKEN', 'OTHER'] }, source: plugin(`ctx.log.info(ctx.secrets.get('TOKEN'));`) };

test('a granted secret the host has no value for is refused as missing from the host config, not as ungranted', async (t) => {
  const root = await writePlugin(reader);
  t.after(() => rm(root, { recursive: true, force: true }));
  const host = await createTestHost({ plugin: root, grants: ['secrets:TOKEN'], secrets: {} });
  t.after(() => host.close());

  const outcome = await host.deliver({ type: 'test.read' });

  assert.equal(outcome.status, 'dead');
  assert.equal(outcome.error?.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.doesNotMatch(outcome.error?.message ?? '', /not granted/);
  assert.match(outcome.error?.message ?? '', /secret "TOKEN" is granted, but the host has no value for it/);
});

test('a secret that is not granted is still refused as not granted', async (t) => {
  const root = await writePlugin(reader);
  t.after(() => rm(root, { recursive: true, force: true }));
  // Another secret granted, so ctx.secrets is there and the read reaches the grant check.
  const host = await createTestHost({ plugin: root, grants: ['secrets:OTHER'], secrets: { TOKEN: 'hunter2', OTHER: 'x' } });
  t.after(() => host.close());

  const outcome = await host.deliver({ type: 'test.read' });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /secret "TOKEN" is not granted to this plugin/);
  assert.doesNotMatch(JSON.stringify(outcome), /hunter2/);
});
