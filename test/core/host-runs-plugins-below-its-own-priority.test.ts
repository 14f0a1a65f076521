// The embedded default runs the sandbox 10 nice steps below the host (host-config.ts): when CPU
// is short, the host's intake, durable writes and acks run before plugin code.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { quiet } from '../helpers/quiet-logger.ts';
import { canReadThreadNices, threadNices } from '../../plugin-sdk/test/fixtures/thread-nices.ts';

test('a host on the default config runs its sandbox 10 nice steps below itself', { skip: !canReadThreadNices && 'per-thread priorities are read from /proc (Linux)' }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-priority-'));
  const config = defaultHostConfig(stateDir);
  assert.equal(config.sandbox.nice, 10);
  const host = await Host.start({ ...config, sandbox: { ...config.sandbox, threads: 1 } }, { logger: quiet });
  try {
    const own = getPriority();
    assert.equal(threadNices(process.pid)[0], own);
    assert.deepEqual(new Set(threadNices((await host.sandbox.stats()).pid)), new Set([Math.min(19, own + 10)]));
    assert.equal(getPriority(), own, 'the host itself was not lowered');
  } finally {
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
