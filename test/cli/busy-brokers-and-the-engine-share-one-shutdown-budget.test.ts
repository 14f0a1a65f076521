// SIGTERM with two Redis streams backed up behind a slow plugin: the broker
// drains and the engine's settling share one shutdownTimeoutMs. Each broker
// used to wait the whole timeout for its drain, one after the other, then
// the engine waited it again: with the default 30 s, `plexus start` hit its
// own limit (timeout + 10 s), exited 1 and skipped every cleanup hook.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rawRedis } from '../brokers/redis-helpers.ts';
import { requireService } from '../helpers/services.ts';
import { startPlexus } from '../helpers/plexus-process.ts';
import { installSlowPlugin } from './slow-plugin-fixture.ts';

const TIMEOUT_MS = 3000;

test('two busy brokers and the engine stop within one shutdownTimeoutMs, exit 0', { timeout: 120_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-budget-'));
  const keys = [`plexus-test-budget-${randomUUID().slice(0, 8)}`, `plexus-test-budget-${randomUUID().slice(0, 8)}`];
  const redis = await rawRedis();
  try {
    await installSlowPlugin(stateDir, 700);
    const config = join(stateDir, 'plexus.yaml');
    await writeFile(config, `shutdownTimeoutMs: ${TIMEOUT_MS}
delivery: { concurrency: 1, batchSize: 1 }
brokers:
  redis:
    r1: { url: "redis://127.0.0.1:6379", streams: [ { key: "${keys[0]}", group: g, type: slow.a } ] }
    r2: { url: "redis://127.0.0.1:6379", streams: [ { key: "${keys[1]}", group: g, type: slow.b } ] }
`);
    const host = await startPlexus(stateDir, { config });
    // 2 × 12 events of 0.7 s each, one at a time: ~17 s of work, far more than the budget.
    for (let i = 0; i < 12; i++) for (const key of keys) await redis.xadd(key, '*', 'data', `{"i":${i}}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    assert.equal(await host.stop('SIGTERM'), 0, host.stderr());
    const took = Date.now() - started;
    // The budget, plus the batch running at its end (0.7 s) and closing down: never two or three budgets.
    assert.ok(took < TIMEOUT_MS + 2500, `the stop took ${took} ms with shutdownTimeoutMs ${TIMEOUT_MS}`);
    assert.ok(host.logs().some((l) => l.msg === 'stopped'));
  } finally {
    await redis.del(...keys);
    redis.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
});
