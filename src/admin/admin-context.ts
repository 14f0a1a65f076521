// What every admin route file gets: the host, the readiness checks and a clock.
import type { HostLogger } from '../observability/host-logger.ts';
import type { AdminHost } from './admin-host.ts';
import type { Readiness } from './readiness.ts';

export interface AdminContext {
  host: AdminHost;
  readiness: Readiness;
  logger: HostLogger;
  now: () => number;
}
