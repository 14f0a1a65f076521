// GET /metrics reads plexus_dlq_size from the store at scrape time. A store
// that stops answering (Redis frozen behind a network fault) must not hold
// the scrape: the other metrics matter most exactly then. The DLQ gauge
// keeps its last value and the failure is logged once, not once per scrape.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAdminApp } from '../../src/admin/admin-app.ts';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { DLQ_SIZE_TIMEOUT_MS } from '../../src/observability/host-metrics.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const TOKEN = 'metrics-token-0123456789';

/** The store, except that countDlq answers `size`, or never while `frozen`. */
function freezableCount(store: Store) {
  const state = { frozen: false, size: 3 };
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'countDlq') {
        return () => {
          return state.frozen ? new Promise<number>(() => {}) : Promise.resolve(state.size);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { wrapped, state };
}

function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('a store whose DLQ count never answers leaves /metrics answering with every other metric and the last DLQ size', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-frozen-metrics-'));
  const { wrapped, state } = freezableCount(await SqliteStore.open(join(stateDir, 'plexus.db')));
  const logger = new RecordingLogger();
  const host = await Host.start({ ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1 } }, { logger, store: wrapped });
  const app = buildAdminApp({ host, token: TOKEN, logger });
  const scrape = async () => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('GET /metrics did not answer within 5 s')), 5000);
    });
    try {
      const res = await Promise.race([app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } }), hung]);
      return { status: res.statusCode, body: res.body, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  };
  const failures = () => logger.lines.filter((l) => l.message.includes('plexus_dlq_size')).length;
  try {
    assert.equal(sample((await scrape()).body, 'plexus_dlq_size'), 3);

    state.frozen = true;
    for (let i = 0; i < 3; i++) {
      const frozen = await scrape();
      assert.equal(frozen.status, 200);
      assert.ok(frozen.ms < DLQ_SIZE_TIMEOUT_MS + 1000, `scrape took ${frozen.ms} ms`);
      assert.equal(sample(frozen.body, 'plexus_dlq_size'), 3, 'the last DLQ size stays');
      for (const name of ['plexus_sandbox_rss_bytes', 'plexus_retrying_deliveries', 'plexus_process_resident_memory_bytes']) {
        assert.match(frozen.body, new RegExp(`^${name} `, 'm'), `${name} is still scraped`);
      }
    }
    assert.equal(failures(), 1, 'logged once for the whole run of failures');

    // Answering again: the next scrape reads it (the calls left hanging do not hold it), and a new failure is logged anew.
    state.frozen = false;
    state.size = 5;
    assert.equal(sample((await scrape()).body, 'plexus_dlq_size'), 5);
    state.frozen = true;
    await scrape();
    assert.equal(failures(), 2);
  } finally {
    await app.close();
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a sandbox whose stats never answer leaves /metrics answering, with its gauges at their last values', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-stuck-sandbox-metrics-'));
  const logger = new RecordingLogger();
  const host = await Host.start({ ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1 } }, { logger });
  const app = buildAdminApp({ host, token: TOKEN, logger });
  const scrape = () => app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  try {
    const rss = sample((await scrape()).body, 'plexus_sandbox_rss_bytes');
    assert.ok(rss > 0);
    // The sandbox process stops answering control requests (stuck, or respawning).
    (host.sandbox as unknown as { stats(): Promise<never> }).stats = () => new Promise<never>(() => {});
    const started = Date.now();
    const stuck = await Promise.race([scrape(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('GET /metrics did not answer within 5 s')), 5000))]);
    assert.equal(stuck.statusCode, 200);
    assert.ok(Date.now() - started < DLQ_SIZE_TIMEOUT_MS + 1000);
    assert.equal(sample(stuck.body, 'plexus_sandbox_rss_bytes'), rss, 'the last reading stays');
    assert.match(stuck.body, /^plexus_dlq_size /m);
  } finally {
    await app.close();
    await host.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
});
