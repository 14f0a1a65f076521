// End to end, as an operator runs it: `plexus start` as a child process on a
// free port with a temp state dir and one installed plugin, then `plexus emit`
// and `plexus dlq list` as separate processes against it, then SIGTERM.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { plugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { installFixtures } from '../helpers/installed-fixtures.ts';
import { startPlexus, type PlexusProcess } from '../helpers/plexus-process.ts';

interface DlqPage {
  total: number;
  entries: { plugin: string; reason: string; event: { id: string; source: string }; error: { message: string } }[];
}

let stateDir: string;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'plexus-e2e-'));
  // Refuses (PermanentError) orders marked {refuse: true}: those go straight to the DLQ.
  await installFixtures(stateDir, [{ name: 'refuser', subscribe: ['orders.#'], source: plugin(`if (event.data && event.data.refuse) throw new PermanentError('refused by policy');`) }]);
});

after(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

/** `plexus <argv>` as its own process against the host; must succeed. */
async function plexus(host: PlexusProcess, ...argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await host.cli(...argv);
  assert.equal(code, 0, `plexus ${argv.join(' ')}: ${stderr}`);
  return stdout.trim();
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('start → emit → the refused event is in the DLQ → SIGTERM exits 0 → a restart keeps the token and the DLQ', { timeout: 120_000 }, async () => {
  const host = await startPlexus(stateDir);
  try {
    const tokenFile = join(stateDir, 'admin-token');
    assert.ok(host.stderr().includes(`plexus: admin token in ${tokenFile}`));
    const token = (await readFile(tokenFile, 'utf8')).trim();

    const ready = await fetch(`${host.adminUrl}/readyz`);
    assert.equal(ready.status, 200);

    const accepted = await plexus(host, 'emit', 'orders.created', '{"id": 1}');
    assert.match(accepted, /^accepted [0-9a-f-]{36}$/);
    const refusedId = JSON.parse(await plexus(host, 'emit', 'orders.created', '{"id": 2, "refuse": true}', '--json', '--id', 'order-2')).id;
    assert.equal(refusedId, 'order-2');

    const page = await eventually(async () => JSON.parse(await plexus(host, 'dlq', 'list', '--json')) as DlqPage, (p) => p.total >= 1, 'the refused event to be dead-lettered');
    assert.equal(page.total, 1);
    const [entry] = page.entries;
    assert.ok(entry);
    assert.equal(entry.plugin, '@fixtures/refuser');
    assert.equal(entry.reason, 'permanent');
    assert.equal(entry.event.id, 'order-2');
    assert.equal(entry.event.source, 'admin');
    assert.match(entry.error.message, /refused by policy/);

    const table = await plexus(host, 'dlq', 'list', '--plugin', '@fixtures/refuser');
    assert.match(table, /^ID\s+PLUGIN/);
    assert.ok(table.includes('@fixtures/refuser'));

    const plugins = (await (await fetch(`${host.adminUrl}/v1/plugins`, { headers: { authorization: `Bearer ${token}` } })).json()) as { plugins: { name: string }[] };
    assert.deepEqual(plugins.plugins.map((p) => p.name), ['@fixtures/refuser']);

    assert.equal(await host.stop('SIGTERM'), 0);
    // Every stdout line is a JSON log line.
    const logs = host.stdout().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; level: string });
    assert.ok(logs.some((l) => l.msg === 'stopped'));
    assert.ok(!host.stdout().includes(token), 'the token must not be logged');
  } finally {
    if (host.child.exitCode === null) host.child.kill('SIGKILL');
  }

  const again = await startPlexus(stateDir);
  try {
    assert.equal((await readFile(join(stateDir, 'admin-token'), 'utf8')).trim().length, 43);
    const page = JSON.parse(await plexus(again, 'dlq', 'list', '--json'));
    assert.equal(page.total, 1, 'the DLQ is durable across restarts');
    assert.equal(await again.stop('SIGINT'), 0);
  } finally {
    if (again.child.exitCode === null) again.child.kill('SIGKILL');
  }
});
