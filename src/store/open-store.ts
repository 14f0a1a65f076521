// The configured store: SQLite under the state dir for the embedded default,
// Redis for hosts that share state.
import { join } from 'node:path';
import type { StoreConfig } from '../config/host-config.ts';
import { RedisStore } from './redis-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

export async function openStore(config: StoreConfig, stateDir: string, host: string): Promise<Store> {
  if (config.kind === 'redis') return RedisStore.connect({ url: config.url, prefix: config.prefix, host });
  return SqliteStore.open(config.path ?? join(stateDir, 'plexus.db'));
}
