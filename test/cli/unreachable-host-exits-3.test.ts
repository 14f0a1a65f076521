import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, closedPort } from './cli-fixture.ts';

test('every admin command exits 3 with a hint when nothing listens at --admin', async () => {
  const admin = `http://127.0.0.1:${await closedPort()}`;
  const commands = [['emit', 'a.b'], ['dlq', 'list'], ['dlq', 'show', 'x'], ['dlq', 'replay', '--all'], ['dlq', 'purge', '--all'], ['replay', '--from', '1h']];
  for (const argv of commands) {
    const result = await cli([...argv, '--admin', admin, '--token', 't']);
    assert.equal(result.code, 3, argv.join(' '));
    assert.match(result.stderr, new RegExp(`^plexus: cannot reach the Plexus host at ${admin.replaceAll('.', '\\.')} \\(ECONNREFUSED\\)`));
  }
});

test('PLEXUS_ADMIN_URL is used when --admin is not given', async () => {
  const admin = `http://127.0.0.1:${await closedPort()}`;
  const result = await cli(['dlq', 'list'], { env: { PLEXUS_ADMIN_URL: admin, PLEXUS_ADMIN_TOKEN: 't' } });
  assert.equal(result.code, 3);
  assert.ok(result.stderr.includes(admin));
});
