// The sandbox starts every worker thread before the host is up: a slip like
// `threads: 1e6` spawned threads until the sandbox process ran out of memory,
// and `plexus start` neither came up nor said why. Refused when loading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

test('sandbox.threads above 1024 is refused, as a number or from the env', async () => {
  await withTempDir(async (dir) => {
    for (const [i, threads] of ['1e300', '1000000', '1025'].entries()) {
      await assertInvalidConfig(loadConfig({ file: await writeConfig(dir, `t-${i}.yaml`, `sandbox: { threads: ${threads} }`), env: {} }), 'sandbox.threads must be <= 1024');
    }
    const fromEnv = await writeConfig(dir, 'env.yaml', 'sandbox: { threads: "${THREADS}" }');
    await assertInvalidConfig(loadConfig({ file: fromEnv, env: { THREADS: '4096' } }), 'sandbox.threads must be <= 1024');
  });
});

test('up to 1024 threads load as given', async () => {
  await withTempDir(async (dir) => {
    for (const threads of [1, 64, 1024]) {
      const { host } = await loadConfig({ file: await writeConfig(dir, `ok-${threads}.yaml`, `sandbox: { threads: ${threads} }`), env: {} });
      assert.equal(host.sandbox.threads, threads);
    }
  });
});
