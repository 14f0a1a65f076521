// The webhook listener on its own address (default 0.0.0.0:8080), apart from
// the admin API: senders on the internet reach this one, the admin API stays
// on loopback behind its token.
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../../../config/listen-address.ts';
import { formatListenAddress } from '../../../config/listen-address.ts';
import { closeByDeadline } from '../../../host/close-by-deadline.ts';
import { buildWebhookApp, type WebhookAppOptions } from './webhook-app.ts';

export interface WebhookServer {
  /** Where a client on this machine reaches it, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** False once closing began or the socket went away; what the readiness check asks. */
  readonly listening: boolean;
  /**
   * Stops accepting requests and waits for in-flight ones (each answered only
   * once durable); with a `deadline` (epoch ms), only until then.
   */
  close(deadline?: number): Promise<void>;
}

export async function startWebhookServer(options: WebhookAppOptions & { listen: ListenAddress }): Promise<WebhookServer> {
  const app = buildWebhookApp(options);
  await app.listen({ host: options.listen.host, port: options.listen.port });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${formatListenAddress({ host: connectable(options.listen.host), port })}`;
  options.logger.info({ url, sources: [...options.sources.keys()] }, 'webhook listener listening');
  let closing = false;
  return {
    url,
    get listening() {
      return !closing && app.server.listening;
    },
    close: async (deadline) => {
      closing = true;
      await closeByDeadline(app, deadline);
    },
  };
}

/** A wildcard bind address is not something to connect to; its loopback is. */
function connectable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
