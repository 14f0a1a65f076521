// A DLQ id or plugin name of "." or ".." is one path segment to the CLI, but a
// WHATWG URL resolves it: `dlq replay ..` was sent as POST /v1/replay (the
// journal replay route), `dlq replay .` as the bulk replay route, `uninstall ..`
// as DELETE /v1/. Each must reach its own route and be answered as an unknown
// id or name, with nothing replayed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dlqEntry } from '../admin/fake-host.ts';
import { cli, runningAdmin, type RunningAdmin } from './cli-fixture.ts';

let admin: RunningAdmin;
before(async () => {
  admin = await runningAdmin();
  admin.host.dlq = [dlqEntry('a', { plugin: 'p1' })];
});
after(async () => {
  await admin.server.close();
});

test('dlq replay and dlq show of "." or ".." are an unknown entry, and nothing is replayed', async () => {
  for (const id of ['.', '..']) {
    const replay = await cli(['dlq', 'replay', id, ...admin.flags]);
    assert.equal(replay.code, 1, replay.stderr);
    assert.equal(replay.stderr, `plexus: PLEXUS_NOT_FOUND: No dead-letter entry ${id}`);
    const show = await cli(['dlq', 'show', id, ...admin.flags]);
    assert.equal(show.code, 1, show.stderr);
    assert.equal(show.stderr, `plexus: PLEXUS_NOT_FOUND: no dead-letter entry ${id}`);
  }
  assert.deepEqual(admin.host.requeued, []);
  assert.deepEqual(admin.host.replays, []);
  assert.equal(admin.host.dlq.length, 1);
});

test('uninstall, enable and disable of ".." reach the plugin route, not another one', async () => {
  // The fake host manages no plugins: the plugin route answers that; any other route would not.
  for (const command of ['uninstall', 'enable', 'disable']) {
    const result = await cli([command, '..', ...admin.flags]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, 'plexus: PLEXUS_UNAVAILABLE: this host does not manage plugins');
  }
});

test('a base URL with a trailing slash still reaches the routes', async () => {
  const prefixed = admin.flags.map((flag) => (flag === admin.server.url ? `${admin.server.url}/` : flag));
  const result = await cli(['dlq', 'show', 'a', '--json', ...prefixed]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).id, 'a');
});
