// A token or secret written unquoted that starts with ! or * is, to YAML, a
// tag or an alias: yaml's error named it ("Unresolved tag: !Xk9…",
// "Unresolved alias …: Xk9…"), and the refusal printed the secret. The
// refusal gives its place and how to fix it instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const SECRET = 'Xk9s3cretV4lue';

test('a value starting with ! or * is refused with its line and column, never with its text', async () => {
  const cases: [string, string][] = [
    [`secrets:\n  API_KEY: !${SECRET}\n`, 'at line 2, column 12: Unresolved tag'],
    [`adminToken: !${SECRET}\n`, 'at line 1, column 13: Unresolved tag'],
    [`secrets: { API_KEY: !${SECRET} }\n`, 'at line 1, column 21: Unresolved tag'],
    [`adminToken: !<tag:${SECRET}>\n`, 'Unresolved tag'],
    [`listen: 127.0.0.1:8080\nsecrets:\n  API_KEY: *${SECRET}\n`, 'at line 3, column 12: Unresolved alias'],
    [`adminToken: *${SECRET}\n`, 'at line 1, column 13: Unresolved alias'],
  ];
  await withTempDir(async (dir) => {
    for (const [i, [yaml, expected]] of cases.entries()) {
      const err = await assertInvalidConfig(loadConfig({ file: await writeConfig(dir, `c-${i}.yaml`, yaml), env: {} }), 'not valid YAML', expected);
      assert.ok(!err.message.includes(SECRET), err.message);
      assert.ok(!JSON.stringify(err.details).includes(SECRET), JSON.stringify(err.details));
    }
  });
});

test('aliases to an anchor set before them still load', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'ok.yaml', 'secrets:\n  A: &key "s3cret-one"\n  B: *key\n');
    const { host } = await loadConfig({ file, env: {} });
    assert.deepEqual(host.secrets, { A: 's3cret-one', B: 's3cret-one' });
  });
});
