// install, bulk `dlq replay`, `dlq purge` and `replay` wait on one admin
// request that can take long: a spinner on a terminal stderr (erased before the
// result or the error), nothing drawn anywhere else, stdout only the result,
// and with --json a summary line on stderr.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlexusError } from '@plexus/plugin-sdk';
import type { ProgressTerminal } from '../../src/cli/command.ts';
import { formatElapsed } from '../../src/cli/progress.ts';
import { TOKEN } from '../admin/admin-fixture.ts';
import { dlqEntry } from '../admin/fake-host.ts';
import { cli, runningAdminAroundTheseTests } from './cli-fixture.ts';

const CLEAR_LINE = '\r\u001b[K';
// Longer than the spinner's quiet period (250 ms) plus a few frames, with room for a loaded machine.
const SLOW_MS = 800;
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

class FakeTerminal implements ProgressTerminal {
  readonly writes: string[] = [];
  readonly columns: number;
  constructor(columns = 120) {
    this.columns = columns;
  }
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

const admin = runningAdminAroundTheseTests();
beforeEach(() => {
  admin.host.dlq = [dlqEntry('a', { plugin: 'p1' }), dlqEntry('b', { plugin: 'p2' }), dlqEntry('c', { plugin: 'p2' })];
  admin.host.replayCount = 3;
});

/** Makes the host's replay slow, and optionally fail, for one test. */
function slowReplay(error?: Error): () => void {
  const original = admin.host.replay;
  admin.host.replay = async (query) => {
    await sleep(SLOW_MS);
    if (error) throw error;
    return original.call(admin.host, query);
  };
  return () => {
    admin.host.replay = original;
  };
}

test('off a terminal, --json stdout is exactly the JSON answer and stderr one summary line, for every long command', async () => {
  const cases: [string[], object, RegExp][] = [
    [['replay', '--from', '1h', '--json'], { replayed: 3 }, /^plexus: replayed 3 events in \d+\.\d s$/],
    [['dlq', 'replay', '--plugin', 'p2', '--json'], { replayed: 2 }, /^plexus: replayed 2 entries in \d+\.\d s$/],
    [['dlq', 'purge', '--all', '--json'], { purged: 1 }, /^plexus: purged 1 entry in \d+\.\d s$/],
  ];
  for (const [argv, answer, summary] of cases) {
    const result = await cli([...argv, ...admin.flags]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), answer, argv.join(' '));
    assert.match(result.stderr, summary);
    assert.ok(!CONTROL.test(result.stdout) && !CONTROL.test(result.stderr), 'no control characters off a terminal');
  }
});

test('off a terminal without --json, stdout keeps its one result line and stderr stays empty', async () => {
  const result = await cli(['dlq', 'replay', '--all', ...admin.flags]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'replayed 3 entries');
  assert.equal(result.stderr, '');
});

test('on a terminal a slow replay shows a spinner with the label and elapsed time, erased before the result', async () => {
  const restore = slowReplay();
  try {
    const terminal = new FakeTerminal();
    const result = await cli(['replay', '--from', '2024-05-01T10:00:00Z', '--json', ...admin.flags], { terminal });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { replayed: 3 });
    const frames = terminal.writes.slice(0, -1);
    assert.ok(frames.length >= 2, `spinner frames: ${JSON.stringify(terminal.writes)}`);
    for (const frame of frames) {
      assert.match(frame, /^\r\u001b\[K. replaying the journal from 2024-05-01T10:00:00\.000Z \(\d+\.\d s\)$/);
    }
    assert.equal(terminal.writes.at(-1), CLEAR_LINE);
    // The summary still goes through stderr's ordinary lines, after the spinner is gone.
    assert.match(result.stderr, /^plexus: replayed 3 events in \d+\.\d s$/);
  } finally {
    restore();
  }
});

test('on a terminal the spinner is erased before an error is printed', async () => {
  const restore = slowReplay(new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down'));
  try {
    const terminal = new FakeTerminal();
    const result = await cli(['replay', '--from', '1h', ...admin.flags], { terminal });
    assert.equal(result.code, 1);
    assert.ok(terminal.writes.length >= 2, JSON.stringify(terminal.writes));
    assert.equal(terminal.writes.at(-1), CLEAR_LINE);
    assert.equal(result.stderr, 'plexus: PLEXUS_UNAVAILABLE: the host is shutting down');
  } finally {
    restore();
  }
});

test('a quick answer draws nothing, and neither does a TERM=dumb terminal', async () => {
  const quick = new FakeTerminal();
  assert.equal((await cli(['dlq', 'purge', '--plugin', 'p1', ...admin.flags], { terminal: quick })).stdout, 'purged 1 entry');
  assert.deepEqual(quick.writes, []);

  const restore = slowReplay();
  try {
    const dumb = new FakeTerminal();
    const result = await cli(['replay', '--from', '1h', ...admin.flags], { terminal: dumb, env: { TERM: 'dumb' } });
    assert.equal(result.stdout, 'replayed 3 events');
    assert.deepEqual(dumb.writes, []);
  } finally {
    restore();
  }
});

test('install: a spinner while the host fetches, --json stdout the plugin record, the summary on stderr', async () => {
  const record = { name: '@acme/slow', version: '1.2.0', status: 'active', enabled: true, grants: [], config: {}, missingGrants: [], root: '/p', change: 'installed' };
  const server = await stubAdmin(async () => {
    await sleep(SLOW_MS);
    return [201, record];
  });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const terminal = new FakeTerminal(30);
    const result = await cli(['install', '@acme/slow@^1', '--json', '--admin', url, '--token', TOKEN], { terminal });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), record);
    assert.match(result.stderr, /^plexus: installed @acme\/slow@1\.2\.0 \(active\) in \d+\.\d s$/);
    const frames = terminal.writes.slice(0, -1);
    assert.ok(frames.length >= 1, JSON.stringify(terminal.writes));
    for (const frame of frames) {
      assert.ok(frame.startsWith(CLEAR_LINE) && frame.includes(' installing @acme/slow@^1'), frame);
      // Cut to the terminal's width: a wrapped line could not be erased with \r.
      assert.ok(frame.length - CLEAR_LINE.length < terminal.columns, frame);
    }
    assert.equal(terminal.writes.at(-1), CLEAR_LINE);

    const plain = await cli(['install', '@acme/slow@^1', '--admin', url, '--token', TOKEN]);
    assert.equal(plain.stdout, 'installed @acme/slow@1.2.0 (active)');
    assert.equal(plain.stderr, '');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('elapsed times read as seconds, then minutes', () => {
  assert.equal(formatElapsed(420), '0.4 s');
  assert.equal(formatElapsed(9_949), '9.9 s');
  assert.equal(formatElapsed(12_400), '12 s');
  assert.equal(formatElapsed(187_000), '3 min 07 s');
});

/** An admin API that answers POST /v1/plugins with what `answer` says (the CLI side only). */
async function stubAdmin(answer: () => Promise<[number, object]>): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', async () => {
      const [status, body] = await answer();
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
