// Rule 5: every fetch is bounded in bytes both ways and in time, with the
// socket torn down when a bound is hit. Real servers on 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy, type FetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { PlexusError } from '../../src/errors.ts';
import { rejection } from './fetch-test-helpers.ts';
import { localServer } from './local-server.ts';

const policy = (hosts: string[], extra: Partial<FetchPolicy> = {}): FetchPolicy => createFetchPolicy(hosts, { timeoutMs: 5000, ...extra });


async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

test('an oversized response is refused mid-stream and its connection torn down', async (t) => {
  let written = 0;
  const server = await localServer((_req, res) => {
    // No Content-Length: the only defence is the running count. The server keeps
    // writing for as long as the client reads; a client that buffered it all would hang here.
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const pump = (): void => {
      while (!res.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  });
  t.after(server.close);
  const started = Date.now();
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], { maxResponseBytes: 100 * 1024 })));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.ok(Date.now() - started < 2000, 'refused without waiting for the deadline');
  await eventually(() => server.closedResponses() === 1, 'the server saw the connection closed');
  assert.ok(written < 64 * 1024 * 1024, `stopped reading early (server wrote ${written} bytes)`);
});

test('a response of exactly maxResponseBytes is accepted', async (t) => {
  const server = await localServer((_req, res) => res.end('b'.repeat(1000)));
  t.after(server.close);
  const res = await guardedFetch({ url: server.url() }, policy([server.grant], { maxResponseBytes: 1000 }));
  assert.equal(res.body.length, 1000);
});

test('an oversized Content-Length is refused as soon as the headers arrive', async (t) => {
  const server = await localServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(1024 * 1024 * 1024) });
    res.write('the rest never comes');
  });
  t.after(server.close);
  const started = Date.now();
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], { maxResponseBytes: 1024 })));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.ok(Date.now() - started < 2000, 'refused on the header, long before the deadline');
  await eventually(() => server.closedResponses() === 1, 'the server saw the connection closed');
});

test('a HEAD response is not refused for the Content-Length of the body it does not send', async (t) => {
  const server = await localServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(1024 * 1024 * 1024) });
    res.end();
  });
  t.after(server.close);
  const res = await guardedFetch({ url: server.url(), method: 'HEAD' }, policy([server.grant], { maxResponseBytes: 1024 }));
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
});

test('a malformed policy fails closed before anything is sent', async (t) => {
  const server = await localServer((_req, res) => res.end());
  t.after(server.close);
  for (const bad of [{ maxResponseBytes: Number.NaN }, { maxRequestBytes: -1 }, { timeoutMs: 0 }, { timeoutMs: 2 ** 31 }, { maxRedirects: 1.5 }]) {
    const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], bad)));
    assert.equal(err.code, 'PLEXUS_INTERNAL', JSON.stringify(bad));
  }
  assert.equal(server.connections(), 0);
});

test('an oversized request body is refused before connecting', async (t) => {
  const server = await localServer((_req, res) => res.end());
  t.after(server.close);
  let lookups = 0;
  const lookup: FetchLookup = async () => { lookups++; return [{ address: '127.0.0.1', family: 4 }]; };
  const err = await rejection(guardedFetch({ url: server.url(), method: 'POST', body: 'x'.repeat(2049) }, policy([server.grant], { maxRequestBytes: 2048 }), { lookup }));
  assert.equal(err.code, 'PLEXUS_PAYLOAD_TOO_LARGE');
  assert.equal(server.connections(), 0);
  assert.equal(lookups, 0);
});

test('a server that never answers hits PLEXUS_TIMEOUT within the deadline and the socket is aborted', async (t) => {
  const server = await localServer(() => { /* never responds */ });
  t.after(server.close);
  const started = Date.now();
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], { timeoutMs: 300 })));
  const elapsed = Date.now() - started;
  assert.equal(err.code, 'PLEXUS_TIMEOUT');
  assert.ok(elapsed >= 250 && elapsed < 1300, `timed out after ${elapsed} ms`);
  await eventually(() => server.closedResponses() === 1, 'the server saw the connection aborted');
});

test('the deadline covers the body: a trickling response hits PLEXUS_TIMEOUT', async (t) => {
  const server = await localServer((_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write('.'), 20);
    res.on('close', () => clearInterval(timer));
  });
  t.after(server.close);
  const started = Date.now();
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], { timeoutMs: 300 })));
  assert.equal(err.code, 'PLEXUS_TIMEOUT');
  assert.ok(Date.now() - started < 1300);
  await eventually(() => server.closedResponses() === 1, 'the server saw the connection aborted');
});

test('the deadline covers DNS: a lookup that never answers hits PLEXUS_TIMEOUT', async () => {
  const lookup: FetchLookup = () => new Promise(() => { /* never settles */ });
  const started = Date.now();
  const err = await rejection(guardedFetch({ url: 'http://slow-dns.plexus.test/' }, policy(['slow-dns.plexus.test'], { timeoutMs: 200 }), { lookup }));
  assert.equal(err.code, 'PLEXUS_TIMEOUT');
  assert.ok(Date.now() - started < 1200);
});

test('the deadline spans every redirect hop, not each hop separately', async (t) => {
  const server = await localServer((req, res) => {
    setTimeout(() => { res.writeHead(302, { location: `${req.url ?? '/'}x` }); res.end(); }, 120);
  });
  t.after(server.close);
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant], { timeoutMs: 300, maxRedirects: 10 })));
  assert.equal(err.code, 'PLEXUS_TIMEOUT');
});

test('the host can cancel a fetch in flight', async (t) => {
  const server = await localServer(() => { /* never responds */ });
  t.after(server.close);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const err = await rejection(guardedFetch({ url: server.url() }, policy([server.grant]), { signal: controller.signal }));
  assert.equal(err.code, 'PLEXUS_UNAVAILABLE');
  await eventually(() => server.closedResponses() === 1, 'the server saw the connection aborted');
});
