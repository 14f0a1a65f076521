// A sender still writing a body the listener already refused (413 from its
// Content-Length) must read the 413, not a connection reset: the listener
// reads the announced body to its end and drops it. Closing at once, as
// fastify would, left the sender's next write facing a closed socket.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { startWebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../../src/ingress/webhook/index.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

const host = { accept: () => Promise.reject(new Error('nothing should be accepted')) };

test('a 413 sent while the sender still writes its body is read by the sender, who then finishes writing undisturbed', async () => {
  const server = await startWebhookServer({
    host,
    sources: parseWebhookSources({ github: { signature: { scheme: 'github', secrets: ['s'] }, type: { from: 'fixed', value: 'test.event' }, maxBodyBytes: 1024 } }, { env: {} }),
    logger: new RecordingLogger(),
    listen: { host: '127.0.0.1', port: 0 },
  });
  try {
    const socket: Socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    const errors: Error[] = [];
    socket.on('data', (chunk: Buffer) => void (answer += chunk.toString('latin1')));
    socket.on('error', (err) => errors.push(err));
    const bodyBytes = 4 * 1024 * 1024;
    socket.write(`POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
    while (!answer.includes('\r\n\r\n')) await once(socket, 'data');
    assert.match(answer, /^HTTP\/1\.1 413 /);
    // The reply is in; the sender goes on writing the body it announced, as a sender unaware of it would.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < bodyBytes; sent += chunk.length) {
      if (!socket.write(chunk)) await once(socket, 'drain');
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.end();
    await once(socket, 'close');
    assert.deepEqual(errors.map((e) => (e as NodeJS.ErrnoException).code), [], 'no reset while the sender finished its body');
    assert.match(answer, /PLEXUS_PAYLOAD_TOO_LARGE/);
  } finally {
    await server.close();
  }
});
