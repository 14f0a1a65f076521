// A value from an env reference is text, so "8" must still count as the
// integer 8. The other direction must not happen silently: an empty YAML
// value would become 0 (turning dedup or retries off) or "", a number where
// text is wanted has already lost digits to YAML (a token, a PIN), and true
// would become a 1 ms timeout. Each is refused, naming the path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const CASES: [string, string][] = [
  ['delivery: { dedupWindowMs: }', 'delivery.dedupWindowMs is empty'],
  ['delivery: { retry: { maxRetries: } }', 'delivery.retry.maxRetries is empty'],
  ['retention: { journalMs: }', 'retention.journalMs is empty'],
  ['secrets: { FORGOTTEN: }', 'secrets.FORGOTTEN is empty'],
  ['adminToken: 12345678901234567890', 'adminToken must be text: write it in quotes'],
  ['secrets: { ACCOUNT_PIN: 000123456789 }', 'secrets.ACCOUNT_PIN must be text'],
  ['secrets: { HEX_KEY: 0x1F }', 'secrets.HEX_KEY must be text'],
  ['shutdownTimeoutMs: true', 'shutdownTimeoutMs must be a number, not a boolean'],
  ['delivery: { batchSize: false }', 'delivery.batchSize must be a number, not a boolean'],
];

test('empty values, numbers for text and booleans for numbers are refused, each naming its path', async () => {
  await withTempDir(async (dir) => {
    for (const [i, [yaml, expected]] of CASES.entries()) {
      const file = await writeConfig(dir, `case-${i}.yaml`, yaml);
      await assertInvalidConfig(loadConfig({ file, env: {} }), expected);
    }
  });
});

test('the refusal never prints the value of a secret', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'pin.yaml', 'secrets: { ACCOUNT_PIN: 98765432101234, FORGOTTEN: }');
    const err = await assertInvalidConfig(loadConfig({ file, env: {} }), 'secrets.ACCOUNT_PIN must be text', 'secrets.FORGOTTEN');
    assert.ok(!JSON.stringify({ message: err.message, details: err.details }).includes('98765432101234'), err.message);
  });
});

test('text still becomes a number or a boolean where one is wanted: env references and quoted values', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'env.yaml', 'delivery: { batchSize: "${BATCH}", retry: { maxRetries: "0" } }\nshutdownTimeoutMs: "${STOP_MS}"');
    const { host } = await loadConfig({ file, env: { BATCH: '8', STOP_MS: '5000' } });
    assert.equal(host.delivery.batchSize, 8);
    assert.equal(host.delivery.retry.maxRetries, 0);
    assert.equal(host.shutdownTimeoutMs, 5000);
  });
});
