// Starts the admin API on the configured address (default 127.0.0.1:9090).
import type { AddressInfo } from 'node:net';
import type { HostConfig } from '../config/host-config.ts';
import { formatListenAddress } from '../config/listen-address.ts';
import { closeByDeadline } from '../host/close-by-deadline.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import { buildAdminApp } from './admin-app.ts';
import type { AdminHost } from './admin-host.ts';
import type { Readiness } from './readiness.ts';

export interface AdminServer {
  /** Where a client on this machine reaches it, e.g. http://127.0.0.1:9090. */
  url: string;
  /**
   * Stops accepting requests and waits for in-flight ones; with a `deadline`
   * (epoch ms), only until then: their connections are closed at it.
   */
  close(deadline?: number): Promise<void>;
}

export interface AdminServerOptions {
  host: AdminHost;
  config: Pick<HostConfig, 'adminListen'>;
  logger: HostLogger;
  token: string;
  readiness?: Readiness;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { config, logger } = options;
  const app = buildAdminApp({ host: options.host, token: options.token, logger, ...(options.readiness ? { readiness: options.readiness } : {}) });
  await app.listen({ host: config.adminListen.host, port: config.adminListen.port });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${formatListenAddress({ host: connectable(config.adminListen.host), port })}`;
  if (!LOOPBACK.test(config.adminListen.host)) {
    logger.warn({ listen: formatListenAddress({ host: config.adminListen.host, port }) }, 'the admin API listens beyond loopback; only the bearer token protects it');
  }
  logger.info({ url }, 'admin API listening');
  return { url, close: (deadline) => closeByDeadline(app, deadline) };
}

/** A wildcard bind address is not something to connect to; its loopback is. */
function connectable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
