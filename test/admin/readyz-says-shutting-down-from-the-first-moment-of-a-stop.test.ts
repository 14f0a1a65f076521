// A load balancer must stop sending traffic to a host as soon as it starts
// shutting down, while intake still drains (a broker consumer waiting for an
// entry in flight can take seconds), not only once the listener is gone.
// /readyz answers 503 in its usual body, with the reason "shutting down".
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Readiness, SHUTTING_DOWN } from '../../src/admin/readiness.ts';
import { startHostRuntime } from '../../src/cli/host-runtime.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { adminFixture } from './admin-fixture.ts';
import { RecordingLogger } from './recording-logger.ts';

test('a stopping host is not ready from the moment stop() is called', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-readyz-stop-'));
  const file = join(dir, 'plexus.yaml');
  await writeFile(file, 'stateDir: ./state\nlisten: 127.0.0.1:0\nadminListen: 127.0.0.1:0\nadminToken: readyz-stop-token-0123456789\n');
  const runtime = await startHostRuntime({ loaded: await loadConfig({ file, env: {} }), logger: new RecordingLogger() });
  try {
    assert.equal((await runtime.readiness.run()).ready, true);
    const stopping = runtime.stop();
    // Before any ingress has stopped: nothing has been awaited since stop() was called.
    assert.deepEqual(await runtime.readiness.run(), { ready: false, checks: [{ name: 'host', ok: false, reason: 'shutting down' }] });
    await stopping;
  } finally {
    await runtime.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('/readyz of a stopping host is 503 PLEXUS_UNAVAILABLE "shutting down", in the error body shape with the checks', async () => {
  const readiness = new Readiness();
  readiness.add('store', async () => {});
  const { app } = adminFixture({ readiness });
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  readiness.stopping();
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(response.statusCode, 503);
  assert.deepEqual(response.json(), {
    error: { code: 'PLEXUS_UNAVAILABLE', message: 'Not ready: host: shutting down' },
    ready: false,
    checks: [SHUTTING_DOWN],
  });
});
