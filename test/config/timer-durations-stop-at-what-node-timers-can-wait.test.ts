// Node's timers fire a delay over 2^31 - 1 ms (about 24.8 days) after 1 ms:
// a "4w" shutdown timeout would force the exit the moment SIGTERM arrives.
// Durations that are waited for with a timer are refused above that, in
// either form; windows compared with timestamps (retention, dedup, queue
// TTLs) may be longer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { RetryTimer } from '../../src/delivery/retry-timer.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const BROKER = 'brokers: { amqp: { main: { url: "amqp://127.0.0.1", queues: [{ name: q, type: t }]';

test('timers over 2147483647 ms are refused wherever they are set, as a number or a string', async () => {
  const cases: [string, string][] = [
    ['shutdownTimeoutMs: 4w', 'shutdownTimeoutMs must be at most 2147483647 ms'],
    ['shutdownTimeoutMs: 2147483648', 'shutdownTimeoutMs must be at most 2147483647 ms'],
    ['delivery: { retry: { maxDelayMs: 25d } }', 'delivery.retry.maxDelayMs must be at most'],
    ['delivery: { breaker: { coolDownMs: 30d } }', 'delivery.breaker.coolDownMs must be at most'],
    ['sandbox: { idleMs: 5w }', 'sandbox.idleMs must be at most'],
    [`${BROKER}, reconnect: { maxDelayMs: 26d } } } }`, 'brokers.amqp.main.reconnect.maxDelayMs must be at most'],
  ];
  await withTempDir(async (dir) => {
    for (const [i, [yaml, expected]] of cases.entries()) {
      await assertInvalidConfig(loadConfig({ file: await writeConfig(dir, `t-${i}.yaml`, yaml), env: {} }), expected);
    }
  });
});

test('the longest timer, and windows longer than a timer can wait, are accepted', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'ok.yaml', 'shutdownTimeoutMs: 2147483647\ndelivery: { dedupWindowMs: 90d, retry: { maxDelayMs: 24d } }\nretention: { journalMs: 365d, dlqMs: 30d }');
    const { host } = await loadConfig({ file, env: {} });
    assert.equal(host.shutdownTimeoutMs, 2_147_483_647);
    assert.equal(host.retention.journalMs, 365 * 86_400_000);
  });
});

test('a retry due in 30 days neither fires early nor spins the timer', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const due: string[][] = [];
    const timer = new RetryTimer<string>((items) => due.push(items), () => Date.now());
    timer.schedule('later', Date.now() + 30 * 86_400_000);
    timer.schedule('soon', Date.now() + 20);
    await new Promise((r) => setTimeout(r, 120));
    timer.stop();
    assert.deepEqual(due, [['soon']]);
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});
