// A registry or an admin API behind a proxy is often reached with basic auth
// in the URL (`--registry https://ci:<token>@npm.internal`), and a plugin's
// config file may hold keys. The CLI's own messages (usage errors, an
// unreachable host, a page that is no admin answer, a config file that is not
// JSON) go to terminals and CI logs: they name the host, never the secret.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, closedPort } from './cli-fixture.ts';

const PASSWORD = 'UrlPassw0rdXYZ';
const TOKEN = ['--token', 'some-token-0123456789'];

function assertNoSecret(result: { stdout: string; stderr: string }, secret: string, what: string): void {
  assert.ok(!`${result.stdout}\n${result.stderr}`.includes(secret), `${what} printed the secret: ${result.stderr}`);
}

test('a --registry that is not http(s) is refused naming the host, not the password in it', async () => {
  const admin = ['--admin', `http://127.0.0.1:${await closedPort()}`, ...TOKEN];
  const result = await cli(['install', '@acme/x', '--registry', `ftp://ci:${PASSWORD}@npm.internal:4873`, ...admin]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--registry must be an http\(s\) URL, got "ftp:\/\/\*\*\*@npm\.internal:4873"/);
  assertNoSecret(result, PASSWORD, 'install --registry ftp://…');
});

test('a bad --admin URL and an unreachable one name the host, not the password in it', async () => {
  const notHttp = await cli(['plugins', '--admin', `ftp://ops:${PASSWORD}@proxy.internal`, ...TOKEN]);
  assert.equal(notHttp.code, 2, notHttp.stderr);
  assert.match(notHttp.stderr, /--admin must be an http\(s\) URL, got "ftp:\/\/\*\*\*@proxy\.internal"/);
  assertNoSecret(notHttp, PASSWORD, '--admin ftp://…');

  const port = await closedPort();
  const unreachable = await cli(['plugins', '--admin', `http://ops:${PASSWORD}@127.0.0.1:${port}`, ...TOKEN]);
  assert.equal(unreachable.code, 3, unreachable.stderr);
  assert.match(unreachable.stderr, new RegExp(`cannot reach the Plexus host at http://\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
  assertNoSecret(unreachable, PASSWORD, 'an unreachable --admin');
});

test('an answer that is no admin API names the host, not the password in --admin', async () => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>proxy login page</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const result = await cli(['plugins', '--admin', `http://ops:${PASSWORD}@127.0.0.1:${port}`, ...TOKEN]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`unexpected answer from http://\\*\\*\\*@127\\.0\\.0\\.1:${port}: HTTP 200`));
    assertNoSecret(result, PASSWORD, 'a page that is no admin answer');
  } finally {
    server.close();
  }
});

test('a plugin config file that is not JSON is refused without quoting its text', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-cli-config-'));
  try {
    const key = 'sk_live_ConfigKeyXYZ';
    // Short and long: V8 quotes a short text whole and a longer one around the error, between "...".
    for (const text of [`{"apiKey": ${key}}`, `{"apiKey": ${key}, "padding": "${'x'.repeat(200)}"}`]) {
      const file = join(dir, 'config.json');
      await writeFile(file, text);
      const result = await cli(['install', '@acme/x', '--config', file, '--admin', `http://127.0.0.1:${await closedPort()}`, ...TOKEN]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /config\.json is not valid JSON: Unexpected token/);
      // V8 quotes about ten characters either side of the error: the key's start is enough to leak.
      assertNoSecret(result, 'sk_live', `a config file of ${text.length} characters`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
