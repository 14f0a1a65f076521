// A fetch whose body is over maxRequestBytes is refused when it reaches the
// worker, not once it gets one of its instance's 16 open slots: up to 1,024
// calls may wait for one, each holding its whole request in the worker, so a
// plugin keeping its slots busy with slow fetches could park ~1,024 huge
// bodies there. The refusal is the one the fetch itself would have given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import { MAX_OPEN_HOST_CALLS } from '../../src/sandbox/host-call-gate.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';
import { poolWithServer, testEvent } from './sandbox-fixture.ts';

/** Body sizes of the requests that reached the server. */
let received: number[] = [];

// `/hold/<ms>` answers after that long.
const sandbox = poolWithServer('plexus-oversized-fetch-', { threads: 1 }, (req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  req.on('end', () => {
    received.push(bytes);
    setTimeout(() => res.end('ok'), Number(/^\/hold\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0));
  });
});

/**
 * Fills the instance's open fetches with ones the server holds 1.5 s, then
 * makes `late` (a list of [label, call]) wait behind them, and logs in which
 * order everything settled and how.
 */
async function runBehindFullSlots(name: string, late: string) {
  const source = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(e, ctx) {
  const order = [];
  const track = (label, p) => p.then(() => order.push(label + ':ok'), (err) => order.push(label + ':' + err.code));
  const held = Array.from({ length: ${MAX_OPEN_HOST_CALLS.fetch} }, () => track('held', ctx.fetch('http://${sandbox.host}/hold/1500')));
  const MAX = ${1024 * 1024};
  const late = ${late}.map(([label, call]) => track(label, call()));
  await Promise.all([...held, ...late]);
  ctx.log.info('order', { order });
} });`;
  const root = await writePlugin({ name, capabilities: { http: { hosts: [sandbox.host] } }, limits: { timeoutMs: 20_000 }, source }, sandbox.dir);
  const spec = (await loadPlugin(root, { grants: [`http:${sandbox.host}`], secrets: {}, ceiling: { memoryMb: 256, timeoutMs: 30_000 } })).spec;
  assert.equal(spec.limits.fetch.maxRequestBytes, 1024 * 1024, 'MAX in the plugin is the default limit');
  const result = await sandbox.pool.run(spec, [testEvent({})]);
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, true, JSON.stringify(outcome));
  return { order: (outcome?.logs[0]?.fields as { order: string[] }).order, result };
}

test('an oversized body is refused at once while the open fetches are busy, as PLEXUS_PAYLOAD_TOO_LARGE; one within the limit waits and is sent', { timeout: 30_000 }, async () => {
  received = [];
  const { order } = await runBehindFullSlots('oversized-early', `[
    ['ascii', () => ctx.fetch('http://${sandbox.host}/hold/0', { method: 'POST', body: 'x'.repeat(MAX + 1) })],
    ['euro', () => ctx.fetch('http://${sandbox.host}/hold/0', { method: 'POST', body: '€'.repeat(Math.floor(MAX / 3) + 1) })],
    ['control', () => ctx.fetch('http://${sandbox.host}/hold/0', { method: 'PUT', body: '\\x01'.repeat(MAX + 1) })],
    ['fits', () => ctx.fetch('http://${sandbox.host}/hold/0', { method: 'POST', body: '\\x01'.repeat(MAX) })],
  ]`);
  assert.deepEqual(order.slice(0, 3).sort(), ['ascii:PLEXUS_PAYLOAD_TOO_LARGE', 'control:PLEXUS_PAYLOAD_TOO_LARGE', 'euro:PLEXUS_PAYLOAD_TOO_LARGE'], order.join(' '));
  assert.deepEqual(order.slice(3).sort(), ['fits:ok', ...Array.from({ length: MAX_OPEN_HOST_CALLS.fetch }, () => 'held:ok')]);
  assert.equal(received.length, MAX_OPEN_HOST_CALLS.fetch + 1, 'the refused bodies never reached the server');
  assert.ok(received.includes(1024 * 1024), 'the body at the limit was sent whole');
});

test('refused early, an oversized body to an ungranted host, or with a bad method, gets the error the fetch itself gives', { timeout: 30_000 }, async () => {
  const { order, result } = await runBehindFullSlots('oversized-early-order', `[
    ['ungranted', () => ctx.fetch('http://127.0.0.1:9/', { method: 'POST', body: 'x'.repeat(MAX + 1) })],
    ['method', () => ctx.fetch('http://${sandbox.host}/', { method: 'BREW', body: 'x'.repeat(MAX + 1) })],
  ]`);
  assert.deepEqual(order.slice(0, 2).sort(), ['method:PLEXUS_INVALID_REQUEST', 'ungranted:PLEXUS_CAPABILITY_DENIED'], order.join(' '));
  assert.deepEqual(result.denials.map((d) => [d.capability, d.target]), [['http', '127.0.0.1:9']], 'the denial is counted');
});
