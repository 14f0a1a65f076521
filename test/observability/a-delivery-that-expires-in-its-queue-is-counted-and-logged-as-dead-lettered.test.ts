// An event whose expiresat passes while it waits behind a slow batch never
// runs: it is dead-lettered as `expired`. That dead letter is counted in
// plexus_plugin_dead_lettered_total{reason="expired"} and logged ("event
// dead-lettered") like every other, once it is durable.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { CLEAN_OK, DEFAULT_LIMITS, NO_CAPABILITIES, type SandboxPool } from '@plexus/plugin-sdk/runtime';
import { DeliveryEngine } from '../../src/delivery/engine.ts';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import { engineHooks } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const NAME = '@fixtures/slow';

test('a delivery that expires while queued is counted as dead-lettered (reason expired) and logged', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-expired-hooks-'));
  const store = SqliteStore.open(join(dir, 'plexus.db'));
  const logger = new RecordingLogger();
  const metrics = new HostMetrics();
  // Every plugin here runs in-process (`execute`): the sandbox is only asked to evict.
  const sandbox = { evict: async () => {} } as unknown as SandboxPool;
  const engine = new DeliveryEngine({ store, sandbox, dedupWindowMs: 60_000, maxQueued: 1000, hooks: engineHooks(logger, metrics) });
  let release!: () => void;
  const busy = new Promise<void>((resolve) => (release = resolve));
  const plugin: ActivePlugin = {
    name: NAME,
    spec: { key: `${NAME}@1.0.0`, name: NAME, version: '1.0.0', root: '/plugins/slow', main: 'dist/plugin.js', config: {}, capabilities: NO_CAPABILITIES, secrets: {}, limits: DEFAULT_LIMITS },
    subscribe: ['test.#'],
    retry: { maxRetries: 3, initialDelayMs: 50, multiplier: 1, maxDelayMs: 50 },
    concurrency: 1,
    batchSize: 1,
    breaker: { failureThreshold: 1000, coolDownMs: 1000 },
    execute: async (events) => {
      await busy;
      return { outcomes: events.map(() => CLEAN_OK), restarts: [], denials: [], instanceLogs: [] };
    },
  };
  const event = (type: string, extra: Partial<PlexusEvent> = {}): PlexusEvent => ({ specversion: '1.0', id: randomUUID(), source: 'test', type, ...extra });
  try {
    engine.setPlugins([plugin]);
    await engine.accept([event('test.busy')]);
    const expiring = event('test.expiring', { expiresat: new Date(Date.now() + 200).toISOString(), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await engine.accept([expiring]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    release();
    await engine.idle();

    const [entry] = await store.listDlq({ plugin: NAME }, { limit: 10 });
    assert.equal(entry?.reason, 'expired', 'dead-lettered as expired');
    assert.match(await metrics.text(), new RegExp(`^plexus_plugin_dead_lettered_total\\{plugin="${NAME}",version="1.0.0",reason="expired"\\} 1$`, 'm'));
    const logged = logger.lines.filter((l) => l.message === 'event dead-lettered');
    assert.equal(logged.length, 1);
    assert.deepEqual(logged[0]?.fields, { plugin: NAME, version: '1.0.0', event: expiring.id, type: 'test.expiring', reason: 'expired', code: undefined, traceparent: expiring.traceparent });
  } finally {
    await engine.stop(1000);
    await store.close();
    metrics.close();
    await rm(dir, { recursive: true, force: true });
  }
});
