// A hand-edited plugins.json that is cut short: `plexus start` must say which
// file and why, and exit. Before, the error was printed but the sandbox
// process and the store the host had already opened kept the process alive,
// serving nothing, until something killed it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

test('a broken plugin state file: exit 1 naming the file, with nothing left running', { timeout: 60_000 }, async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-broken-state-'));
  try {
    const stateFile = join(stateDir, 'plugins.json');
    await writeFile(stateFile, '{"version": 1, "plugins": [');
    const child = spawn(process.execPath, [MAIN, 'start', '--state-dir', stateDir, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
      env: { ...process.env, PLEXUS_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(deadline);
    assert.equal(code, 1, `expected exit 1 on its own, got ${code}; stderr: ${stderr}`);
    assert.match(stderr, new RegExp(`PLEXUS_INVALID_CONFIG: ${stateFile.replaceAll('/', '\\/')} is not valid JSON`));
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
