// The test harness answers ctx.fetch from the test's stand-in instead of the
// network, but only after the checks the real fetch makes before it sends
// anything (grant, URL form and length, method, headers, body type and size):
// a request production would refuse fails the author's unit test with the
// same code, and never reaches the stand-in.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { MAX_URL_BYTES } from '../../src/capabilities/fetch-target.ts';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { callFetch, callFetchViaHost } from '../../src/sandbox/fetch-bridge.ts';
import type { HostCall, PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';
import { createTestHost } from '../../src/testing.ts';
import type { JsonObject } from '../../src/types.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

const API = 'https://api.example.com';
let dir: string;
let spec: PluginRuntimeSpec;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plexus-test-host-fetch-'));
  const root = await writePlugin({ name: 'checked', capabilities: { http: { hosts: ['api.example.com'] } }, source: 'export default {};' }, dir);
  spec = (await loadPlugin(root, { grants: ['http:api.example.com'], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
});

after(() => rm(dir, { recursive: true, force: true }));

/** What one path answered, whom it denied, and whether the request went past the checks (to DNS, or to the stand-in). */
interface PathResult { code: string | undefined; denied: string[]; passedOn: boolean }

async function realPath(request: unknown): Promise<PathResult> {
  const denied: string[] = [];
  let passedOn = false;
  // No real DNS: a lookup means every check passed; failing it ends the fetch there.
  const lookup: FetchLookup = async () => { passedOn = true; throw Object.assign(new Error('no dns in this test'), { code: 'ENOTFOUND' }); };
  const answer = await callFetch(spec, JSON.stringify(request), (t) => denied.push(t), undefined, { lookup });
  return { code: (JSON.parse(answer) as { error?: { code?: string } }).error?.code, denied, passedOn };
}

async function harnessPath(request: unknown): Promise<PathResult & { asked: HostCall[]; answer: string }> {
  const denied: string[] = [];
  const asked: HostCall[] = [];
  const answer = await callFetchViaHost(spec, JSON.stringify(request), (t) => denied.push(t), async (call) => {
    asked.push(call);
    return JSON.stringify({ ok: true, value: { url: API, status: 200, statusText: '', headers: [], body: 'stand-in' } });
  });
  return { code: (JSON.parse(answer) as { error?: { code?: string } }).error?.code, denied, passedOn: asked.length > 0, asked, answer };
}

const REFUSED: [string, unknown, string][] = [
  ['an oversized body', { url: `${API}/x`, method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) }, 'PLEXUS_PAYLOAD_TOO_LARGE'],
  ['a non-string body', { url: `${API}/x`, method: 'POST', body: 42 }, 'PLEXUS_INVALID_REQUEST'],
  ['an object body', { url: `${API}/x`, method: 'POST', body: { a: 1 } }, 'PLEXUS_INVALID_REQUEST'],
  ['an ungranted host', { url: 'https://evil.example/steal' }, 'PLEXUS_CAPABILITY_DENIED'],
  ['a scheme other than http(s)', { url: 'ftp://api.example.com/x' }, 'PLEXUS_CAPABILITY_DENIED'],
  ['an over-long URL', { url: `${API}/x?q=${'a'.repeat(MAX_URL_BYTES)}` }, 'PLEXUS_PAYLOAD_TOO_LARGE'],
  ['an invalid URL', { url: 'not a url' }, 'PLEXUS_INVALID_REQUEST'],
  ['a URL that is not a string', { url: 42 }, 'PLEXUS_INVALID_REQUEST'],
  ['credentials in the URL', { url: 'https://u:p@api.example.com/' }, 'PLEXUS_INVALID_REQUEST'],
  ['a method fetch never sends', { url: `${API}/x`, method: 'TRACE' }, 'PLEXUS_INVALID_REQUEST'],
  ['a body on a GET', { url: `${API}/x`, method: 'GET', body: '' }, 'PLEXUS_INVALID_REQUEST'],
  ['a header with a line break', { url: `${API}/x`, headers: { 'x-a': 'v\r\nHost: evil' } }, 'PLEXUS_INVALID_REQUEST'],
  ['headers over their cap', { url: `${API}/x`, headers: { 'x-big': 'v'.repeat(70 * 1024) } }, 'PLEXUS_PAYLOAD_TOO_LARGE'],
];

for (const [what, request, code] of REFUSED) {
  test(`the harness refuses ${what} with the code the real fetch gives, before the stand-in`, async () => {
    const real = await realPath(request);
    const harness = await harnessPath(request);
    assert.equal(real.code, code, 'the real path');
    assert.equal(harness.code, code, 'the harness');
    assert.equal(real.passedOn, false, 'the real path made no DNS lookup');
    assert.deepEqual(harness.asked, [], 'the stand-in was not asked');
    assert.deepEqual(harness.denied, real.denied, 'the same denials are counted');
  });
}

test('a valid request passes both paths and reaches the stand-in exactly as the plugin sent it', async () => {
  const request = { url: `${API}/q?x=${'a'.repeat(MAX_URL_BYTES - 40)}`, method: 'post', headers: { 'X-Key': ' k ', Connection: 'close' }, body: 'é'.repeat(1000) };
  assert.equal((await realPath(request)).passedOn, true, 'the real path went on to DNS');
  const harness = await harnessPath(request);
  assert.deepEqual(harness.asked, [{ capability: 'fetch', requestJson: JSON.stringify(request) }]);
  assert.equal((JSON.parse(harness.answer) as { value: { body: string } }).value.body, 'stand-in');
});

test('createTestHost refuses what the sandbox refuses, with its codes, and passes the rest on unchanged', async () => {
  const root = await writePlugin({
    name: 'caller',
    capabilities: { http: { hosts: ['api.example.com'] } },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const { url, init } = event.data;
  try {
    const res = await ctx.fetch(url, init.bodyBytes === undefined ? init : { ...init, body: 'x'.repeat(init.bodyBytes) });
    ctx.log.info('fetched', { status: res.status, body: await res.text() });
  } catch (err) {
    ctx.log.info('refused', { code: err.code });
  }
} });`,
  }, dir);
  const host = await createTestHost({ plugin: root, grants: ['http:api.example.com'], fetch: () => ({ status: 200, body: 'stand-in' }) });
  const outcome = async (url: string, init: JsonObject) => (await host.deliver({ type: 'test.fetch', data: { url, init } })).logs[0]?.fields;
  try {
    assert.deepEqual(await outcome(`${API}/x`, { method: 'POST', bodyBytes: 1024 * 1024 + 1 }), { code: 'PLEXUS_PAYLOAD_TOO_LARGE' });
    assert.deepEqual(await outcome(`${API}/x?q=${'a'.repeat(MAX_URL_BYTES)}`, {}), { code: 'PLEXUS_PAYLOAD_TOO_LARGE' });
    assert.deepEqual(await outcome('https://evil.example/steal', {}), { code: 'PLEXUS_CAPABILITY_DENIED' });
    assert.deepEqual(await outcome(`${API}/x`, { method: 'TRACE' }), { code: 'PLEXUS_INVALID_REQUEST' });
    assert.deepEqual(host.fetches, [], 'no refused request reached the stand-in');
    assert.ok(host.denials.some((d) => d.capability === 'http' && d.target.includes('evil.example')));

    assert.deepEqual(await outcome(`${API}/ok?x=1`, { method: 'put', headers: { 'X-Key': 'k' }, body: '{"q":1}' }), { status: 200, body: 'stand-in' });
    assert.deepEqual(host.fetches, [{ url: `${API}/ok?x=1`, method: 'put', headers: { 'X-Key': 'k' }, body: '{"q":1}' }]);
  } finally {
    await host.close();
  }
});
