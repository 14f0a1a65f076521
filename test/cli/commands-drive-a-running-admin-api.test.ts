import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { TOKEN } from '../admin/admin-fixture.ts';
import { T0, dlqEntry } from '../admin/fake-host.ts';
import { cli, runningAdminAroundTheseTests } from './cli-fixture.ts';

const admin = runningAdminAroundTheseTests();
beforeEach(() => {
  admin.host.dlq = [
    dlqEntry('a', { plugin: 'p1', type: 'orders.created', minutes: 0 }),
    dlqEntry('b', { plugin: 'p2', type: 'orders.paid', reason: 'permanent', minutes: 10 }),
  ];
  admin.host.accepted.length = 0;
  admin.host.requeued.length = 0;
  admin.host.replays.length = 0;
});

test('emit publishes the event and prints its id (--json: an object)', async () => {
  const result = await cli(['emit', 'orders.created', '{"id": 7}', '--source', 'cli/test', '--priority', '7', '--partition-key', 'o-7', ...admin.flags]);
  assert.equal(result.code, 0, result.stderr);
  const [event] = admin.host.accepted;
  assert.equal(result.stdout, `accepted ${event?.id}`);
  assert.deepEqual({ type: event?.type, data: event?.data, source: event?.source, priority: event?.priority, partitionkey: event?.partitionkey }, { type: 'orders.created', data: { id: 7 }, source: 'cli/test', priority: 7, partitionkey: 'o-7' });
  const json = await cli(['emit', 'a.b', '--id', 'my-id', '--json', ...admin.flags]);
  assert.deepEqual(JSON.parse(json.stdout), { id: 'my-id' });
  assert.equal(admin.host.accepted[1]?.source, 'admin');
});

test('an event the host refuses exits 1 with its code and message', async () => {
  const result = await cli(['emit', 'orders..created', ...admin.flags]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^plexus: PLEXUS_INVALID_EVENT: Invalid event: type must be/);
});

test('dlq list prints a table and the count; --json prints the API answer; filters pass through', async () => {
  const table = await cli(['dlq', 'list', ...admin.flags]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split('\n');
  assert.match(lines[0] ?? '', /^ID\s+PLUGIN\s+TYPE\s+REASON\s+ATTEMPTS\s+DEAD AT\s+ERROR$/);
  assert.match(lines[1] ?? '', /^a\s+p1\s+orders\.created\s+exhausted\s+4\s+2024-05-01T10:00:00\.000Z\s+PLEXUS_PLUGIN_ERROR upstream said 503$/);
  assert.equal(lines.at(-1), '1-2 of 2');
  const json = JSON.parse((await cli(['dlq', 'list', '--plugin', 'p2', '--json', ...admin.flags])).stdout);
  assert.deepEqual(json.entries.map((e: { id: string }) => e.id), ['b']);
  assert.equal(json.total, 1);
  const windowed = JSON.parse((await cli(['dlq', 'list', '--from', new Date(T0 + 60_000).toISOString(), '--reason', 'permanent', '--limit', '5', '--json', ...admin.flags])).stdout);
  assert.deepEqual(windowed.entries.map((e: { id: string }) => e.id), ['b']);
  assert.equal(windowed.limit, 5);
  assert.equal((await cli(['dlq', 'list', '--type', 'nothing.here', ...admin.flags])).stdout, 'no dead-letter entries match');
});

test('dlq show prints the entry and its event; an unknown id exits 1 with PLEXUS_NOT_FOUND', async () => {
  const result = await cli(['dlq', 'show', 'a', ...admin.flags]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^id:\s+a$/m);
  assert.match(result.stdout, /^error:\s+PLEXUS_PLUGIN_ERROR: upstream said 503$/m);
  assert.match(result.stdout, /"type": "orders.created"/);
  assert.equal(JSON.parse((await cli(['dlq', 'show', 'a', '--json', ...admin.flags])).stdout).id, 'a');
  const missing = await cli(['dlq', 'show', 'nope', ...admin.flags]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^plexus: PLEXUS_NOT_FOUND: /);
});

test('dlq replay: one id, a filter, or --all', async () => {
  assert.equal((await cli(['dlq', 'replay', 'a', ...admin.flags])).stdout, 'replayed 1 entry');
  assert.deepEqual(JSON.parse((await cli(['dlq', 'replay', '--plugin', 'p2', '--json', ...admin.flags])).stdout), { replayed: 1 });
  assert.deepEqual(admin.host.requeued.map((e) => e.id), ['a', 'b']);
  assert.equal((await cli(['dlq', 'replay', '--all', ...admin.flags])).stdout, 'replayed 0 entries');
});

test('dlq purge: a filter or --all', async () => {
  assert.equal((await cli(['dlq', 'purge', '--type', 'orders.paid', ...admin.flags])).stdout, 'purged 1 entry');
  assert.deepEqual(admin.host.dlq.map((e) => e.id), ['a']);
  assert.deepEqual(JSON.parse((await cli(['dlq', 'purge', '--all', '--json', ...admin.flags])).stdout), { purged: 1 });
  assert.equal(admin.host.dlq.length, 0);
});

test('replay sends the window as RFC 3339 ("1h" is an hour ago) and prints the count', async () => {
  admin.host.replayCount = 3;
  const before = Date.now();
  // A minute ago, in whole seconds (the admin API caps an end in the future at now).
  const to = new Date(Math.floor((before - 60_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const result = await cli(['replay', '--from', '1h', '--to', to, '--type', 'orders.#', ...admin.flags]);
  assert.equal(result.stdout, 'replayed 3 events');
  const [query] = admin.host.replays;
  assert.ok(query !== undefined && Math.abs(query.from - (before - 3_600_000)) < 5000);
  assert.equal(query?.to, Date.parse(to));
  assert.equal(query?.type, 'orders.#');
});

test('a wrong token exits 1 with PLEXUS_UNAUTHORIZED', async () => {
  const result = await cli(['dlq', 'list', '--admin', admin.server.url, '--token', 'wrong']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'plexus: PLEXUS_UNAUTHORIZED: The admin token is not valid');
});

test('the token comes from --token, else PLEXUS_ADMIN_TOKEN, else <--state-dir>/admin-token', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-cli-token-'));
  try {
    const url = ['--admin', admin.server.url];
    assert.equal((await cli(['dlq', 'list', ...url], { env: { PLEXUS_ADMIN_TOKEN: TOKEN } })).code, 0);
    const none = await cli(['dlq', 'list', ...url, '--state-dir', dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^plexus: no admin token: pass --token, set PLEXUS_ADMIN_TOKEN, or point --state-dir/);
    await writeFile(join(dir, 'admin-token'), `${TOKEN}\n`, { mode: 0o600 });
    assert.equal((await cli(['dlq', 'list', ...url, '--state-dir', dir])).code, 0);
    // ./.plexus relative to the working directory by default.
    await writeFile(join(dir, 'admin-token'), 'stale', { mode: 0o600 });
    assert.equal((await cli(['dlq', 'list', ...url], { cwd: join(dir, '..'), env: { PLEXUS_STATE_DIR: dir } })).code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('something that is not a Plexus admin API is reported as such', async () => {
  const result = await cli(['dlq', 'list', '--admin', `${admin.server.url}/not-here`, '--token', TOKEN]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /PLEXUS_NOT_FOUND/);
});
