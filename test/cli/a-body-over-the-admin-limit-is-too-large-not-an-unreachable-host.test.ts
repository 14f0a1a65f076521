// The admin API answers 413 to a body over its limit and closes the connection
// while the CLI is still sending it: the CLI's write fails (EPIPE), mostly before
// it reads the 413. That was reported as "cannot reach the Plexus host", exit 3,
// for a host that is up and answered. It must say the body was too large, exit 1.
// The CLI runs as its own process, as an operator runs it: in the test's process
// the server reads the body in step with the writes and the race never shows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runningAdmin, type RunningAdmin } from './cli-fixture.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

let admin: RunningAdmin;
let dir: string;
before(async () => {
  admin = await runningAdmin();
  dir = await mkdtemp(join(tmpdir(), 'plexus-cli-413-'));
});
after(async () => {
  await admin.server.close();
  await rm(dir, { recursive: true, force: true });
});

function plexus(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

test('configure with a 20 MB config file exits 1 saying the body is too large, every time', async () => {
  const file = join(dir, 'big.json');
  await writeFile(file, JSON.stringify({ blob: 'x'.repeat(20 * 1024 * 1024) }));
  // Whether the failed write or the 413 comes first varies: several runs meet both orders.
  for (let i = 0; i < 3; i++) {
    const result = await plexus(['configure', 'p1', file, ...admin.flags]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /PLEXUS_PAYLOAD_TOO_LARGE/);
    assert.doesNotMatch(result.stderr, /cannot reach|\n\s+at /);
  }
});

test('a wrong token with a large config file is PLEXUS_UNAUTHORIZED, exit 1, not an unreachable host', async () => {
  const file = join(dir, 'large.json');
  await writeFile(file, JSON.stringify({ blob: 'x'.repeat(4 * 1024 * 1024) }));
  const flags = admin.flags.map((flag) => (flag === admin.flags.at(-1) ? 'not-the-token' : flag));
  for (let i = 0; i < 3; i++) {
    const result = await plexus(['configure', 'p1', file, ...flags]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /PLEXUS_UNAUTHORIZED/);
  }
});
