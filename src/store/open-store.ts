// The configured store: SQLite under the state dir for the embedded default,
// Redis for hosts that share state.
import { join } from 'node:path';
import type { StoreConfig } from '../config/host-config.ts';
import type { RedisStoreLog } from './redis-connection-log.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** `log`: where a shared store reports its host lease (a wait for a crashed predecessor's, one lost to another process) and its connection errors. */
export async function openStore(config: StoreConfig, stateDir: string, host: string, log?: RedisStoreLog): Promise<Store> {
  if (config.kind === 'redis') return RedisStore.connect({ url: config.url, prefix: config.prefix, host, ...(log === undefined ? {} : { log }) });
  return SqliteStore.open(config.path ?? join(stateDir, 'plexus.db'));
}
