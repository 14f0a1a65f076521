// Rules 5 and 6 on the request side, without a network: what plugin data may
// become on the wire, and how a followed redirect changes the request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRequest, redirectRequest } from '../../src/capabilities/fetch-request.ts';
import { PlexusError } from '../../src/errors.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PlexusError);
    return err.code;
  }
  return 'none';
}

test('hop-by-hop, framing and proxy headers set by the plugin are dropped', () => {
  const req = normalizeRequest({
    method: 'post',
    body: 'x',
    headers: {
      Host: 'internal.example', Connection: 'close', 'Keep-Alive': '1', 'Transfer-Encoding': 'chunked', TE: 'trailers', Trailer: 'x',
      Upgrade: 'websocket', 'Content-Length': '999', Expect: '100-continue', 'Proxy-Authorization': 'Basic x', 'Proxy-Connection': 'keep-alive',
      'Accept-Encoding': 'gzip', 'X-Custom': ' kept ', Authorization: 'Bearer plugin-own',
    },
  }, 1024);
  assert.equal(req.method, 'POST');
  assert.deepEqual({ ...req.headers }, {
    'x-custom': 'kept', authorization: 'Bearer plugin-own', 'content-type': 'text/plain;charset=UTF-8', 'accept-encoding': 'identity',
  });
});

test('only standard methods are allowed; CONNECT and TRACE are refused', () => {
  for (const method of ['GET', 'head', 'POST', 'put', 'PATCH', 'DELETE', 'OPTIONS']) assert.equal(normalizeRequest({ method }, 10).method, method.toUpperCase());
  for (const method of ['CONNECT', 'TRACE', 'TRACK', 'PROPFIND', '', 'GET /x HTTP/1.1\r\n', 42]) {
    assert.equal(codeOf(() => normalizeRequest({ method }, 10)), 'PLEXUS_INVALID_REQUEST', String(method));
  }
});

test('header injection (CR/LF/NUL) and invalid names are refused before anything is sent', () => {
  assert.equal(codeOf(() => normalizeRequest({ headers: { 'X-A': 'v\r\nHost: evil' } }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ headers: { 'X-A': 'v\0' } }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ headers: { 'Bad Name': 'v' } }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ headers: { 'X-A': 1 } }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ headers: [['x-a', 'b']] }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ headers: { 'X-Big': 'v'.repeat(70 * 1024) } }, 10)), 'PLEXUS_PAYLOAD_TOO_LARGE');
});

test('the request body limit counts UTF-8 bytes, not characters', () => {
  assert.equal(normalizeRequest({ method: 'POST', body: 'é'.repeat(5) }, 10).body?.length, 10);
  assert.equal(codeOf(() => normalizeRequest({ method: 'POST', body: 'é'.repeat(6) }, 10)), 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.equal(codeOf(() => normalizeRequest({ method: 'POST', body: 42 }, 10)), 'PLEXUS_INVALID_REQUEST');
  assert.equal(codeOf(() => normalizeRequest({ method: 'GET', body: '' }, 10)), 'PLEXUS_INVALID_REQUEST');
});

test('303 turns any non-GET request into a bodiless GET; 301/302 only POST', () => {
  const post = normalizeRequest({ method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-a': '1' } }, 100);
  for (const status of [301, 302, 303]) {
    const next = redirectRequest(post, status, true);
    assert.equal(next.method, 'GET', String(status));
    assert.equal(next.body, null);
    assert.equal(next.headers['content-type'], undefined);
    assert.equal(next.headers['x-a'], '1');
  }
  const put = normalizeRequest({ method: 'PUT', body: 'x' }, 100);
  assert.equal(redirectRequest(put, 302, true).method, 'PUT');
  assert.equal(redirectRequest(put, 303, true).method, 'GET');
  assert.equal(redirectRequest(normalizeRequest({ method: 'HEAD' }, 1), 303, true).method, 'HEAD');
});

test('307 and 308 keep the method and the body', () => {
  const post = normalizeRequest({ method: 'POST', body: 'payload' }, 100);
  for (const status of [307, 308]) {
    const next = redirectRequest(post, status, true);
    assert.equal(next.method, 'POST');
    assert.equal(next.body?.toString(), 'payload');
  }
});

test('Authorization and Cookie never follow a redirect to another origin', () => {
  const req = normalizeRequest({ headers: { Authorization: 'Bearer k', Cookie: 'a=b', 'X-A': '1' } }, 1);
  assert.equal(redirectRequest(req, 302, true).headers.authorization, 'Bearer k');
  const cross = redirectRequest(req, 302, false);
  assert.equal(cross.headers.authorization, undefined);
  assert.equal(cross.headers.cookie, undefined);
  assert.equal(cross.headers['x-a'], '1');
});
