// A listener's close waits for the requests in flight, each answered once
// durable. Node closes idle keep-alive connections when the close begins,
// but not the one that goes idle when its answer is written: the sender's
// client kept it (undici for as long as the server's 72 s keep-alive hint)
// and the close waited with it, so a graceful stop without a deadline hung
// and one with a deadline always used all of it. close-by-deadline.ts now
// closes connections as they go idle.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { startWebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import type { AcceptResult } from '../../src/store/store.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const SECRET = 'keep-alive-secret';

test('close answers the delivery in flight, then closes its keep-alive connection instead of waiting for the client to', { timeout: 30_000 }, async () => {
  const held: ((result: AcceptResult) => void)[] = [];
  const host = { accept: (_events: readonly PlexusEvent[]) => new Promise<AcceptResult>((resolve) => held.push(resolve)) };
  const server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ gh: { signature: { scheme: 'github', secrets: [SECRET] }, type: { from: 'fixed', value: 'test.keep-alive' } } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
  });
  const body = JSON.stringify({ n: 1 });
  const response = fetch(`${server.url}/hooks/gh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-delivery': 'd-1', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
    body,
  });
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

  let closed = false;
  const closing = server.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(closed, false, 'close waits for the delivery in flight');
  held[0]?.({ created: [], duplicates: 0 });
  const reply = await response;
  assert.equal(reply.status, 202);
  await reply.arrayBuffer();

  // The client keeps the connection for up to 71 s; the close must not wait for that.
  const outcome = await Promise.race([closing.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 10_000, 'still open'))]);
  assert.equal(outcome, 'closed');
});
