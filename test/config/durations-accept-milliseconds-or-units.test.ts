import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_FORMATS, CONFIG_SCHEMA } from '../../src/config/config-schema.ts';
import { durationMs, parseDuration } from '../../src/config/duration.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { withTempDir, writeConfig } from './config-fixture.ts';

test('duration strings: ms, s, m, h, d, w, decimals, compounds and plain digits (ms)', () => {
  const cases: [string, number][] = [
    ['250ms', 250], ['30s', 30_000], ['5m', 300_000], ['24h', 86_400_000], ['7d', 604_800_000], ['2w', 1_209_600_000],
    ['1.5s', 1500], ['1h30m', 5_400_000], ['1d12h', 129_600_000], ['5000', 5000], [' 10s ', 10_000], ['0s', 0],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('anything else is not a duration', () => {
  for (const text of ['', 's', '-5s', '10 s', '10sec', '1y', '1h 30m', 'PT1H', '1e3ms', '10S', '99999999999999999999']) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

test('numbers are milliseconds as they are', () => {
  assert.equal(durationMs(1234), 1234);
  assert.equal(durationMs('1234'), 1234);
  assert.throws(() => durationMs('soon'), TypeError);
});

test('every *Ms field of the schema is a duration, and nothing else is', () => {
  const found: string[] = [];
  const walk = (schema: unknown, path: string) => {
    if (typeof schema !== 'object' || schema === null) return;
    const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      const isDuration = (child as { format?: string }).format === CONFIG_FORMATS.duration;
      assert.equal(isDuration, name.endsWith('Ms'), `${path}${name}`);
      if (isDuration) found.push(`${path}${name}`);
      walk(child, `${path}${name}.`);
    }
  };
  walk(CONFIG_SCHEMA, '');
  assert.deepEqual(found.sort(), [
    'delivery.breaker.coolDownMs', 'delivery.dedupWindowMs', 'delivery.lingerMs', 'delivery.retry.initialDelayMs', 'delivery.retry.maxDelayMs',
    'limits.timeoutMs', 'retention.dlqMs', 'retention.journalMs', 'sandbox.idleMs', 'shutdownTimeoutMs',
  ]);
});

test('in a config file, "24h" and 86400000 mean the same', async () => {
  await withTempDir(async (dir) => {
    const a = await loadConfig({ file: await writeConfig(dir, 'a.yaml', 'delivery: { dedupWindowMs: 24h }\nretention: { journalMs: 7d }'), env: {} });
    const b = await loadConfig({ file: await writeConfig(dir, 'b.yaml', 'delivery: { dedupWindowMs: 86400000 }\nretention: { journalMs: 604800000 }'), env: {} });
    assert.deepEqual(a.host, b.host);
    assert.equal(a.host.delivery.dedupWindowMs, 86_400_000);
  });
});
