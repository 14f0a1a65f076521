// A plugin whose granted host has slow DNS must not take the sandbox process's
// libuv pool: getaddrinfo holds a pool thread until it settles, whatever the
// fetch's deadline says. Lookups take turns, a few per plugin per thread.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, openSync, closeSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { guardedFetch } from '../../src/capabilities/fetch.ts';
import { createFetchPolicy } from '../../src/capabilities/fetch-policy.ts';
import { createLookupTurns, MAX_LOOKUPS_PER_CALLER } from '../../src/capabilities/fetch-lookup-turns.ts';
import type { FetchLookup } from '../../src/capabilities/fetch-resolve.ts';
import { rejection } from './fetch-test-helpers.ts';

const HOST = 'slow-dns.plexus.test';
const policy = (timeoutMs: number) => createFetchPolicy([HOST], { timeoutMs });
const tick = () => new Promise((r) => setTimeout(r, 20));

/** A lookup that hangs until `settleAll`, counting how many ever started. */
function hangingLookup() {
  const pending: (() => void)[] = [];
  let started = 0;
  const lookup: FetchLookup = () => {
    started++;
    return new Promise((_resolve, reject) => pending.push(() => reject(Object.assign(new Error('resolver timed out'), { code: 'EAI_AGAIN' }))));
  };
  return { lookup, started: () => started, settleAll: () => { for (const settle of pending.splice(0)) settle(); } };
}

test('16 fetches to a host with hung DNS start at most 2 lookups; the rest time out waiting, as PLEXUS_TIMEOUT', async () => {
  const turns = createLookupTurns();
  const dns = hangingLookup();
  const begun = Date.now();
  const fetches = Array.from({ length: 16 }, () => rejection(guardedFetch({ url: `http://${HOST}/` }, policy(300), { lookup: dns.lookup, caller: 'hog', lookupTurns: turns })));
  await tick();
  assert.equal(dns.started(), MAX_LOOKUPS_PER_CALLER, 'only the plugin\'s own turns started a lookup');
  const errors = await Promise.all(fetches);
  assert.deepEqual(new Set(errors.map((e) => e.code)), new Set(['PLEXUS_TIMEOUT']));
  assert.ok(Date.now() - begun < 2000, 'the wait counted against each fetch\'s own time limit');
  assert.equal(dns.started(), MAX_LOOKUPS_PER_CALLER, 'a fetch whose deadline passed while waiting never starts its lookup');
  assert.equal(turns.waiting(), 0);

  // Abandoned, the hung lookups still hold their pool threads, so their turns.
  assert.equal(turns.running('hog'), MAX_LOOKUPS_PER_CALLER);
  const stillBlocked = await rejection(guardedFetch({ url: `http://${HOST}/` }, policy(100), { lookup: dns.lookup, caller: 'hog', lookupTurns: turns }));
  assert.equal(stillBlocked.code, 'PLEXUS_TIMEOUT');
  assert.equal(dns.started(), MAX_LOOKUPS_PER_CALLER);

  // Once the resolver gives up on them, the plugin looks up again.
  dns.settleAll();
  await tick();
  assert.equal(turns.running(), 0);
  const after = rejection(guardedFetch({ url: `http://${HOST}/` }, policy(100), { lookup: dns.lookup, caller: 'hog', lookupTurns: turns }));
  await tick();
  assert.equal(dns.started(), MAX_LOOKUPS_PER_CALLER + 1);
  dns.settleAll();
  assert.equal((await after).code, 'PLEXUS_UNAVAILABLE');
});

test('another plugin\'s lookup starts at once while one plugin\'s lookups hang', async () => {
  const turns = createLookupTurns();
  const hog = hangingLookup();
  const hogFetches = Array.from({ length: 16 }, () => rejection(guardedFetch({ url: `http://${HOST}/` }, policy(300), { lookup: hog.lookup, caller: 'hog', lookupTurns: turns })));
  await tick();
  let otherLookups = 0;
  const other: FetchLookup = async () => { otherLookups++; return [{ address: '10.0.0.1', family: 4 }]; };
  // Refused after its lookup (a private address): what matters is that the lookup ran without waiting.
  const err = await rejection(guardedFetch({ url: `http://${HOST}/` }, policy(300), { lookup: other, caller: 'polite', lookupTurns: turns }));
  assert.equal(err.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.equal(otherLookups, 1);
  await Promise.all(hogFetches);
  hog.settleAll();
});

test('callers are served in turn, and a cancelled wait gives up its place', async () => {
  const turns = createLookupTurns(1, 1);
  const order: string[] = [];
  const take = (caller: string, signal = new AbortController().signal) => turns.take(caller, signal).then((done) => { order.push(caller); return done; });
  const first = await take('a');
  const a2 = take('a');
  const a3 = take('a');
  const cancel = new AbortController();
  const b1 = take('b', cancel.signal);
  const c1 = take('c');
  cancel.abort(new Error('gone'));
  await assert.rejects(b1, /gone/);
  assert.equal(turns.waiting(), 3);
  first();
  (await a2)();
  (await c1)();
  (await a3)();
  assert.deepEqual(order, ['a', 'a', 'c', 'a']);
  assert.equal(turns.running(), 0);
});

test('hung lookups of one plugin leave the libuv pool free for file reads', { skip: process.platform !== 'linux' }, async (t) => {
  // A FIFO opened for reading blocks its pool thread until a writer opens
  // it: a lookup held by a slow resolver, without real DNS.
  const dir = await fsp.mkdtemp(join(tmpdir(), 'plexus-pool-'));
  const fifo = join(dir, 'resolver');
  execFileSync('mkfifo', [fifo]);
  const plain = join(dir, 'plain');
  await fsp.writeFile(plain, 'x');
  const handles: Promise<void>[] = [];
  const lookup: FetchLookup = () => {
    const opened = fsp.open(fifo, 'r');
    handles.push(opened.then((h) => h.close()));
    return opened.then(() => { throw new Error('resolver gave up'); });
  };
  t.after(async () => {
    // Unblock every reader still waiting in open(), then clean up.
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    await Promise.allSettled(handles);
    closeSync(writer);
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const turns = createLookupTurns();
  const fetches = Array.from({ length: 16 }, () => guardedFetch({ url: `http://${HOST}/` }, policy(500), { lookup, caller: 'hog', lookupTurns: turns }).catch(() => undefined));
  await tick();
  const begun = Date.now();
  const read = await Promise.race([fsp.readFile(plain, 'utf8'), new Promise((r) => setTimeout(r, 1000, 'stalled'))]);
  assert.equal(read, 'x', 'a file read waited behind the hung lookups');
  assert.ok(Date.now() - begun < 1000);
  await Promise.all(fetches);
});
