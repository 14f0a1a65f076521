// A host's lease in a shared Redis store: the key other hosts check before
// adopting its deliveries (redis-adopt.ts). It holds a random token of the
// process that took it, so two processes started with one host id (a copied
// state dir, two containers on one volume) cannot both hold it: each would
// run the other's deliveries as its own and make the same delivery ids.
// Taking and renewing are one script that writes only while the key is
// absent or ours; close() deletes it only while it is ours.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { PlexusError } from '@plexus/plugin-sdk';
import { LuaScript, strings } from './redis-commands.ts';

/** How long a host's lease lasts without renewal; it renews it every third of that. */
export const LEASE_MS = 15_000;

/** What the lease reports: a wait for a crashed predecessor's lease, and a lease found taken. */
export interface LeaseLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

// KEYS[1]: the lease. ARGV: our token, the lease in ms. Sets it when absent (taken, or lapsed
// while we lived) or ours; else returns who holds it and for how long. A resend of a call whose
// reply was lost finds our token and answers the same: no `once` needed.
const HOLD = new LuaScript(`
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return { '1' }
end
return { '0', held, redis.call('PTTL', KEYS[1]) }
`);

// KEYS[1]: the lease. ARGV: the holder seen, our token, the lease in ms. Takes it only from that holder.
const TAKE_OVER = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

type Hold = { held: true } | { held: false; holder: string; ttl: number };

async function hold(redis: Redis, key: string, token: string, leaseMs: number): Promise<Hold> {
  const [flag, holder, ttl] = strings(await HOLD.run(redis, [key], [token, leaseMs]));
  return flag === '1' ? { held: true } : { held: false, holder: holder ?? '', ttl: Number(ttl) };
}

function inUse(host: string): PlexusError {
  return new PlexusError(
    'PLEXUS_INVALID_CONFIG',
    `host id ${host} is in use by another live process on this Redis store (its lease is being renewed): `
      + 'give each host its own state dir (a copy of another host\'s state dir carries its host id)',
  );
}

/**
 * Whether a holder seen as `before` has renewed (or been replaced) by `now`:
 * without a renewal the lease's time to live only falls.
 */
export function renewedMeanwhile(before: { holder: string; ttl: number }, now: { holder: string; ttl: number }): boolean {
  return now.holder !== before.holder || now.ttl > before.ttl;
}

/**
 * A lease token: the machine and process that took it, and a random part
 * (two stores in one process, or a pid used again, are still told apart).
 */
export function leaseToken(machine: string, pid: number): string {
  return `${encodeURIComponent(machine)}/${pid}/${randomBytes(12).toString('hex')}`;
}

/**
 * Whether the lease `holder` was taken by an earlier process on this machine
 * that is no longer running: a host restarted after a crash need not wait its
 * own lease out. A holder on another machine, a pid still running (this one
 * included) or a token of another form is waited for.
 */
export function heldByDeadLocalProcess(holder: string, machine: string, running: (pid: number) => boolean): boolean {
  const [where, pidText] = holder.split('/');
  const pid = Number(pidText);
  return where === encodeURIComponent(machine) && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !running(pid);
}

function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class HostLease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #host: string;
  readonly #leaseMs: number;
  readonly #log: LeaseLog;
  readonly #token = leaseToken(hostname(), process.pid);
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  /**
   * Takes `host`'s lease. A lease another process holds is waited out (what
   * a crash leaves lapses within leaseMs), unless it was a process on this
   * machine that no longer runs; one renewed meanwhile belongs to a live
   * process, and this host must not start as it: PLEXUS_INVALID_CONFIG.
   */
  static async take(redis: Redis, key: string, host: string, leaseMs: number, log: LeaseLog): Promise<HostLease> {
    const lease = new HostLease(redis, key, host, leaseMs, log);
    const poll = Math.max(5, Math.min(500, Math.floor(leaseMs / 10)));
    let seen: { holder: string; ttl: number } | undefined;
    for (;;) {
      const found = await hold(redis, key, lease.#token, leaseMs);
      if (found.held) break;
      if (heldByDeadLocalProcess(found.holder, hostname(), pidRunning) && (await TAKE_OVER.run(redis, [key], [found.holder, lease.#token, leaseMs])) === 1) {
        log.warn({ host, previous: found.holder }, 'took over this host id\'s lease from an earlier process on this machine that is no longer running');
        break;
      }
      // No expiry (-1): set by hand, or by something that is not a Plexus host; it would never lapse.
      if (found.ttl < 0 || (seen !== undefined && renewedMeanwhile(seen, found))) throw inUse(host);
      if (seen === undefined) {
        log.warn({ host, remainingMs: found.ttl }, 'this host id still has a lease in the shared store (a crash leaves it); waiting for it to lapse');
      }
      seen = found;
      await new Promise((resolve) => setTimeout(resolve, Math.min(poll, found.ttl + 1)));
    }
    lease.#timer = setInterval(() => {
      lease.#renewing ??= lease.#renew().finally(() => {
        lease.#renewing = undefined;
      });
    }, Math.max(1, Math.floor(leaseMs / 3)));
    lease.#timer.unref();
    return lease;
  }

  private constructor(redis: Redis, key: string, host: string, leaseMs: number, log: LeaseLog) {
    this.#redis = redis;
    this.#key = key;
    this.#host = host;
    this.#leaseMs = leaseMs;
    this.#log = log;
  }

  /** Renews while the lease is ours; a failure (Redis away) is retried at the next renewal. */
  async #renew(): Promise<void> {
    let found: Hold;
    try {
      found = await hold(this.#redis, this.#key, this.#token, this.#leaseMs);
    } catch {
      return;
    }
    if (found.held || this.#timer === undefined) return;
    // Another process took it after ours lapsed (this one was paused past leaseMs): it is that host now.
    this.stop();
    this.#log.error(
      { host: this.#host },
      `lost the lease of host id ${this.#host} to another process on the shared store; no longer renewing it: `
        + 'two processes run as one host (give each host its own state dir)',
    );
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops renewing and deletes the lease if it is still ours, so other hosts may adopt at once. */
  async release(): Promise<void> {
    this.stop();
    // A renewal that reached Redis after the delete would set the lease again, for leaseMs.
    await this.#renewing;
    await RELEASE.run(this.#redis, [this.#key], [this.#token]);
  }
}
