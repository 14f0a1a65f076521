// The plexus-registry bin: starts on the given port with tokens from the
// environment, serves npm routes, stops cleanly on SIGTERM; bad flags exit 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listeningLine } from './helpers/registry-fixture.ts';

const BIN = fileURLToPath(new URL('../bin/plexus-registry.js', import.meta.url));

describe('plexus-registry CLI', () => {
  it('listens on --port, stores under --storage, takes tokens from PLEXUS_REGISTRY_TOKENS and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-cli-'));
    const storage = join(dir, 'store');
    const child = spawn(process.execPath, [BIN, '--port', '0', '--storage', storage], {
      env: { ...process.env, PLEXUS_REGISTRY_TOKENS: 'cli-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const { url, line } = await listeningLine(child);
      assert.match(line, /^plexus-registry listening on http:\/\/127\.0\.0\.1:\d+ \(storage .*; 1 write token\(s\)\)/);
      assert.equal((await fetch(`${url}/-/ping`)).status, 200);
      const whoami = await fetch(`${url}/-/whoami`, { headers: { authorization: 'Bearer cli-token' } });
      assert.equal(whoami.status, 200);
      assert.ok((await stat(storage)).isDirectory());
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an invalid --port exits 1 with a clear message', async () => {
    const child = spawn(process.execPath, [BIN, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /--port must be a number from 0 to 65535, got "eighty"/);
  });
});
