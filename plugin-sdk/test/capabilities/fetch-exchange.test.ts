// A granted exchange end to end against a real server on 127.0.0.1: what the
// server receives (rule 6) and what the plugin gets back (rule 7).
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy, type FetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import { recordingServer } from './local-server.ts';

const policy = (port: number, extra: Partial<FetchPolicy> = {}): FetchPolicy => createFetchPolicy([`127.0.0.1:${port}`], { timeoutMs: 5000, ...extra });

test('a granted host:port answers a GET with status, headers and body', async (t) => {
  const server = await recordingServer((_req, res) => {
    res.writeHead(201, 'Made It', [['Content-Type', 'application/json'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['X-Reply', 'yes']]);
    res.end('{"ok":true,"text":"héllo"}');
  });
  t.after(server.close);
  const res = await guardedFetch({ url: server.url('/items?id=7#frag') }, policy(server.port));
  assert.equal(res.url, server.url('/items?id=7'));
  assert.equal(res.status, 201);
  assert.equal(res.statusText, 'Made It');
  assert.equal(res.body, '{"ok":true,"text":"héllo"}');
  assert.deepEqual(res.headers.filter(([name]) => name !== 'date'), [
    ['content-type', 'application/json'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-reply', 'yes'],
    ['connection', 'close'], ['transfer-encoding', 'chunked'],
  ]);
  assert.equal(server.seen[0]?.method, 'GET');
  assert.equal(server.seen[0]?.url, '/items?id=7');
});

test('a POST carries its body and the plugin headers, with Content-Length computed by the host', async (t) => {
  const server = await recordingServer((_req, res) => res.end('stored'));
  t.after(server.close);
  const body = JSON.stringify({ name: 'Zoë', n: 1 });
  const res = await guardedFetch({
    url: server.url('/orders'),
    method: 'post',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer plugin-key', 'X-Trace': 'abc', 'Content-Length': '3', 'Transfer-Encoding': 'chunked' },
    body,
  }, policy(server.port));
  assert.equal(res.body, 'stored');
  const seen = server.seen[0];
  assert.equal(seen?.method, 'POST');
  assert.equal(seen?.body, body);
  assert.equal(seen?.headers['content-type'], 'application/json');
  assert.equal(seen?.headers.authorization, 'Bearer plugin-key');
  assert.equal(seen?.headers['x-trace'], 'abc');
  assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(body)));
  assert.equal(seen?.headers['transfer-encoding'], undefined);
});

test('Host, Connection, Proxy-* and Accept-Encoding set by the plugin never reach the server', async (t) => {
  const server = await recordingServer((_req, res) => res.end());
  t.after(server.close);
  await guardedFetch({
    url: server.url(),
    headers: { Host: 'internal.admin', Connection: 'keep-alive, Upgrade', Upgrade: 'h2c', 'Proxy-Authorization': 'Basic eA==', 'Accept-Encoding': 'gzip', Cookie: 'plugin=own' },
  }, policy(server.port));
  const headers = server.seen[0]?.headers ?? {};
  assert.equal(headers.host, `127.0.0.1:${server.port}`);
  assert.equal(headers.connection, 'close');
  assert.equal(headers.upgrade, undefined);
  assert.equal(headers['proxy-authorization'], undefined);
  assert.equal(headers['accept-encoding'], 'identity');
  // The plugin's own cookie header is its data; the host has no cookie jar to add to it.
  assert.equal(headers.cookie, 'plugin=own');
});

test('the result is plain data only: strings, numbers and arrays of strings', async (t) => {
  const server = await recordingServer((_req, res) => res.end('x'));
  t.after(server.close);
  const res = await guardedFetch({ url: server.url() }, policy(server.port));
  assert.equal(Object.getPrototypeOf(res), Object.prototype);
  assert.deepEqual(Object.keys(res).sort(), ['body', 'headers', 'status', 'statusText', 'url']);
  assert.ok(Array.isArray(res.headers) && res.headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((v) => typeof v === 'string')));
  assert.deepEqual(JSON.parse(JSON.stringify(res)), res);
  assert.deepEqual(structuredClone(res), res);
});

test('error statuses are responses, not exceptions, and HEAD has no body', async (t) => {
  const server = await recordingServer((req, res) => {
    res.writeHead(req.method === 'HEAD' ? 200 : 404, { 'content-length': '9' });
    res.end(req.method === 'HEAD' ? undefined : 'not found');
  });
  t.after(server.close);
  const missing = await guardedFetch({ url: server.url('/nope') }, policy(server.port));
  assert.equal(missing.status, 404);
  assert.equal(missing.body, 'not found');
  const head = await guardedFetch({ url: server.url(), method: 'HEAD' }, policy(server.port));
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('proxy settings from the environment are not honoured', async (t) => {
  const proxied: string[] = [];
  const proxy = await recordingServer((req, res) => { proxied.push(req.url ?? ''); res.end('from proxy'); });
  const server = await recordingServer((_req, res) => res.end('direct'));
  t.after(proxy.close);
  t.after(server.close);
  // Turn on Node's built-in env proxy support for the process, as NODE_USE_ENV_PROXY=1 would.
  const restore = http.setGlobalProxyFromEnv({ HTTP_PROXY: proxy.url(), http_proxy: proxy.url() });
  t.after(restore);
  // Sanity check that the setting is live: the global agent now goes through the proxy.
  const viaGlobal = await new Promise<string>((resolve, reject) => {
    http.get(server.url('/global'), (res) => { let b = ''; res.on('data', (c: Buffer) => (b += c.toString())); res.on('end', () => resolve(b)); }).on('error', reject);
  });
  assert.equal(viaGlobal, 'from proxy');
  const res = await guardedFetch({ url: server.url('/plugin') }, policy(server.port));
  assert.equal(res.body, 'direct');
  assert.deepEqual(proxied, [server.url('/global')]);
});
