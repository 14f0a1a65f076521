// The webhook listener as an Ingress of `plexus start`: sources parsed from
// the config's `webhooks` section, delivery ids claimed in the host's own
// store (so replay protection survives restarts and is shared over Redis),
// and a readiness check that fails once the listener is not listening.
import { PlexusError } from '@plexus/plugin-sdk';
import { formatListenAddress } from '../../../config/listen-address.ts';
import { CliError } from '../../../cli/command.ts';
import type { Ingress, IngressContext } from '../../../cli/ingress.ts';
import { parseWebhookSources } from '../parse-sources.ts';
import type { WebhookSource } from '../source-config.ts';
import { startWebhookServer, type WebhookServer } from './webhook-server.ts';

export const WEBHOOK_READINESS_CHECK = 'webhooks';

export class WebhookIngress implements Ingress {
  readonly name = 'webhook listener';
  readonly #context: IngressContext;
  #server: WebhookServer | undefined;
  #removeReadiness: (() => void) | undefined;

  constructor(context: IngressContext) {
    this.#context = context;
  }

  /** Where senders on this machine reach it, once started. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    const { host, loaded, logger, readiness } = this.#context;
    const sources = parseSources(loaded.host.webhooks ?? {});
    try {
      this.#server = await startWebhookServer({ host, sources, logger, listen: loaded.host.listen, metrics: host.metrics });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw err;
      throw new CliError(`cannot listen on ${formatListenAddress(loaded.host.listen)} for webhooks (${code}); choose another with --listen`);
    }
    const server = this.#server;
    this.#removeReadiness = readiness.add(WEBHOOK_READINESS_CHECK, async () => {
      if (!server.listening) throw new Error(`the webhook listener on ${server.url} is not listening`);
    });
  }

  async stop(deadline?: number): Promise<void> {
    this.#removeReadiness?.();
    this.#removeReadiness = undefined;
    await this.#server?.close(deadline);
    this.#server = undefined;
  }
}

/**
 * The config loader already resolved `${NAME}` references, so none are
 * resolved again here (an escaped `$${…}` must not turn into a lookup); one
 * still present is refused. Problems the schema cannot see (a secret that is
 * not base64, a bad JSON path) are config errors of `plexus start`.
 */
function parseSources(config: unknown): ReadonlyMap<string, WebhookSource> {
  try {
    return parseWebhookSources(config, { env: {} });
  } catch (err) {
    if (!(err instanceof PlexusError)) throw err;
    throw new PlexusError('PLEXUS_INVALID_CONFIG', err.message.replace(/^Invalid webhook sources config/, 'Invalid config'), { details: err.details, cause: err });
  }
}
