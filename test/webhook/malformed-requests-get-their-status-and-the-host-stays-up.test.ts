// Validly signed but unacceptable requests, and requests refused before any
// signature is looked at. Each gets its CONTRACT §7 status and code, none
// reaches the plugin, and the host keeps serving: a healthy delivery after
// each still gets 202 and arrives.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { readAnswer, WebhookFixture } from './http-fixture.ts';
import { assertHealthy, assertRefused, githubHeaders } from './http-requests.ts';

const SECRET = 'gh-secret-malformed';
const TEN_MB = 10 * 1024 * 1024;

let fixture: WebhookFixture;
let accepted = 0;

before(async () => {
  fixture = await WebhookFixture.start({
    github: { signature: { scheme: 'github', secrets: [SECRET] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'github.' } },
  });
});

after(async () => {
  await fixture?.stop();
});

async function healthy(): Promise<void> {
  await assertHealthy(fixture, 'github', SECRET);
  accepted++;
}

function signedBytes(body: Buffer): Record<string, string> {
  return { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
}

test('truncated JSON is 400', async () => {
  const body = '{"ref":"refs/heads/main","commits":[{"id":"a1"';
  assertRefused(await fixture.post('github', body, await githubHeaders(SECRET, body)), 400, 'PLEXUS_INVALID_REQUEST', /not valid UTF-8 JSON/);
  await healthy();
});

test('invalid JSON is 400', async () => {
  for (const body of ["{'single': 'quotes'}", '{"a":1,}', 'undefined', '{"a":1}{"b":2}']) {
    assertRefused(await fixture.post('github', body, await githubHeaders(SECRET, body)), 400, 'PLEXUS_INVALID_REQUEST', /not valid UTF-8 JSON/);
  }
  await healthy();
});

test('bytes that are not UTF-8 are 400, even inside a JSON string and correctly signed', async () => {
  const body = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('","bad":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  assertRefused(await fixture.post('github', body, signedBytes(body)), 400, 'PLEXUS_INVALID_REQUEST', /not valid UTF-8 JSON/);
  await healthy();
});

test('JSON nested 100 000 levels deep is 400 and does not crash the host', async () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  assertRefused(await fixture.post('github', deep, await githubHeaders(SECRET, deep)), 400, 'PLEXUS_INVALID_EVENT', /deeper than 64 levels/);
  const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
  assertRefused(await fixture.post('github', deepObject, await githubHeaders(SECRET, deepObject)), 400, 'PLEXUS_INVALID_EVENT', /deeper than 64 levels/);
  await healthy();
});

test('a signed body that makes no valid event is 400 PLEXUS_INVALID_EVENT naming the problem', async () => {
  const body = '{"ok":true}';
  assertRefused(await fixture.post('github', body, await githubHeaders(SECRET, body, { 'x-github-event': 'not a type!' })), 400, 'PLEXUS_INVALID_EVENT', /X-GitHub-Event/);
  const cloudEvent = JSON.stringify({ specversion: '1.0', id: 'ce-1', source: 'x', type: 'x.y', priority: 42 });
  assertRefused(await fixture.post('github', cloudEvent, await githubHeaders(SECRET, cloudEvent)), 400, 'PLEXUS_INVALID_EVENT', /priority/);
  await healthy();
});

test('a 10 MB body is 413, with Content-Length or streamed in chunks, and the listener keeps serving', async () => {
  const big = Buffer.alloc(TEN_MB, 0x20);
  assertRefused(await fixture.post('github', big, signedBytes(big)), 413, 'PLEXUS_PAYLOAD_TOO_LARGE', /1048576 bytes source github accepts/);
  // No Content-Length: the limit must hold while reading, not only from the header.
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= TEN_MB) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const response = await fetch(`${fixture.server.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedBytes(big) }, body: stream, duplex: 'half' } as RequestInit);
  assertRefused(await readAnswer(response), 413, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.ok(sent < TEN_MB, `the listener stopped reading early (read ${sent} of ${TEN_MB} bytes)`);
  await healthy();
});

test('a content type other than UTF-8 JSON is 415, before the signature is even checked', async () => {
  const body = '{"ok":true}';
  const headers = await githubHeaders(SECRET, body);
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=iso-8859-1']) {
    assertRefused(await fixture.post('github', body, { ...headers, 'content-type': type }), 415, 'PLEXUS_UNSUPPORTED_MEDIA_TYPE');
  }
  const noType = await fetch(`${fixture.server.url}/hooks/github`, { method: 'POST', headers, body: new Blob([body]) });
  assertRefused(await readAnswer(noType), 415, 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /no content-type/);
  await healthy();
});

test('an unknown source is 404, whatever the body', async () => {
  const body = '{"ok":true}';
  assertRefused(await fixture.post('gitlab', body, await githubHeaders(SECRET, body)), 404, 'PLEXUS_NOT_FOUND', /no webhook source "gitlab"/);
  assertRefused(await fixture.post('gitlab', Buffer.alloc(TEN_MB, 0x20)), 404, 'PLEXUS_NOT_FOUND');
  const get = await fetch(`${fixture.server.url}/hooks/github`);
  assert.equal(get.status, 404);
  await healthy();
});

test('nothing that was refused reached the plugin', async () => {
  await fixture.settled();
  assert.equal(await fixture.received(), accepted);
});
