// The request JSON a fetch sends out of the isolate is whatever plugin code
// makes it: the runner's JSON.stringify calls a toJSON the plugin put on
// Object.prototype. The early refusal of an oversized body (refuseOversized,
// fetch-bridge.ts) looks only at a string `body`; everything else goes on to
// the fetch's own checks (checkRequest), which parse the same text the same
// way. Whatever form the request takes, no more than maxRequestBytes of body
// goes on the wire: a string over it is PLEXUS_PAYLOAD_TOO_LARGE, any other
// body PLEXUS_INVALID_REQUEST, and text behind a "__proto__" key is no body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { poolWithServer, testEvent } from './sandbox-fixture.ts';

const MAX = 1024 * 1024;
/** Path and body size of each request that reached the server. */
const received: { path: string; bytes: number }[] = [];

const sandbox = poolWithServer('plexus-oversized-forms-', { threads: 1 }, (req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  req.on('end', () => {
    received.push({ path: req.url ?? '', bytes });
    res.end('ok');
  });
});

test('an oversized body in every form the request JSON can take is refused or dropped, never sent', { timeout: 60_000 }, async () => {
  received.length = 0;
  // Each case: the JSON text the request crosses as (the runner's stringify hands it to the armed toJSON).
  const source = `import { definePlugin } from '@plexus/plugin-sdk';
const MAX = ${MAX};
const url = (name) => 'http://${sandbox.host}/' + name;
const huge = 'x'.repeat(MAX + 1);
const cases = [
  ['string', { url: url('string'), method: 'POST', body: huge }],
  ['astral-string', { url: url('astral-string'), method: 'POST', body: '\\u{1F600}'.repeat(MAX / 4 + 1) }],
  ['lone-surrogates', { url: url('lone-surrogates'), method: 'PUT', body: '\\ud800'.repeat(MAX / 3 + 1) }],
  ['get-with-body', { url: url('get-with-body'), method: 'GET', body: huge }],
  ['array', { url: url('array'), method: 'POST', body: [huge] }],
  ['object', { url: url('object'), method: 'POST', body: { text: huge } }],
  ['proto-key', JSON.parse('{"url":"' + url('proto-key') + '","method":"POST","__proto__":{"body":"' + huge + '"}}')],
  ['fits', { url: url('fits'), method: 'POST', body: 'x'.repeat(MAX) }],
];
export default definePlugin({ async execute(e, ctx) {
  const codes = {};
  for (const [name, crafted] of cases) {
    // Armed for one stringify only: the runner's own results go through it too.
    Object.prototype.toJSON = function () { delete Object.prototype.toJSON; return crafted; };
    try { await ctx.fetch(url(name)); codes[name] = 'sent'; }
    catch (err) { codes[name] = err.code; }
    delete Object.prototype.toJSON;
  }
  ctx.log.info('codes', codes);
} });`;
  const root = await writePlugin({ name: 'oversized-forms', capabilities: { http: { hosts: [sandbox.host] } }, limits: { memoryMb: 128, timeoutMs: 20_000 }, source }, sandbox.dir);
  const spec = (await loadPlugin(root, { grants: [`http:${sandbox.host}`], secrets: {}, ceiling: { memoryMb: 256, timeoutMs: 30_000 } })).spec;
  assert.equal(spec.limits.fetch.maxRequestBytes, MAX, 'MAX in the plugin is the default limit');
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  assert.equal(result.outcomes[0]?.ok, true, JSON.stringify(result.outcomes[0]));
  assert.deepEqual(result.outcomes[0]?.logs[0]?.fields, {
    string: 'PLEXUS_PAYLOAD_TOO_LARGE',
    'astral-string': 'PLEXUS_PAYLOAD_TOO_LARGE',
    'lone-surrogates': 'PLEXUS_PAYLOAD_TOO_LARGE',
    'get-with-body': 'PLEXUS_INVALID_REQUEST',
    array: 'PLEXUS_INVALID_REQUEST',
    object: 'PLEXUS_INVALID_REQUEST',
    'proto-key': 'sent',
    fits: 'sent',
  });
  // Only the request with no body and the one within the limit reached the server.
  assert.deepEqual(received.sort((a, b) => a.path.localeCompare(b.path)), [{ path: '/fits', bytes: MAX }, { path: '/proto-key', bytes: 0 }]);
  assert.equal(sandbox.pool.crashes, 0);
});
