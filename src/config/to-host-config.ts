// From a validated config document to a HostConfig: durations to
// milliseconds, "host:port" to {host, port}, relative paths to absolute ones,
// and everything the document leaves out taken from defaultHostConfig.
import { isAbsolute, resolve } from 'node:path';
import type { ConfigDocument } from './config-schema.ts';
import { durationMs } from './duration.ts';
import { DEFAULT_STATE_DIR, defaultHostConfig, type HostConfig, type StoreConfig } from './host-config.ts';
import { parseListenAddress } from './listen-address.ts';
import { publishingBrokers, toEgressConfig } from '../egress/egress-config.ts';
import { toBrokersConfig } from '../ingress/broker-config.ts';

/** Where relative paths in the document are resolved from, per field (a flag's from the cwd, the file's from its folder). */
export interface PathBases {
  stateDir: string;
  storePath: string;
}

const DEFAULT_REDIS_PREFIX = 'plexus:';

export function toHostConfig(doc: ConfigDocument, bases: PathBases): HostConfig {
  const base = defaultHostConfig(resolve(bases.stateDir, doc.stateDir ?? DEFAULT_STATE_DIR));
  const { sandbox = {}, delivery = {}, retention = {}, limits = {} } = doc;
  const { retry = {}, breaker = {} } = delivery;
  const config: HostConfig = {
    stateDir: base.stateDir,
    listen: (doc.listen === undefined ? undefined : parseListenAddress(doc.listen)) ?? base.listen,
    adminListen: (doc.adminListen === undefined ? undefined : parseListenAddress(doc.adminListen)) ?? base.adminListen,
    store: doc.store === undefined ? base.store : store(doc.store, bases.storePath),
    sandbox: definedOver(base.sandbox, { threads: sandbox.threads, idleMs: ms(sandbox.idleMs), nice: sandbox.nice }),
    delivery: {
      ...definedOver(base.delivery, {
        dedupWindowMs: ms(delivery.dedupWindowMs),
        batchSize: delivery.batchSize,
        lingerMs: ms(delivery.lingerMs),
        maxQueued: delivery.maxQueued,
        concurrency: delivery.concurrency,
      }),
      retry: definedOver(base.delivery.retry, {
        maxRetries: retry.maxRetries,
        initialDelayMs: ms(retry.initialDelayMs),
        multiplier: retry.multiplier,
        maxDelayMs: ms(retry.maxDelayMs),
      }),
      breaker: definedOver(base.delivery.breaker, { failureThreshold: breaker.failureThreshold, coolDownMs: ms(breaker.coolDownMs) }),
    },
    retention: definedOver(base.retention, { journalMs: ms(retention.journalMs), dlqMs: ms(retention.dlqMs) }),
    limits: definedOver(base.limits, { memoryMb: limits.memoryMb, timeoutMs: ms(limits.timeoutMs) }),
    secrets: { ...base.secrets, ...doc.secrets },
    shutdownTimeoutMs: ms(doc.shutdownTimeoutMs) ?? base.shutdownTimeoutMs,
  };
  if (doc.adminToken !== undefined) config.adminToken = doc.adminToken;
  // Egress first: its targets decide which connections may consume nothing.
  const egress = toEgressConfig(doc.egress, doc.brokers);
  if (doc.brokers !== undefined) config.brokers = toBrokersConfig(doc.brokers, publishingBrokers(egress));
  if (doc.egress !== undefined) config.egress = egress;
  // Kept as written: the webhook ingress parses it (secrets decoded, paths compiled) when it starts.
  if (doc.webhooks !== undefined) config.webhooks = doc.webhooks;
  return config;
}

function ms(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : durationMs(value);
}

/** `base` with the fields `overrides` sets; an undefined override keeps the default. */
function definedOver<T extends object>(base: T, overrides: { [K in keyof T]?: T[K] | undefined }): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}

function store(doc: NonNullable<ConfigDocument['store']>, base: string): StoreConfig {
  if (doc.kind === 'redis') return { kind: 'redis', url: doc.url, prefix: doc.prefix ?? DEFAULT_REDIS_PREFIX };
  return doc.path === undefined ? { kind: 'sqlite' } : { kind: 'sqlite', path: isAbsolute(doc.path) ? doc.path : resolve(base, doc.path) };
}
