// A plugin's emits refused by the host are counted once each in the host's
// metrics, like any failed execute: the emit chain at its maximum depth
// (PLEXUS_EMIT_DEPTH_EXCEEDED, dead-lettered as permanent) and emits that
// found no room (PLEXUS_RATE_LIMITED, emit-backpressure.ts: the delivery is
// retried, or dead-lettered once its retries are spent). The room refusal used
// to reach no counter but plexus_rate_limit_hits_total: the outcome hook had
// already reported the run as done, so its dead letter was in the DLQ and not
// in plexus_plugin_dead_lettered_total, and the failure not counted at all.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { CallOutcome } from '@plexus/plugin-sdk/runtime';
import { engineHooks } from '../../src/host/engine-hooks.ts';
import { HostMetrics } from '../../src/observability/host-metrics.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';
import { SqliteEngineFixture, testPlugin } from './sqlite-engine-fixture.ts';

const NAME = 'emitter';
const quiet: CallOutcome = { ok: true, emitted: [], logs: [], droppedLogs: 0 };
const emitsTen: CallOutcome = { ok: true, emitted: Array.from({ length: 10 }, () => ({ type: 'test.more' })), logs: [], droppedLogs: 0 };

function series(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}

async function run(events: PlexusEvent[], maxQueued: number): Promise<{ text: string; dlq: { reason: string; code: string | undefined }[] }> {
  const metrics = new HostMetrics();
  const f = new SqliteEngineFixture({ maxQueued, hooks: engineHooks(new RecordingLogger(), metrics) });
  try {
    // Emits ten events it subscribes to for each test.start, nothing for the rest; no retries.
    f.engine.setPlugins([testPlugin(NAME, async (batch) => ({ outcomes: batch.map((e) => (e.type === 'test.more' ? quiet : emitsTen)), restarts: [], denials: [], instanceLogs: [] }), {
      retry: { maxRetries: 0, initialDelayMs: 50, multiplier: 1, maxDelayMs: 50 },
    })]);
    await f.engine.accept(events);
    await f.engine.idle();
    const dlq = (await f.store.listDlq({ plugin: NAME }, { limit: 100 })).map((e) => ({ reason: e.reason, code: e.error?.code }));
    return { text: await metrics.text(), dlq };
  } finally {
    await f.close();
    metrics.close();
  }
}

const start = (extra: Partial<PlexusEvent> = {}): PlexusEvent => ({ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.start', ...extra });

test('emits refused for room: one failure and one dead letter per refused delivery, as the DLQ shows', { timeout: 10_000 }, async () => {
  // The first start's ten emits fill the room (maxQueued 5); the second's find it full, and the lane's
  // only slot waiting for room can never drain it: refused at once (emit-backpressure.ts).
  const { text, dlq } = await run([start(), start()], 5);
  assert.deepEqual(dlq, [{ reason: 'exhausted', code: 'PLEXUS_RATE_LIMITED' }]);
  assert.deepEqual(series(text, 'plexus_plugin_failures_total'), [`plexus_plugin_failures_total{plugin="${NAME}",version="1.0.0",code="PLEXUS_RATE_LIMITED"} 1`]);
  assert.deepEqual(series(text, 'plexus_plugin_dead_lettered_total'), [`plexus_plugin_dead_lettered_total{plugin="${NAME}",version="1.0.0",reason="exhausted"} 1`]);
  assert.deepEqual(series(text, 'plexus_rate_limit_hits_total'), [`plexus_rate_limit_hits_total{scope="plugin",key="${NAME}"} 1`]);
  assert.deepEqual(series(text, 'plexus_plugin_retries_total'), []);
});

test('an emit chain at its maximum depth: one failure and one dead letter', { timeout: 10_000 }, async () => {
  const { text, dlq } = await run([start({ plexusdepth: 16 } as Partial<PlexusEvent>)], 1000);
  assert.deepEqual(dlq, [{ reason: 'permanent', code: 'PLEXUS_EMIT_DEPTH_EXCEEDED' }]);
  assert.deepEqual(series(text, 'plexus_plugin_failures_total'), [`plexus_plugin_failures_total{plugin="${NAME}",version="1.0.0",code="PLEXUS_EMIT_DEPTH_EXCEEDED"} 1`]);
  assert.deepEqual(series(text, 'plexus_plugin_dead_lettered_total'), [`plexus_plugin_dead_lettered_total{plugin="${NAME}",version="1.0.0",reason="permanent"} 1`]);
  assert.deepEqual(series(text, 'plexus_rate_limit_hits_total'), []);
});
