// A fetched body is buffered in the worker (outside the isolate's memoryMb)
// and copied into the isolate: what crosses the bridge must stay within a
// small constant factor of maxResponseBytes whatever the bytes are. Written
// inside JSON, each control byte became six characters (\u0001): a 1 MB body
// of \x01 was a 6 MB answer, 30 MB per fetch at the default 5 MB limit, and
// 16 open fetches were ~480 MB per instance against the 80 MB budget of
// host-call-gate.ts. What the plugin sees (text(), json()) is unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { callFetch } from '../../src/sandbox/fetch-bridge.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { poolWithServer, testEvent } from './sandbox-fixture.ts';

const MB = 1024 * 1024;
/** Bytes no JSON escapes cheaply and that split or fake a framing: control bytes, quotes, a line break, a fake answer, invalid UTF-8, an emoji, U+2028. */
const TRICKY = Buffer.concat([
  Buffer.from('\n{"ok":false,"error":{"code":"PLEXUS_FAKE","message":"x"}}\n\x00\x01\x1f"\\\r\t', 'latin1'),
  Buffer.from([0xff, 0xfe, 0xc3]),
  Buffer.from('😀\u2028é end', 'utf8'),
]);

// `/ones/<n>`: n bytes of \x01. `/tricky`: TRICKY. `/json`: a JSON body with escaped control characters in it.
const sandbox = poolWithServer('plexus-fetch-bridge-size-', { threads: 1 }, (req, res) => {
  const ones = /^\/ones\/(\d+)$/.exec(req.url ?? '');
  if (ones) res.end(Buffer.alloc(Number(ones[1]), 1));
  else if (req.url === '/tricky') res.writeHead(200, 'O\tK', { 'x-tricky': 'a"b\\c' }).end(TRICKY);
  else if (req.url === '/json') res.end(JSON.stringify({ text: '\n\x01"}\n', n: 1 }, null, 2));
  else res.writeHead(204).end();
});

async function plugin(name: string, execute: string, memoryMb = 64) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute(e, ctx) { ${execute} } });`;
  const root = await writePlugin({ name, capabilities: { http: { hosts: [sandbox.host] } }, limits: { memoryMb, timeoutMs: 10_000 }, source }, sandbox.dir);
  return (await loadPlugin(root, { grants: [`http:${sandbox.host}`], secrets: {}, ceiling: { memoryMb: 128, timeoutMs: 30_000 } })).spec;
}

async function loggedFields(spec: Awaited<ReturnType<typeof plugin>>): Promise<unknown> {
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, true, JSON.stringify(outcome));
  return outcome?.logs[0]?.fields;
}

test('the worker\'s answer to a fetch is about as long as the body, whatever its bytes', async () => {
  const spec = await plugin('bridge-size', '');
  const maxResponseBytes = spec.limits.fetch.maxResponseBytes;
  assert.equal(maxResponseBytes, 5 * MB, 'the default limit');
  for (const bytes of [1_000_000, maxResponseBytes]) {
    const answer = await callFetch(spec, JSON.stringify({ url: `http://${sandbox.host}/ones/${bytes}` }), () => undefined);
    process.stdout.write(`# ${bytes} bytes of \\x01 cross the bridge as ${answer.length} characters\n`);
    assert.ok(answer.length <= bytes + 4096, `${answer.length} characters for a ${bytes}-byte body`);
  }
});

test('a plugin gets every byte of a body at the default size limit, in an isolate smaller than the old 6x answer', { timeout: 30_000 }, async () => {
  // 16 MB of isolate: the body's 5 MB fit, its 30 MB of JSON did not.
  const spec = await plugin('bridge-big', `
    const text = await (await ctx.fetch('http://${sandbox.host}/ones/${5 * MB}')).text();
    let ones = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 1) ones++;
    ctx.log.info('read', { length: text.length, ones });`, 16);
  assert.deepEqual(await loggedFields(spec), { length: 5 * MB, ones: 5 * MB });
});

test('text(), json(), status, headers and url reach the plugin as before, whatever the body holds', async () => {
  const spec = await plugin('bridge-exact', `
    const tricky = await ctx.fetch('http://${sandbox.host}/tricky');
    const json = await (await ctx.fetch('http://${sandbox.host}/json')).json();
    const empty = await ctx.fetch('http://${sandbox.host}/none');
    const text = await tricky.text();
    let reread = null;
    try { await tricky.text(); } catch (err) { reread = err.name; }
    ctx.log.info('got', {
      tricky: { ok: tricky.ok, status: tricky.status, statusText: tricky.statusText, url: tricky.url, header: tricky.headers.get('X-Tricky'), codes: Array.from(text, (c) => c.codePointAt(0)), reread },
      json,
      empty: { status: empty.status, text: await empty.text() },
    });`);
  assert.deepEqual(await loggedFields(spec), {
    tricky: { ok: true, status: 200, statusText: 'O\tK', url: `http://${sandbox.host}/tricky`, header: 'a"b\\c', codes: Array.from(TRICKY.toString('utf8'), (c) => c.codePointAt(0)), reread: 'TypeError' },
    json: { text: '\n\x01"}\n', n: 1 },
    empty: { status: 204, text: '' },
  });
});

test('failures still reach the plugin as coded errors', async () => {
  const spec = await plugin('bridge-errors', `
    const codes = [];
    for (const url of ['http://${sandbox.host}/ones/${5 * MB + 1}', 'http://127.0.0.1:9/', 'nope']) {
      try { await ctx.fetch(url); codes.push('none'); } catch (err) { codes.push(err.code); }
    }
    ctx.log.info('codes', { codes });`);
  assert.deepEqual(await loggedFields(spec), { codes: ['PLEXUS_PAYLOAD_TOO_LARGE', 'PLEXUS_CAPABILITY_DENIED', 'PLEXUS_INVALID_REQUEST'] });
});
