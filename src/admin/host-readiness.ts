// The checks every host has: its store answers a read and its sandbox process
// answers a stats request. Broker consumers add their own to the same registry.
import type { AdminHost } from './admin-host.ts';
import { Readiness } from './readiness.ts';

// A primary-key lookup that never matches: exercises the connection, costs nothing.
const PROBE_ID = '__plexus_readiness_probe__';

export function hostReadiness(host: Pick<AdminHost, 'store' | 'sandbox'>, options: { timeoutMs?: number } = {}): Readiness {
  const readiness = new Readiness(options);
  readiness.add('store', async () => {
    await host.store.getDlq(PROBE_ID);
  });
  readiness.add('sandbox', async () => {
    await host.sandbox.stats();
  });
  return readiness;
}
