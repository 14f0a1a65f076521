// SIGTERM while an admin request is still running (here an install waiting on
// a registry that never answers): the admin API used to wait for it with no
// limit, so the host's stop never started, `plexus start` hit its own limit
// (shutdownTimeoutMs + 10 s), exited 1 and skipped every cleanup hook. The
// request gets until the shutdown budget ends, then its connection is closed.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPlexus } from '../helpers/plexus-process.ts';

const TIMEOUT_MS = 2000;

test('SIGTERM during an install stuck on its registry exits 0 within shutdownTimeoutMs', { timeout: 90_000 }, async () => {
  const held: ServerResponse[] = [];
  const registry = createServer((_request, response) => held.push(response));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-admin-budget-'));
  try {
    const config = join(stateDir, 'plexus.yaml');
    await writeFile(config, `shutdownTimeoutMs: ${TIMEOUT_MS}\n`);
    const host = await startPlexus(stateDir, { config });
    const install = fetch(`${host.adminUrl}/v1/plugins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: 'never-served', registry: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/` }),
    }).then((response) => response.status, () => 'connection closed');
    // The install is under way once the registry has been asked.
    for (let waited = 0; held.length === 0; waited += 50) {
      assert.ok(waited < 30_000, 'the install never reached the registry');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const started = Date.now();
    assert.equal(await host.stop('SIGTERM'), 0, host.stderr());
    const took = Date.now() - started;
    assert.ok(took < TIMEOUT_MS + 3000, `the stop took ${took} ms with shutdownTimeoutMs ${TIMEOUT_MS}`);
    assert.ok(host.logs().some((l) => l.msg === 'stopped'));
    // Whichever way it ended, the caller was answered or cut off, not left waiting.
    assert.ok(['connection closed', 503].includes(await install), String(await install));
  } finally {
    for (const response of held) response.destroy();
    registry.close();
    await rm(stateDir, { recursive: true, force: true });
  }
});
