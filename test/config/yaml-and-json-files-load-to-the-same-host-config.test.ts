import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { withTempDir, writeConfig } from './config-fixture.ts';

const YAML = `
# every section, in the file's own notation
stateDir: ./state
listen: 0.0.0.0:8081
adminListen: "[::1]:9091"
logLevel: debug
store: { kind: sqlite, path: db/plexus.db }
sandbox: { threads: 2, idleMs: 1m, nice: 5 }
delivery:
  dedupWindowMs: 12h
  batchSize: 32
  lingerMs: 25ms
  maxQueued: 5000
  concurrency: 8
  retry: { maxRetries: 5, initialDelayMs: 500ms, multiplier: 3, maxDelayMs: 2m }
  breaker: { failureThreshold: 10, coolDownMs: 15s }
retention: { journalMs: 3d, dlqMs: 2w }
limits: { memoryMb: 128, timeoutMs: 5s }
secrets: { EXCHANGE_API_KEY: abc }
shutdownTimeoutMs: 20s
`;

const JSON_TEXT = JSON.stringify({
  stateDir: './state',
  listen: '0.0.0.0:8081',
  adminListen: '[::1]:9091',
  logLevel: 'debug',
  store: { kind: 'sqlite', path: 'db/plexus.db' },
  sandbox: { threads: 2, idleMs: 60_000, nice: 5 },
  delivery: {
    dedupWindowMs: '12h',
    batchSize: 32,
    lingerMs: 25,
    maxQueued: 5000,
    concurrency: 8,
    retry: { maxRetries: 5, initialDelayMs: 500, multiplier: 3, maxDelayMs: '2m' },
    breaker: { failureThreshold: 10, coolDownMs: 15_000 },
  },
  retention: { journalMs: '3d', dlqMs: '2w' },
  limits: { memoryMb: 128, timeoutMs: 5000 },
  secrets: { EXCHANGE_API_KEY: 'abc' },
  shutdownTimeoutMs: 20_000,
});

test('a YAML file and the same settings as JSON give the same HostConfig, every field converted', async () => {
  await withTempDir(async (dir) => {
    const fromYaml = await loadConfig({ file: await writeConfig(dir, 'plexus.yaml', YAML), env: {} });
    const fromJson = await loadConfig({ file: await writeConfig(dir, 'plexus.json', JSON_TEXT), env: {} });
    assert.deepEqual(fromJson.host, fromYaml.host);
    assert.equal(fromYaml.logLevel, 'debug');
    assert.deepEqual(fromYaml.host, {
      // Relative paths in a file resolve from the file's folder, wherever the host is started.
      stateDir: join(dir, 'state'),
      listen: { host: '0.0.0.0', port: 8081 },
      adminListen: { host: '::1', port: 9091 },
      store: { kind: 'sqlite', path: join(dir, 'db/plexus.db') },
      sandbox: { threads: 2, idleMs: 60_000, nice: 5 },
      delivery: {
        dedupWindowMs: 12 * 3_600_000,
        batchSize: 32,
        lingerMs: 25,
        maxQueued: 5000,
        concurrency: 8,
        retry: { maxRetries: 5, initialDelayMs: 500, multiplier: 3, maxDelayMs: 120_000 },
        breaker: { failureThreshold: 10, coolDownMs: 15_000 },
      },
      retention: { journalMs: 3 * 86_400_000, dlqMs: 14 * 86_400_000 },
      limits: { memoryMb: 128, timeoutMs: 5000 },
      secrets: { EXCHANGE_API_KEY: 'abc' },
      shutdownTimeoutMs: 20_000,
    });
  });
});

test('a file with other extensions is read as YAML (a superset of JSON)', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadConfig({ file: await writeConfig(dir, 'plexus.conf', JSON_TEXT), env: {} });
    assert.equal(loaded.host.delivery.batchSize, 32);
  });
});

test('a redis store gets the default key prefix unless one is given', async () => {
  await withTempDir(async (dir) => {
    const plain = await loadConfig({ file: await writeConfig(dir, 'a.yaml', 'store: { kind: redis, url: "redis://cache:6379/2" }'), env: {} });
    assert.deepEqual(plain.host.store, { kind: 'redis', url: 'redis://cache:6379/2', prefix: 'plexus:' });
    const prefixed = await loadConfig({ file: await writeConfig(dir, 'b.yaml', 'store: { kind: redis, url: "rediss://cache", prefix: "blue:" }'), env: {} });
    assert.deepEqual(prefixed.host.store, { kind: 'redis', url: 'rediss://cache', prefix: 'blue:' });
  });
});

test('sections merge field by field over the defaults', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadConfig({ file: await writeConfig(dir, 'p.yaml', 'delivery: { batchSize: 8, retry: { maxRetries: 1 } }'), env: {} });
    assert.equal(loaded.host.delivery.batchSize, 8);
    assert.equal(loaded.host.delivery.concurrency, 4);
    assert.deepEqual(loaded.host.delivery.retry, { maxRetries: 1 });
    assert.deepEqual(loaded.host.delivery.breaker, { failureThreshold: 20, coolDownMs: 30_000 });
  });
});

test('an empty file is the embedded default', async () => {
  await withTempDir(async (dir) => {
    const loaded = await loadConfig({ file: await writeConfig(dir, 'empty.yaml', '# nothing yet\n'), env: {} });
    assert.equal(loaded.host.delivery.batchSize, 256);
    assert.equal(loaded.host.stateDir, join(dir, '.plexus'));
  });
});
