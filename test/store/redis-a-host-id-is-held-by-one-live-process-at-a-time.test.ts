// Two processes started with one host id (a copied state dir, two
// containers on one volume) must not both act as that host on a shared
// Redis store: each would run the other's pending deliveries as its own and
// both would make delivery ids from the same host id, ms and counter. The
// lease carries a per-process token: a second live process is refused, a
// restart after a crash waits out the dead process's lease, and a renewal
// never overwrites a lease another process holds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { PlexusError } from '@plexus/plugin-sdk';
import type { RedisStore } from '../../src/store/redis-store.ts';
import { hostLeaseKey, redisKeys } from '../../src/store/redis-keys.ts';
import { heldByDeadLocalProcess, leaseToken, type LeaseLog } from '../../src/store/redis-lease.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';
import { redisStoresCleanedAfterTheseTests } from './redis-test-stores.ts';

const skip = await redisSkipReason();
const HOST = 'abab0000cdcd';
const LEASE_MS = 300;
const stores = redisStoresCleanedAfterTheseTests();
const raw = skip === undefined ? new Redis(REDIS_URL) : undefined;
after(() => raw?.disconnect());

function sharedStore(): { prefix: string; lease: string } {
  const prefix = stores.sharedPrefix();
  return { prefix, lease: hostLeaseKey(redisKeys(prefix), HOST) };
}

function recordingLog(): LeaseLog & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, warn: (_f, message) => warnings.push(message), error: (_f, message) => errors.push(message) };
}

function open(prefix: string, log: LeaseLog): Promise<RedisStore> {
  return stores.connect({ prefix, host: HOST, leaseMs: LEASE_MS, log });
}

test('a second process with a live host\'s id is refused, and the first keeps its lease', { skip }, async () => {
  const { prefix, lease } = sharedStore();
  const firstLog = recordingLog();
  await open(prefix, firstLog);
  const held = await raw?.get(lease);

  const secondLog = recordingLog();
  const started = Date.now();
  await assert.rejects(open(prefix, secondLog), (err: unknown) => {
    assert.ok(err instanceof PlexusError);
    assert.equal(err.code, 'PLEXUS_INVALID_CONFIG');
    assert.match(err.message, /in use by another live process.*own state dir/);
    return true;
  });
  assert.ok(Date.now() - started < 3 * LEASE_MS, 'refused once it sees the lease renewed, not after waiting forever');
  assert.equal(secondLog.warnings.length, 1, 'the wait was logged once');

  await sleep(LEASE_MS);
  assert.equal(await raw?.get(lease), held, 'the first process still holds its lease, untouched');
  assert.deepEqual(firstLog.errors, []);
});

test('a restart after a crash waits out the dead process\'s lease, then starts as that host', { skip }, async () => {
  const { prefix, lease } = sharedStore();
  // What a SIGKILLed process leaves: its lease, with nobody renewing it.
  await raw?.set(lease, 'token-of-the-crashed-process', 'PX', 2 * LEASE_MS);
  const log = recordingLog();
  const started = Date.now();
  const store = await open(prefix, log);
  const waited = Date.now() - started;
  assert.ok(waited >= 2 * LEASE_MS - 50, `started after the old lease lapsed (waited ${waited} ms)`);
  assert.equal(log.warnings.length, 1, 'the wait was logged once');
  const token = await raw?.get(lease);
  assert.ok(token !== null && token !== 'token-of-the-crashed-process', 'the lease is the new process\'s');

  await sleep(LEASE_MS);
  assert.equal(await raw?.get(lease), token, 'and it renews it');
  await store.close();
  assert.equal(await raw?.exists(lease), 0, 'close() drops its own lease');
});

test('a renewal never overwrites a lease another process took, and close() leaves it', { skip }, async () => {
  const { prefix, lease } = sharedStore();
  const log = recordingLog();
  const store = await open(prefix, log);
  // This process was paused past its lease and another one with the same id took it meanwhile.
  await raw?.set(lease, 'token-of-the-other-process', 'PX', 10_000);
  await sleep(2 * LEASE_MS);
  assert.equal(await raw?.get(lease), 'token-of-the-other-process', 'renewals did not overwrite it');
  assert.equal(log.errors.length, 1, 'the lost lease is reported once, then renewals stop');
  assert.match(log.errors[0] ?? '', /lost the lease of host id abab0000cdcd/);
  await store.close();
  assert.equal(await raw?.get(lease), 'token-of-the-other-process', 'close() deletes only its own lease');
  await raw?.del(lease);
});

test('a restart on the same machine takes the lease of its dead predecessor at once', { skip }, async () => {
  const { prefix, lease } = sharedStore();
  // A pid that ran on this machine and has exited: what a SIGKILLed host leaves, with a lease of 10 s.
  const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
  await raw?.set(lease, leaseToken(hostname(), gone), 'PX', 10_000);
  const log = recordingLog();
  const started = Date.now();
  const store = await open(prefix, log);
  assert.ok(Date.now() - started < 1000, 'did not wait the old lease out');
  assert.match(log.warnings.join('\n'), /took over this host id's lease from an earlier process on this machine/);
  const token = await raw?.get(lease);
  assert.ok(token?.startsWith(`${encodeURIComponent(hostname())}/${process.pid}/`), 'the lease is this process\'s');
  await store.close();
});

test('only a dead process on this machine is taken over: another machine, a live pid or a foreign token is waited for', () => {
  const dead = () => false;
  const alive = () => true;
  assert.equal(heldByDeadLocalProcess(leaseToken('box-a', 4242), 'box-a', dead), true);
  assert.equal(heldByDeadLocalProcess(leaseToken('box-a', 4242), 'box-b', dead), false, 'another machine');
  assert.equal(heldByDeadLocalProcess(leaseToken('box-a', 4242), 'box-a', alive), false, 'still running');
  assert.equal(heldByDeadLocalProcess(leaseToken('box-a', process.pid), 'box-a', dead), false, 'this very process (another store in it)');
  assert.equal(heldByDeadLocalProcess('token-of-the-crashed-process', 'box-a', dead), false, 'not a token of this form');
  assert.equal(heldByDeadLocalProcess(leaseToken('a/b', 4242), 'a', dead), false, 'a machine name with a slash stays whole');
});
