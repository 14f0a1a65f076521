import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const CASES: [string, string][] = [
  ['delivery: { batchSize: 0 }', 'delivery.batchSize must be >= 1'],
  ['delivery: { retry: { multiplier: 0.5 } }', 'delivery.retry.multiplier must be >= 1'],
  ['delivery: { retry: { maxRetry: 3 } }', 'delivery.retry.maxRetry is not a known field'],
  ['deliverey: { batchSize: 8 }', 'deliverey is not a known field'],
  ['store: { kind: mongo }', 'store.kind must be one of ["sqlite","redis"]'],
  ['store: { kind: redis }', 'store.url is required'],
  ['store: { kind: redis, url: "http://x" }', 'store.url scheme must be redis: or rediss:'],
  ['store: { kind: sqlite, url: "redis://x" }', 'store.url is not a known field'],
  ['listen: 8080', 'listen must be host:port'],
  ['adminListen: "127.0.0.1"', 'adminListen must be host:port'],
  ['limits: { memoryMb: lots }', 'limits.memoryMb must be integer'],
  ['retention: { dlqMs: forever }', 'retention.dlqMs must be milliseconds or a duration'],
  ['shutdownTimeoutMs: -5', 'shutdownTimeoutMs must be >= 0'],
  ['secrets: { "bad-name": x }', 'secrets["bad-name"] is not a valid name'],
  ['secrets: { KEY: { nested: 1 } }', 'secrets.KEY must be string'],
  ['logLevel: chatty', 'logLevel must be one of'],
  ['adminToken: "has spaces in the token"', 'adminToken must be visible ASCII characters without spaces'],
  ['adminToken: short', 'adminToken must NOT have fewer than 16 characters'],
  ['sandbox: { threads: 0 }', 'sandbox.threads must be >= 1'],
  ['sandbox: { nice: 20 }', 'sandbox.nice must be <= 19'],
  ['sandbox: { nice: -5 }', 'sandbox.nice must be >= 0'],
  ['__proto__: { polluted: true }', '__proto__ is not a known field'],
  ['- just\n- a list', '(root) must be a mapping of settings'],
];

test('each invalid setting is PLEXUS_INVALID_CONFIG naming its path and what is wrong', async () => {
  await withTempDir(async (dir) => {
    for (const [i, [yaml, expected]] of CASES.entries()) {
      const file = await writeConfig(dir, `case-${i}.yaml`, yaml);
      const err = await assertInvalidConfig(loadConfig({ file, env: {} }), expected, file);
      assert.ok(Array.isArray(err.details?.problems), yaml);
    }
  });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('every problem is reported at once', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'p.yaml', 'delivery: { batchSize: 0, concurrency: 0 }\nlisten: nowhere\n');
    const err = await assertInvalidConfig(loadConfig({ file, env: {} }), 'delivery.batchSize must be >= 1', 'delivery.concurrency must be >= 1', 'listen must be host:port');
    assert.equal((err.details?.problems as unknown[]).length, 3);
  });
});

test('YAML and JSON syntax errors give the line and column, without quoting the text', async () => {
  await withTempDir(async (dir) => {
    const yaml = await writeConfig(dir, 'bad.yaml', 'adminToken: s3cret-token-value\ndelivery: [1\nlisten: x\n');
    const yamlErr = await assertInvalidConfig(loadConfig({ file: yaml, env: {} }), 'not valid YAML at line 3');
    assert.ok(!yamlErr.message.includes('s3cret'));
    const json = await writeConfig(dir, 'bad.json', '{\n  "adminToken": "s3cret-token-value" x\n}');
    const jsonErr = await assertInvalidConfig(loadConfig({ file: json, env: {} }), 'not valid JSON at line 2, column 38');
    assert.ok(!jsonErr.message.includes('s3cret'));
    const quoted = await writeConfig(dir, 'quoted.json', 's3cret');
    assert.ok(!(await assertInvalidConfig(loadConfig({ file: quoted, env: {} }), 'not valid JSON')).message.includes('s3cret'));
    // In a longer text V8 quotes an excerpt around the error (`..."API_KEY": 'sk_live_A"...`).
    for (const [i, text] of ['{"secrets": {"EXCHANGE_API_KEY": \'sk_live_s3cret0123456789\'}}', '{"listen": "127.0.0.1:8080", "adminToken": xs3cretTokenValue0123}'].entries()) {
      const long = await writeConfig(dir, `long-${i}.json`, text);
      const err = await assertInvalidConfig(loadConfig({ file: long, env: {} }), 'not valid JSON');
      assert.ok(!err.message.includes('s3cret'), err.message);
    }
  });
});

test('YAML tags, aliases and warnings: refused as PLEXUS_INVALID_CONFIG, never printed with the source line', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    await withTempDir(async (dir) => {
      const cases: [string, string][] = [
        ['secrets:\n  STRIPE_KEY: !vault sk_live_s3cret\n', 'Unresolved tag'],
        ['secrets: !!set { A, B }\n', 'Unresolved tag'],
        ['adminToken: !!binary czNjcmV0LXRva2VuLXZhbHVl\n', 'Unresolved tag'],
        ['adminToken: *token\n', 'Unresolved alias'],
        [`a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`).join('\n')}\n`, 'alias'],
      ];
      for (const [i, [yaml, expected]] of cases.entries()) {
        const err = await assertInvalidConfig(loadConfig({ file: await writeConfig(dir, `tag-${i}.yaml`, yaml), env: {} }), 'not valid YAML', expected);
        assert.ok(!err.message.includes('s3cret'), err.message);
      }
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('duplicate keys are refused rather than the last one silently winning, in YAML and in JSON', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'dup.yaml', 'delivery: { batchSize: 8 }\ndelivery: { batchSize: 9 }\n');
    await assertInvalidConfig(loadConfig({ file, env: {} }), 'unique', 'line 2');
    const json = await writeConfig(dir, 'dup.json', '{\n  "adminListen": "127.0.0.1:9090",\n  "adminListen": "0.0.0.0:9090"\n}');
    await assertInvalidConfig(loadConfig({ file: json, env: {} }), 'not valid JSON at line 3', 'unique');
  });
});

test('a missing config file is PLEXUS_INVALID_CONFIG naming the file', async () => {
  await assertInvalidConfig(loadConfig({ file: '/nonexistent/plexus.yaml', env: {} }), 'Cannot read config file /nonexistent/plexus.yaml');
});
