import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestHost } from '../../src/testing.ts';
import { writePlugin } from '../fixtures/write-plugin.ts';

test('createTestHost answers ctx.fetch from the test, after the same grant check the host makes', async () => {
  const root = await writePlugin({
    name: 'rates',
    capabilities: { http: { hosts: ['rates.example.com'] } },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const res = await ctx.fetch(event.data.url, { method: 'POST', headers: { 'x-key': 'k' }, body: '{"q":1}' });
  ctx.log.info('rate', { status: res.status, ok: res.ok, body: await res.json(), type: res.headers.get('Content-Type') });
} });`,
  });
  const host = await createTestHost({
    plugin: root,
    grants: ['http:rates.example.com'],
    fetch: (request) => ({ status: 200, headers: [['content-type', 'application/json']], body: JSON.stringify({ eur: 1.1, echo: request.body }) }),
  });
  try {
    const ok = await host.deliver({ type: 'test.rate', data: { url: 'https://rates.example.com/latest' } });
    assert.equal(ok.status, 'ok', JSON.stringify(ok));
    assert.deepEqual(ok.logs[0]?.fields, { status: 200, ok: true, body: { eur: 1.1, echo: '{"q":1}' }, type: 'application/json' });
    assert.equal(host.fetches.length, 1);
    assert.equal(host.fetches[0]?.method, 'POST');

    const denied = await host.deliver({ type: 'test.rate', data: { url: 'https://evil.example/steal' } });
    assert.equal(denied.status, 'dead');
    assert.equal(denied.error?.code, 'PLEXUS_CAPABILITY_DENIED');
    assert.equal(host.fetches.length, 1, 'an ungranted request never reaches the handler');
    assert.ok(host.denials.some((d) => d.capability === 'http' && d.target.includes('evil.example')));
  } finally {
    await host.close();
  }
});
