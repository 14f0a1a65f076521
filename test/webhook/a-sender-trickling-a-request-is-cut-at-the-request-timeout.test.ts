// A sender that trickles its request (headers or body) must not hold a
// connection past the listener's request timeout: Node enforces it only when
// headersTimeout is no longer and checks it on an interval, both of which
// the listener sets. Here the timeout is 1 s; the connection is answered 408
// or closed within a couple of seconds, not after Node's 60-90 s.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startWebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const host = { accept: () => Promise.reject(new Error('nothing should be accepted')) };

async function heldFor(url: string, request: string): Promise<{ ms: number; answer: string }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => void (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const started = performance.now();
  socket.write(request);
  // Then nothing more, as a slow (or hostile) sender would.
  await once(socket, 'close');
  return { ms: performance.now() - started, answer };
}

test('a request whose headers or body stop coming is cut near the request timeout', { timeout: 30_000 }, async () => {
  const server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ github: { signature: { scheme: 'github', secrets: ['s'] }, type: { from: 'fixed', value: 'test.event' } } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
    requestTimeoutMs: 1000,
  });
  try {
    const body = await heldFor(server.url, 'POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":');
    assert.ok(body.ms < 3000, `a stalled body held the connection ${Math.round(body.ms)} ms`);
    assert.match(body.answer, /^HTTP\/1\.1 408 /);
    const headers = await heldFor(server.url, 'POST /hooks/github HTTP/1.1\r\nHost: x\r\n');
    assert.ok(headers.ms < 3000, `stalled headers held the connection ${Math.round(headers.ms)} ms`);
  } finally {
    await server.close();
  }
});
