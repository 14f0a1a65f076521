// A fetch URL is bounded like the body and the headers: neither of their caps
// covers the request line, and a plugin could otherwise send megabytes in a
// path or query. An over-long URL is refused before any DNS lookup or
// connection. Real sockets on 127.0.0.1 count what actually arrives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { MAX_URL_BYTES } from '../../src/capabilities/fetch-target.ts';
import { rejection } from './fetch-test-helpers.ts';
import { rawServer } from './local-server.ts';

/** A raw HTTP server that counts connections and bytes; `answer` gives the response to each request head. */
async function countingServer(answer: (head: string) => string = () => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok') {
  let bytes = 0;
  const heads: string[] = [];
  const server = await rawServer((socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      heads.push(head);
      socket.end(answer(head));
    });
  });
  return {
    ...server,
    origin: server.url(''),
    policy: createFetchPolicy([server.grant], { timeoutMs: 5000, maxRequestBytes: 1024 }),
    bytes: () => bytes,
    heads,
  };
}

/** A URL on `origin` whose serialized form is exactly `length` characters. */
function urlOfLength(origin: string, length: number): string {
  const prefix = `${origin}/q?x=`;
  return prefix + 'a'.repeat(length - prefix.length);
}

test('a URL with megabytes in its query is refused and not one byte is sent', async (t) => {
  const server = await countingServer();
  t.after(server.close);
  const err = await rejection(guardedFetch({ url: `${server.origin}/x?q=${'a'.repeat(4 * 1024 * 1024)}` }, server.policy));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.match(err.message, new RegExp(`URL exceeds ${MAX_URL_BYTES} bytes`));
  assert.equal(server.connections(), 0);
  assert.equal(server.bytes(), 0);
});

test('an over-long URL to a named host is refused before its DNS lookup', async () => {
  const looked: string[] = [];
  const lookup: FetchLookup = async (name) => { looked.push(name); return [{ address: '127.0.0.1', family: 4 }]; };
  const policy = createFetchPolicy(['api.example.com'], { timeoutMs: 5000, allowPrivateNetwork: true });
  const err = await rejection(guardedFetch({ url: `http://api.example.com/${'p/'.repeat(MAX_URL_BYTES)}` }, policy, { lookup }));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.deepEqual(looked, []);
});

test('a URL of exactly the limit is sent; one character more is refused', async (t) => {
  const server = await countingServer();
  t.after(server.close);
  const atLimit = urlOfLength(server.origin, MAX_URL_BYTES);
  assert.equal(new URL(atLimit).href.length, MAX_URL_BYTES);
  const res = await guardedFetch({ url: atLimit }, server.policy);
  assert.equal(res.status, 200);
  assert.ok(server.heads[0]?.startsWith(`GET ${atLimit.slice(server.origin.length)} HTTP/1.1\r\n`));
  const err = await rejection(guardedFetch({ url: urlOfLength(server.origin, MAX_URL_BYTES + 1) }, server.policy));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.equal(server.connections(), 1);
});

test('the limit counts the URL as sent: percent-encoded, without its fragment', async (t) => {
  const server = await countingServer();
  t.after(server.close);
  // 2,000 characters that are 18,000 once percent-encoded (é is %C3%A9).
  const encoded = `${server.origin}/${'é'.repeat(2000)}`;
  assert.ok(encoded.length < MAX_URL_BYTES);
  assert.equal((await rejection(guardedFetch({ url: encoded }, server.policy))).code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  // A fragment never leaves the client, whatever its length.
  const res = await guardedFetch({ url: `${server.origin}/page#${'f'.repeat(2 * MAX_URL_BYTES)}` }, server.policy);
  assert.equal(res.status, 200);
  assert.equal(server.connections(), 1);
});

test('a redirect to an over-long Location is refused without following it', async (t) => {
  const server = await countingServer(() => `HTTP/1.1 302 Found\r\nLocation: /next?q=${'b'.repeat(MAX_URL_BYTES)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  t.after(server.close);
  const err = await rejection(guardedFetch({ url: `${server.origin}/start` }, server.policy));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.match(err.message, /redirect Location/);
  assert.equal(server.heads.length, 1, 'only the first request was sent');
});
