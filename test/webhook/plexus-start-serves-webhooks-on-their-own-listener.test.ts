// The webhook ingress as `plexus start` runs it: sources from the config
// file's `webhooks` section (secrets from env references), its own listener
// beside the admin API, a `webhooks` readiness check, config problems refused
// as PLEXUS_INVALID_CONFIG naming the path, and a taken port as a clear error.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { CliError } from '../../src/cli/command.ts';
import { startHostRuntime } from '../../src/cli/host-runtime.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const TOKEN = 'webhook-e2e-token-0123456789';
// Seed 000's sender: bare hex HMAC-SHA256 of the body in X-Luminaguard-Signature.
const SEED_BODY = '{"event_id": "evt-123", "event_type": "task.created", "source": "webhook", "payload": {"task_id": "123", "status": "pending"}, "priority": 2}';
const SEED_SIGNATURE = 'df0dd5ede9b7d69a7ca0d01394dda8dd699abffccfcdf8f70d80c434303bafe9';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-webhook-start-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, webhooks: string, listen = '127.0.0.1:0'): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `stateDir: ./${name}-state\nlisten: ${listen}\nadminListen: 127.0.0.1:0\nadminToken: ${TOKEN}\nwebhooks:\n${webhooks}`);
  return file;
}

const LUMINAGUARD = `  luminaguard:
    signature: { scheme: hmac, header: X-Luminaguard-Signature, secrets: ["\${LUMINAGUARD_SECRET}"] }
    type: { from: body, path: $.event_type }
    deliveryId: { from: body, path: $.event_id }
`;

test("start serves the configured sources on the webhook listener, reports readiness, and the two listeners stay apart", async () => {
  const loaded = await loadConfig({ file: await config('ok', LUMINAGUARD), env: { LUMINAGUARD_SECRET: 'webhook-secret' } });
  const logger = new RecordingLogger();
  const runtime = await startHostRuntime({ loaded, logger });
  let webhookUrl = '';
  try {
    const line = logger.lines.find((l) => l.message === 'webhook listener listening');
    webhookUrl = (line?.fields as { url: string }).url;
    assert.match(webhookUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(webhookUrl, runtime.adminUrl);

    const ready = (await (await fetch(`${runtime.adminUrl}/readyz`)).json()) as { ready: boolean; checks: { name: string; ok: boolean }[] };
    assert.equal(ready.ready, true);
    assert.deepEqual(ready.checks.find((c) => c.name === 'webhooks'), { name: 'webhooks', ok: true });

    const post = (url: string) => fetch(`${url}/hooks/luminaguard`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-luminaguard-signature': SEED_SIGNATURE }, body: SEED_BODY });
    const accepted = await post(webhookUrl);
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { id: 'evt-123' });
    const [entry] = await runtime.host.store.readJournal({ from: 0, limit: 10 });
    assert.deepEqual([entry?.event.id, entry?.event.source, entry?.event.type], ['evt-123', 'webhook/luminaguard', 'task.created']);

    // The admin API is not on the webhook port, and webhooks are not on the admin port.
    assert.equal((await fetch(`${webhookUrl}/readyz`)).status, 404);
    assert.equal((await fetch(`${webhookUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
    assert.equal((await post(runtime.adminUrl)).status, 401);
  } finally {
    await runtime.stop();
  }
  await assert.rejects(fetch(`${webhookUrl}/hooks/luminaguard`, { method: 'POST' }), 'the listener is closed with the host');
  assert.ok(!runtime.readiness.names.includes('webhooks'), 'its readiness check left with it');
});

test('a secret that cannot be decoded fails start with PLEXUS_INVALID_CONFIG naming it, and leaves nothing listening', async () => {
  const webhooks = '  svix:\n    signature: { scheme: standard-webhooks, secrets: ["whsec_not*base64"] }\n    type: { from: fixed, value: svix.message }\n';
  const loaded = await loadConfig({ file: await config('bad-secret', webhooks), env: {} });
  const logger = new RecordingLogger();
  await assert.rejects(startHostRuntime({ loaded, logger }), (err) => {
    assert.ok(err instanceof PlexusError);
    assert.equal(err.code, 'PLEXUS_INVALID_CONFIG');
    assert.match(err.message, /webhooks\.svix\.signature\.secrets\[0\] must be base64/);
    assert.doesNotMatch(err.message, /not\*base64/, 'the secret itself is never echoed');
    return true;
  });
  // The admin API had started first; the failed start stopped it again.
  const admin = logger.lines.find((l) => l.message === 'admin API listening');
  assert.ok(admin);
  await assert.rejects(fetch(`${(admin.fields as { url: string }).url}/healthz`));
});

test('a malformed source is refused when the config loads, naming the field', async () => {
  const webhooks = '  github:\n    signature: { scheme: gitlab, secrets: [x] }\n    type: { from: fixed, value: a.b }\n';
  await assert.rejects(loadConfig({ file: await config('bad-scheme', webhooks), env: {} }), (err) => {
    assert.ok(err instanceof PlexusError);
    assert.equal(err.code, 'PLEXUS_INVALID_CONFIG');
    assert.match(err.message, /webhooks\.github\.signature\.scheme/);
    return true;
  });
});

test('a taken webhook port fails start with a clear error naming --listen', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    const loaded = await loadConfig({ file: await config('taken', LUMINAGUARD, `127.0.0.1:${port}`), env: { LUMINAGUARD_SECRET: 'webhook-secret' } });
    await assert.rejects(startHostRuntime({ loaded, logger: new RecordingLogger() }), (err) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.message, `cannot listen on 127.0.0.1:${port} for webhooks (EADDRINUSE); choose another with --listen`);
      return true;
    });
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test("seed 000's published signature is the HMAC of the body sent above", () => {
  assert.equal(createHmac('sha256', 'webhook-secret').update(SEED_BODY).digest('hex'), SEED_SIGNATURE);
});
