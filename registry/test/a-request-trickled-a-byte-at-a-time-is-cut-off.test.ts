// Slowloris against a real registry on a port: an anonymous client sends
// headers and then a body one byte at a time. fastify turns Node's request
// timeout off (and setting it back on its server does not help), so the registry used to keep such a connection (and its file
// descriptor) open for as long as the client kept trickling: a few thousand
// of them and it could accept nothing else.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFixture, type RegistryFixture } from './helpers/registry-fixture.ts';

const TIMEOUT_MS = 500;

/** Opens a POST whose body never finishes; resolves with what the registry sent once it closes the connection, or undefined after `waitMs`. */
async function trickle(url: string, waitMs: number): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  // Like a real slowloris client, it keeps writing after the registry closed: those writes fail, which is not the point here.
  socket.on('error', () => undefined);
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  socket.write('POST /-/nowhere HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
  const drip = setInterval(() => socket.write(' '), 100);
  try {
    return await new Promise<string | undefined>((resolve) => {
      socket.once('close', () => resolve(received));
      setTimeout(() => resolve(undefined), waitMs);
    });
  } finally {
    clearInterval(drip);
    socket.destroy();
  }
}

describe('a request trickled a byte at a time', () => {
  let fx: RegistryFixture;

  before(async () => {
    fx = await startFixture({ requestTimeoutMs: TIMEOUT_MS });
  });
  after(() => fx.close());

  it('is answered 408 and its connection closed once the request timeout passes, though bytes keep coming', async () => {
    const started = Date.now();
    const answer = await trickle(fx.url, TIMEOUT_MS * 8);
    assert.notEqual(answer, undefined, `the connection was still open after ${TIMEOUT_MS * 8} ms`);
    assert.match(answer!, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started >= TIMEOUT_MS, 'not before the timeout');
  });
});
