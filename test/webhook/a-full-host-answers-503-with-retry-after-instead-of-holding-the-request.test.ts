// While the host holds delivery.maxQueued deliveries, an accept waits for
// room. A webhook request used to wait with no limit, holding its connection
// and body for as long as the backlog lasted, while its sender's own client
// gave up (GitHub's after 10 s) and retried into the same wait. Now it waits
// at most admissionWaitMs (default 5 s), then gets 503 PLEXUS_UNAVAILABLE
// with Retry-After, having written nothing; once there is room the same
// delivery is accepted.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { startWebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const SECRET = 'full-host-secret';
// The sandbox has no timers: slow means busy.
const SLOW = "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() { const end = Date.now() + 800; while (Date.now() < end) {} } });";

test('a delivery that finds the host full waits admissionWaitMs, then gets 503 with Retry-After; with room it is accepted', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-webhook-full-'));
  const root = await writePlugin({ name: 'slow', subscribe: ['#'], source: SLOW }, dir);
  await writeFile(join(dir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: '@fixtures/slow', version: '1.0.0', root, enabled: true, grants: [], config: {} }] }));
  const defaults = defaultHostConfig(dir);
  const host = await Host.start({ ...defaults, delivery: { ...defaults.delivery, maxQueued: 2, lingerMs: 0 }, sandbox: { ...defaults.sandbox, threads: 1, idleMs: 60_000 } }, { logger: new RecordingLogger() });
  const server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ gh: { signature: { scheme: 'github', secrets: [SECRET] }, type: { from: 'fixed', value: 'test.slow' } } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
    admissionWaitMs: 300,
  });
  const post = async (n: number) => {
    const body = JSON.stringify({ n });
    const response = await fetch(`${server.url}/hooks/gh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-delivery': `d-${n}`, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
      body,
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error?: { code: string } } };
  };
  try {
    // One running (800 ms; no linger, so it runs alone), two queued: the host is full.
    for (const n of [1, 2, 3]) assert.equal((await post(n)).status, 202);
    const started = Date.now();
    const refused = await post(4);
    const waited = Date.now() - started;
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error?.code, 'PLEXUS_UNAVAILABLE');
    assert.equal(refused.retryAfter, '5');
    assert.ok(waited >= 250 && waited < 2000, `answered after ${waited} ms`);
    assert.equal((await host.store.readJournal({ from: 0, limit: 10 })).length, 3, 'the refused delivery wrote nothing');

    await host.engine.idle();
    const accepted = await post(4);
    assert.equal(accepted.status, 202, 'the same delivery (id d-4) is accepted once there is room: its refusal claimed nothing');
  } finally {
    await server.close();
    await host.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
