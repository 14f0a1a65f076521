// Node joins a repeated request header into one value ("d1, d2"), so the
// listener's rule that a header sent several times is refused never fired on
// the real route: a captured GitHub delivery resent with a second
// X-GitHub-Delivery got a new delivery id ("d1, d2") and a 202, its event
// running twice, and a second signature header was read as one joined text.
// Verification now sees every copy: a repeated delivery id, signature or
// event type header is refused, and nothing reaches the store.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startWebhookServer, type WebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const SECRET = 'twice-secret';
const BODY = '{"ref":"refs/heads/main"}';
const SIGNATURE = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
const accepted: unknown[] = [];
const host = {
  accept: async (events: readonly unknown[]) => {
    accepted.push(...events);
    return { created: [], duplicates: 0 };
  },
};
let server: WebhookServer;

before(async () => {
  server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ gh: { signature: { scheme: 'github', secrets: [SECRET] }, type: { from: 'header', header: 'X-GitHub-Event' } } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
  });
});

after(async () => {
  await server?.close();
});

/** One request written byte for byte (fetch would join repeated headers itself); answers status and body. */
async function post(headerLines: string[]): Promise<{ status: number; body: { error?: { code: string; message: string }; id?: string } }> {
  const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => void (answer += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const head = ['POST /hooks/gh HTTP/1.1', 'Host: x', 'Connection: close', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(BODY)}`, ...headerLines];
  socket.write(`${head.join('\r\n')}\r\n\r\n${BODY}`);
  await once(socket, 'close');
  const [top = '', rest = ''] = answer.split('\r\n\r\n');
  return { status: Number(top.split(' ')[1]), body: JSON.parse(rest) as { error?: { code: string; message: string } } };
}

test('a delivery id, signature or event type header sent twice is refused; sent once, the same request is accepted', async () => {
  const twiceId = await post(['X-GitHub-Event: push', `X-Hub-Signature-256: ${SIGNATURE}`, 'X-GitHub-Delivery: d1', 'X-GitHub-Delivery: d2']);
  assert.equal(twiceId.status, 400, JSON.stringify(twiceId.body));
  assert.equal(twiceId.body.error?.code, 'PLEXUS_INVALID_REQUEST');
  assert.match(twiceId.body.error?.message ?? '', /X-GitHub-Delivery was sent 2 times/i);

  const twiceSignature = await post(['X-GitHub-Event: push', `X-Hub-Signature-256: ${SIGNATURE}`, `X-Hub-Signature-256: ${SIGNATURE}`, 'X-GitHub-Delivery: d3']);
  assert.equal(twiceSignature.status, 401, JSON.stringify(twiceSignature.body));
  assert.equal(twiceSignature.body.error?.code, 'PLEXUS_BAD_SIGNATURE');

  const twiceType = await post(['X-GitHub-Event: push', 'X-GitHub-Event: issues', `X-Hub-Signature-256: ${SIGNATURE}`, 'X-GitHub-Delivery: d4']);
  assert.equal(twiceType.status, 400, JSON.stringify(twiceType.body));
  assert.equal(accepted.length, 0, 'nothing refused reached the store');

  const once_ = await post(['X-GitHub-Event: push', `X-Hub-Signature-256: ${SIGNATURE}`, 'X-GitHub-Delivery: d5']);
  assert.equal(once_.status, 202, JSON.stringify(once_.body));
  assert.equal(accepted.length, 1);
});
