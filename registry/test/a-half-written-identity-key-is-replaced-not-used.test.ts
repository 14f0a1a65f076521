// The identity key makes token names (`npm whoami`, maintainers) useless for
// testing token guesses offline. It used to be written in place: a crash after
// the file was created but before its bytes reached the disk, or a second
// registry reading it at that moment, left an empty key, which was then used
// on every start, and with it anyone could compute a guessed token's name.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { identityOf } from '../src/auth.ts';
import { startRegistry } from '../src/index.ts';
import { request } from './helpers/packages.ts';
import { TOKEN } from './helpers/registry-fixture.ts';

for (const [what, leftOver] of [['an empty', ''], ['a truncated', 'abc']] as const) {
  test(`${what} identity key in the storage folder is replaced by a full one, not used`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-key-'));
    const storage = join(dir, 'storage');
    await mkdir(storage);
    await writeFile(join(storage, '.identity-key'), leftOver, { mode: 0o600 });
    const registry = await startRegistry({ port: 0, host: '127.0.0.1', storage, tokens: [TOKEN] });
    try {
      const { username } = (await request(`${registry.url}/-/whoami`, { token: TOKEN })).body as { username: string };
      assert.notEqual(username, identityOf(TOKEN, Buffer.from(leftOver)), 'the name must not come from a key anyone can know');
      const key = await readFile(join(storage, '.identity-key'));
      assert.equal(key.length, 32);
      assert.equal(username, identityOf(TOKEN, key), 'the key on disk is the one in use, so names survive a restart');
      assert.deepEqual(await readdir(storage), ['.identity-key'], 'no temp files left');
    } finally {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
