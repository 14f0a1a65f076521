// The worker's fetch bridge makes each plugin's DNS lookups take turns under
// its name: a plugin granted a host whose DNS it controls cannot hold more
// than its share of the sandbox process's libuv pool with hung lookups, not
// even by having its instance discarded and started again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLookupTurns, MAX_LOOKUPS_PER_CALLER } from '../../src/capabilities/fetch-lookup-turns.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { callFetch } from '../../src/sandbox/fetch-bridge.ts';
import type { PluginRuntimeSpec } from '../../src/sandbox/protocol.ts';

const HOST = 'slow-dns.plexus.test';
const specOf = (name: string) => ({
  key: name, name, version: '1.0.0', root: '/x', main: 'm.js', config: {},
  capabilities: { kv: false, emit: null, http: [HOST], secrets: [] }, secrets: {},
  limits: { memoryMb: 64, timeoutMs: 1000, maxEmitBytes: 1024, maxEmitsPerEvent: 10, maxKvValueBytes: 1024, maxLogsPerCall: 10, fetch: { maxResponseBytes: 1024, maxRequestBytes: 1024, timeoutMs: 300, maxRedirects: 0, allowPrivateNetwork: false } },
}) as unknown as PluginRuntimeSpec;
const request = JSON.stringify({ url: `http://${HOST}/` });
const codeOf = (answer: string) => (JSON.parse(answer) as { error?: { code?: string } }).error?.code;
const tick = () => new Promise((r) => setTimeout(r, 20));

test('a plugin\'s 16 fetches to a host with hung DNS hold 2 lookups; another plugin still resolves', async () => {
  const turns = createLookupTurns();
  const hung: (() => void)[] = [];
  let hogLookups = 0;
  const hogLookup: FetchLookup = () => { hogLookups++; return new Promise((_r, reject) => hung.push(() => reject(new Error('resolver timed out')))); };
  const firstInstance = new AbortController();
  const hog = Array.from({ length: 16 }, () => callFetch(specOf('hog'), request, () => undefined, firstInstance.signal, { lookup: hogLookup, lookupTurns: turns }));
  await tick();
  assert.equal(hogLookups, MAX_LOOKUPS_PER_CALLER);

  let politeLookups = 0;
  const politeLookup: FetchLookup = async () => { politeLookups++; return [{ address: '10.0.0.1', family: 4 }]; };
  const polite = await callFetch(specOf('polite'), request, () => undefined, undefined, { lookup: politeLookup, lookupTurns: turns });
  assert.equal(politeLookups, 1, 'the other plugin\'s lookup ran without waiting behind the hung ones');
  assert.equal(codeOf(polite), 'PLEXUS_CAPABILITY_DENIED');

  // The instance is discarded: its fetches end, but its lookups still hold threads.
  firstInstance.abort();
  assert.deepEqual(new Set((await Promise.all(hog)).map(codeOf)), new Set(['PLEXUS_UNAVAILABLE']));
  const again = await callFetch(specOf('hog'), request, () => undefined, new AbortController().signal, { lookup: hogLookup, lookupTurns: turns });
  assert.equal(codeOf(again), 'PLEXUS_TIMEOUT', 'a new instance of the plugin waits for the turns its old one still holds');
  assert.equal(hogLookups, MAX_LOOKUPS_PER_CALLER);
  for (const settle of hung.splice(0)) settle();
});
