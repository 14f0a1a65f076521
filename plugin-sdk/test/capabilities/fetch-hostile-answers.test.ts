// What a hostile plugin author can make its own granted server (or its own URL)
// do to ctx.fetch: every fetch must end within its deadline whatever the server
// answers, and every attempt at an ungranted host must be a counted denial.
// Real raw TCP servers on 127.0.0.1, so the answers can break HTTP's usual shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import { callFetch } from '../../src/sandbox/fetch-bridge.ts';
import type { PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';
import { rejection } from './fetch-test-helpers.ts';
import { rawServer } from './local-server.ts';

/** A raw server that writes `answer` as soon as the request head arrives. */
function answeringServer(answer: string) {
  return rawServer((socket) => socket.once('data', () => socket.write(answer)));
}

/** Settles with the fetch's outcome, or with 'still pending' once `ms` passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still pending'>((resolve) => { timer = setTimeout(() => resolve('still pending'), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

test('a 101 Switching Protocols answer ends the fetch at once instead of leaving it pending past its deadline', async (t) => {
  const server = await answeringServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: hijack\r\nConnection: Upgrade\r\n\r\n');
  t.after(server.close);
  const started = Date.now();
  const outcome = await within(rejection(guardedFetch({ url: server.url() }, createFetchPolicy([server.grant], { timeoutMs: 300 }))), 1500);
  if (outcome === 'still pending') assert.fail('the fetch outlived its 300 ms deadline');
  assert.equal(outcome.code, 'PLEXUS_UNAVAILABLE');
  assert.ok(Date.now() - started < 1000);
});

test('a 101 answer does not leave the fetch pending even when the host cancels it', async (t) => {
  const server = await answeringServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: hijack\r\nConnection: Upgrade\r\n\r\n');
  t.after(server.close);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const outcome = await within(rejection(guardedFetch({ url: server.url() }, createFetchPolicy([server.grant], { timeoutMs: 60_000 }), { signal: controller.signal })), 1500);
  assert.notEqual(outcome, 'still pending', 'the cancelled fetch never settled');
});

test('a userinfo URL naming an ungranted host is a counted denial, not an invalid request', async (t) => {
  const server = await answeringServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  t.after(server.close);
  const denied: string[] = [];
  // The plugin was granted one public host and hides loopback behind it as userinfo.
  const url = `http://api.example.com@127.0.0.1:${server.port}/admin`;
  const err = await rejection(guardedFetch({ url }, createFetchPolicy(['api.example.com']), { onDenied: (target) => denied.push(target) }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(denied, [`127.0.0.1:${server.port}`]);
  assert.equal(server.connections(), 0);
});

test('a redirect to a userinfo URL naming an ungranted host is a counted denial', async (t) => {
  const server = await answeringServer('HTTP/1.1 302 Found\r\nLocation: http://api.example.com@169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\n\r\n');
  t.after(server.close);
  const denied: string[] = [];
  const err = await rejection(guardedFetch({ url: server.url() }, createFetchPolicy([server.grant], { timeoutMs: 2000 }), { onDenied: (target) => denied.push(target) }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(denied, ['169.254.169.254:80']);
});

test('through the sandbox bridge, the userinfo trick reaches onDenied as a PLEXUS_CAPABILITY_DENIED', async () => {
  const spec = {
    capabilities: { http: ['api.example.com'] },
    limits: { fetch: { maxResponseBytes: 1000, maxRequestBytes: 1000, timeoutMs: 1000, maxRedirects: 0, allowPrivateNetwork: false } },
  } as unknown as PluginRuntimeSpec;
  const denied: string[] = [];
  const answer = JSON.parse(await callFetch(spec, JSON.stringify({ url: 'http://api.example.com@127.0.0.1:9090/plugins' }), (target) => denied.push(target))) as { ok: boolean; error?: { code: string } };
  assert.equal(answer.ok, false);
  assert.equal(answer.error?.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(denied, ['127.0.0.1:9090']);
});
