// close() lets an in-flight publish finish, then returns promptly instead of
// waiting out the keep-alive timeout of the connection that carried it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startRegistry } from '../src/index.ts';
import { packTarball, pluginPackageJson, publishBody } from './helpers/packages.ts';
import { TOKEN } from './helpers/registry-fixture.ts';

function readResponse(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const [head, body = ''] = text.split('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(head ?? '');
      if (length && Buffer.byteLength(body) >= Number(length[1])) resolve(text);
    });
  });
}

describe('graceful close', () => {
  it('close() lets an in-flight publish finish and returns without waiting for the keep-alive timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-close-'));
    const registry = await startRegistry({ port: 0, storage: dir, tokens: [TOKEN] });
    const socket = connect(registry.port, '127.0.0.1');
    try {
      const pkg = pluginPackageJson('graceful', '1.0.0');
      const body = JSON.stringify(publishBody(pkg, await packTarball(pkg)));
      const response = readResponse(socket);
      socket.write(
        `PUT /graceful HTTP/1.1\r\nHost: 127.0.0.1:${registry.port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, 100)}`,
      );
      await sleep(100);
      const started = Date.now();
      const closing = registry.close();
      socket.write(body.slice(100));
      assert.match(await response, /^HTTP\/1\.1 201 /);
      await closing;
      assert.ok(Date.now() - started < 3000, `close() took ${Date.now() - started} ms`);
    } finally {
      socket.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
