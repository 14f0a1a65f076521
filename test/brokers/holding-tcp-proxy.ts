// A TCP proxy in front of a shared broker that can hold back what the broker
// sends (hold) and hand it all over in one write (release), so a test can
// make a client read several replies in one go, e.g. the last deliveries and
// the answer to its basic.cancel or UNSUBSCRIBE, as a busy broker's client
// does. What the client sends always passes.
import type { Socket } from 'node:net';
import { ProxyServer } from './proxy-server.ts';

interface Link {
  client: Socket;
  held: Buffer[];
}

export class HoldingTcpProxy {
  readonly #server: ProxyServer;
  readonly #links: Set<Link>;
  readonly #state: { holding: boolean };

  private constructor(server: ProxyServer, links: Set<Link>, state: { holding: boolean }) {
    this.#server = server;
    this.#links = links;
    this.#state = state;
  }

  get port(): number {
    return this.#server.port;
  }

  /** Listens on any port and forwards every connection to `targetPort` on 127.0.0.1. */
  static async listen(targetPort: number): Promise<HoldingTcpProxy> {
    const links = new Set<Link>();
    const state = { holding: false };
    const server = await ProxyServer.listen(targetPort, (client, upstream) => {
      const link: Link = { client, held: [] };
      links.add(link);
      client.on('close', () => links.delete(link));
      client.on('data', (chunk: Buffer) => void upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        if (state.holding) link.held.push(chunk);
        else client.write(chunk);
      });
    });
    return new HoldingTcpProxy(server, links, state);
  }

  /** From now on, what the broker sends is kept back. */
  hold(): void {
    this.#state.holding = true;
  }

  /** Everything held so far, over all connections (to wait for a reply to be among it). */
  held(): Buffer {
    return Buffer.concat([...this.#links].flatMap((link) => link.held));
  }

  /** Hands over what each connection held, in one write per connection, and forwards as usual again. */
  release(): void {
    this.#state.holding = false;
    for (const link of this.#links) {
      if (link.held.length > 0) link.client.write(Buffer.concat(link.held.splice(0)));
    }
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    return this.#server.close();
  }
}
