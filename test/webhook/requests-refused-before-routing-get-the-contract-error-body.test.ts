// Requests Node's HTTP parser refuses before any route sees them (headers
// over its limit, a malformed request line or Content-Length, a request not
// received within the request timeout) still get CONTRACT §7's one error
// body, {"error": {"code": "PLEXUS_…", "message": "…"}}, not fastify's
// {"error": "Bad Request", "statusCode": 400}: a sender reading error.code
// must find one. The connection is closed after it, as the parser's state is lost.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startWebhookServer, type WebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const host = { accept: () => Promise.reject(new Error('nothing should be accepted')) };
let server: WebhookServer;

before(async () => {
  server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ github: { signature: { scheme: 'github', secrets: ['s'] }, type: { from: 'fixed', value: 'test.event' } } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
    requestTimeoutMs: 1000,
  });
});

after(async () => {
  await server?.close();
});

/** Writes `request` and returns everything the listener answered until it closed the connection. */
async function exchange(request: string): Promise<{ status: number; headers: string; body: unknown }> {
  const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => void (answer += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  socket.write(request);
  await once(socket, 'close');
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), headers: head, body: JSON.parse(body) };
}

function assertContractBody(answer: { status: number; body: unknown }, status: number): void {
  assert.equal(answer.status, status, JSON.stringify(answer));
  const { error } = answer.body as { error: { code: unknown; message: unknown } };
  assert.equal(typeof error, 'object', JSON.stringify(answer.body));
  assert.equal(error.code, 'PLEXUS_INVALID_REQUEST');
  assert.equal(typeof error.message, 'string');
}

test('headers over the parser limit: 431 with the contract error body', async () => {
  const huge = `POST /hooks/github HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nx-hub-signature-256: sha256=${'ab'.repeat(10_000)}\r\nContent-Length: 2\r\n\r\n{}`;
  const answer = await exchange(huge);
  assertContractBody(answer, 431);
  assert.match(answer.headers, /content-type: application\/json/i);
});

test('a malformed request line or Content-Length: 400 with the contract error body', async () => {
  assertContractBody(await exchange('NOT HTTP AT ALL\r\n\r\n'), 400);
  assertContractBody(await exchange('POST /hooks/github HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nContent-Length: twelve\r\n\r\n{}'), 400);
});

test('a request not received within the request timeout: 408 with the contract error body', { timeout: 20_000 }, async () => {
  assertContractBody(await exchange('POST /hooks/github HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":'), 408);
});
