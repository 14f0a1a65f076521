// A running host with its ingresses, as `plexus start` runs it: the host
// first (store, sandbox, plugins, recovery), then the admin token, then every
// ingress. If any step fails, whatever already started is stopped again.
import { resolveAdminToken, type AdminToken } from '../admin/admin-token.ts';
import { hostReadiness } from '../admin/host-readiness.ts';
import type { Readiness } from '../admin/readiness.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import { Host } from '../host/host.ts';
import { AdminIngress } from './admin-ingress.ts';
import { hostIngresses, type Ingress } from './ingress.ts';

export interface HostRuntime {
  host: Host;
  token: AdminToken;
  adminUrl: string;
  readiness: Readiness;
  /** Stops the ingresses (all at once, the admin API last), then the host, within shutdownTimeoutMs. */
  stop(): Promise<void>;
}

export async function startHostRuntime(options: { loaded: LoadedConfig; logger: HostLogger }): Promise<HostRuntime> {
  const { loaded, logger } = options;
  const host = await Host.start(loaded.host, { logger });
  const started: Ingress[] = [];
  const readiness = hostReadiness(host);
  const stop = async () => {
    // /readyz answers 503 from the first moment of the shutdown, while intake still drains.
    readiness.stopping();
    // One budget for the whole stop, set now: broker drains and the engine's
    // settling share shutdownTimeoutMs (each used to get all of it, one after
    // another, and `plexus start` force-exited before cleanup hooks ran).
    const deadline = Date.now() + loaded.host.shutdownTimeoutMs;
    // Intake stops everywhere at once. The admin API (started first) stops
    // last, so /readyz and /metrics answer through the drain.
    const [first, ...rest] = started;
    await Promise.all(rest.map((ingress) => stopIngress(ingress, deadline, logger)));
    if (first !== undefined) await stopIngress(first, deadline, logger);
    started.length = 0;
    await host.stop(deadline);
  };
  try {
    const token = await resolveAdminToken({ stateDir: loaded.host.stateDir, configured: loaded.host.adminToken, origin: loaded.adminTokenOrigin, logger });
    const ingresses = hostIngresses({ host, loaded, logger, token, readiness });
    for (const ingress of ingresses) {
      await ingress.start();
      started.push(ingress);
    }
    const admin = ingresses.find((i): i is AdminIngress => i instanceof AdminIngress);
    host.prepareInstalls();
    return { host, token, adminUrl: admin?.url ?? '', readiness, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function stopIngress(ingress: Ingress, deadline: number, logger: HostLogger): Promise<void> {
  try {
    await ingress.stop(deadline);
  } catch (err) {
    logger.error({ ingress: ingress.name, err: (err as Error).message }, 'ingress did not stop cleanly');
  }
}
