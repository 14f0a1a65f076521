import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './cli-fixture.ts';

test('a taken admin port: exit 1 naming the address and the flag, and the already started host is stopped again', { timeout: 120_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-busy-'));
  const sigtermListeners = process.listenerCount('SIGTERM');
  try {
    const result = await cli(['start', '--state-dir', stateDir, '--admin-listen', `127.0.0.1:${port}`], { env: { PLEXUS_LOG_LEVEL: 'silent' } });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `plexus: cannot listen on 127.0.0.1:${port} for the admin API (EADDRINUSE); choose another with --admin-listen`);
    // Had the host (its sandbox process, its store) been left running, this test process could not end.
    assert.equal(process.listenerCount('SIGTERM'), sigtermListeners, 'no signal handler left behind');
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await rm(stateDir, { recursive: true, force: true });
  }
});
