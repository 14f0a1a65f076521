// Rule 4: a redirect is followed only to a granted target, re-running every
// check for it, and never more than maxRedirects times. Real servers on 127.0.0.1.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy, type FetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { PlexusError } from '../../src/errors.ts';
import { rejection } from './fetch-test-helpers.ts';
import { recordingServer } from './local-server.ts';

function redirect(status: number, location: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end('redirect body that is never read');
  };
}

const policy = (hosts: string[], extra: Partial<FetchPolicy> = {}): FetchPolicy => createFetchPolicy(hosts, { timeoutMs: 5000, ...extra });


test('a redirect to another granted host is followed', async (t) => {
  const target = await recordingServer((_req, res) => res.end('arrived'));
  const origin = await recordingServer(redirect(302, target.url('/landing')));
  t.after(target.close);
  t.after(origin.close);
  const res = await guardedFetch({ url: origin.url('/start') }, policy([origin.grant, target.grant]));
  assert.equal(res.status, 200);
  assert.equal(res.body, 'arrived');
  assert.equal(res.url, target.url('/landing'));
  assert.equal(target.seen[0]?.url, '/landing');
});

test('a redirect to an ungranted host is a denial, not a silent 3xx, and the target is never contacted', async (t) => {
  const target = await recordingServer((_req, res) => res.end('should not be reached'));
  const origin = await recordingServer(redirect(301, target.url('/internal')));
  t.after(target.close);
  t.after(origin.close);
  const denials: string[] = [];
  const err = await rejection(guardedFetch({ url: origin.url() }, policy([origin.grant]), { onDenied: (host) => void denials.push(host) }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(denials, [target.grant]);
  assert.equal(target.connections(), 0);
});

test('a redirect to a granted name that resolves to a private address is refused', async (t) => {
  const target = await recordingServer((_req, res) => res.end('internal'));
  const origin = await recordingServer(redirect(302, `http://sneaky.plexus.test:${target.port}/`));
  t.after(target.close);
  t.after(origin.close);
  const lookup: FetchLookup = async () => [{ address: '127.0.0.1', family: 4 }];
  const err = await rejection(guardedFetch({ url: origin.url() }, policy([origin.grant, `sneaky.plexus.test:${target.port}`]), { lookup }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.equal(target.connections(), 0);
});

test('a redirect to a non-http scheme is refused', async (t) => {
  const origin = await recordingServer(redirect(302, 'file:///etc/passwd'));
  t.after(origin.close);
  const err = await rejection(guardedFetch({ url: origin.url() }, policy([origin.grant])));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
});

test('a redirect loop is bounded by maxRedirects', async (t) => {
  const loop = await recordingServer((req, res) => {
    res.writeHead(302, { location: `/hop${Number(req.url?.slice(4) || 0) + 1}` });
    res.end();
  });
  t.after(loop.close);
  const err = await rejection(guardedFetch({ url: loop.url('/hop0') }, policy([loop.grant], { maxRedirects: 3 })));
  assert.equal(err.code, 'PLEXUS_UNAVAILABLE');
  assert.match(err.message, /more than 3 redirects/);
  assert.deepEqual(loop.seen.map((s) => s.url), ['/hop0', '/hop1', '/hop2', '/hop3']);
});

test('maxRedirects 0 refuses the first redirect', async (t) => {
  const origin = await recordingServer(redirect(307, '/again'));
  t.after(origin.close);
  const err = await rejection(guardedFetch({ url: origin.url() }, policy([origin.grant], { maxRedirects: 0 })));
  assert.equal(err.code, 'PLEXUS_UNAVAILABLE');
  assert.equal(origin.seen.length, 1);
});

test('303 after a POST is followed with a GET and no body', async (t) => {
  const server = await recordingServer((req, res) => (req.url === '/submit' ? redirect(303, '/result')(req, res) : res.end('done')));
  t.after(server.close);
  const res = await guardedFetch({ url: server.url('/submit'), method: 'POST', body: 'payload', headers: { 'content-type': 'text/csv' } }, policy([server.grant]));
  assert.equal(res.body, 'done');
  const second = server.seen[1];
  assert.equal(second?.method, 'GET');
  assert.equal(second?.body, '');
  assert.equal(second?.headers['content-type'], undefined);
  assert.equal(second?.headers['content-length'], undefined);
});

for (const status of [307, 308]) {
  test(`${status} keeps the method and the body`, async (t) => {
    const server = await recordingServer((req, res) => (req.url === '/old' ? redirect(status, '/new')(req, res) : res.end('ok')));
    t.after(server.close);
    await guardedFetch({ url: server.url('/old'), method: 'PUT', body: 'payload' }, policy([server.grant]));
    assert.deepEqual(server.seen.map((s) => [s.method, s.url, s.body]), [['PUT', '/old', 'payload'], ['PUT', '/new', 'payload']]);
  });
}

test('Authorization is kept on a same-origin redirect and dropped on a cross-origin one', async (t) => {
  const other = await recordingServer((_req, res) => res.end('other'));
  const origin = await recordingServer((req, res) => (req.url === '/a' ? redirect(302, '/b')(req, res) : redirect(302, other.url('/c'))(req, res)));
  t.after(other.close);
  t.after(origin.close);
  await guardedFetch({ url: origin.url('/a'), headers: { authorization: 'Bearer secret' } }, policy([origin.grant, other.grant]));
  assert.deepEqual(origin.seen.map((s) => s.headers.authorization), ['Bearer secret', 'Bearer secret']);
  assert.equal(other.seen[0]?.headers.authorization, undefined);
});

test('a 3xx without Location is returned as a response', async (t) => {
  const server = await recordingServer((_req, res) => { res.writeHead(304); res.end(); });
  t.after(server.close);
  const res = await guardedFetch({ url: server.url() }, policy([server.grant]));
  assert.equal(res.status, 304);
});
