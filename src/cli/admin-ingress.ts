// The admin API as an Ingress of `plexus start`: it takes events
// (POST /v1/events) and operator commands, so it stops with the other intake.
import { startAdminServer, type AdminServer } from '../admin/admin-server.ts';
import { formatListenAddress } from '../config/listen-address.ts';
import { CliError } from './command.ts';
import type { Ingress, IngressContext } from './ingress.ts';

export class AdminIngress implements Ingress {
  readonly name = 'admin API';
  readonly #context: IngressContext;
  #server: AdminServer | undefined;

  constructor(context: IngressContext) {
    this.#context = context;
  }

  /** Where clients reach it, once started. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    const { host, loaded, logger, token, readiness } = this.#context;
    try {
      this.#server = await startAdminServer({ host, config: loaded.host, logger, token: token.token, readiness });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw err;
      throw new CliError(`cannot listen on ${formatListenAddress(loaded.host.adminListen)} for the admin API (${code}); choose another with --admin-listen`);
    }
  }

  async stop(deadline?: number): Promise<void> {
    await this.#server?.close(deadline);
    this.#server = undefined;
  }
}
