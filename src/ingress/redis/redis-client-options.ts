// ioredis options of a source's connections. ioredis' own reconnection is
// off (retryStrategy null, no offline queue): a lost connection ends the
// session and BrokerConnection opens a new one with backoff and a circuit
// breaker, the same way for every broker. Credentials come from the config's
// username/password (usually `${ENV}` references), else the URL's userinfo.
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSourceConfig } from '../broker-config.ts';
import { settledWithin } from '../broker-reconnect-delay.ts';

/**
 * A client for a source's connection (not connected: lazyConnect). ioredis
 * is imported here, at the first connection, not with the host: its import
 * is ~100 ms of CPU that every host start, CLI command and test process paid
 * whether or not it ever talked to Redis.
 */
export async function redisClient(config: RedisSourceConfig, connectionName: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  return new Redis(redisClientOptions(config, connectionName));
}

/**
 * Connects `client`, giving up after `ms`: ioredis' connectTimeout ends with
 * the TCP connect, and a server silent from then on (CLIENT SETNAME, the
 * ready check unanswered) held the open, and with it the host's start, every
 * reconnect and the stop, for ever. The caller disconnects a client that
 * failed. `what`: what was opening, for the error.
 */
export async function connectWithin(client: Redis, ms: number, what: string): Promise<void> {
  const connected = await settledWithin(client.connect(), ms);
  if (connected === undefined) throw new Error(`Redis answered nothing within ${ms} ms while ${what} opened: the connection is silent; opening a new one`);
}

export function redisClientOptions(config: RedisSourceConfig, connectionName: string): RedisOptions {
  const url = new URL(config.url);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    db: Number.isInteger(db) ? db : 0,
    connectionName: connectionName.replace(/\s/g, '_'),
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // It ends with the TCP connect; the set-up commands after it are bounded by the same (redis-session.ts).
    connectTimeout: config.connectTimeoutMs,
  };
  if (url.protocol === 'rediss:') options.tls = {};
  const username = config.username ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
  const password = config.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password;
  return options;
}
