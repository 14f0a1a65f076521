// A TCP proxy in front of a shared broker that can hold back what the broker
// sends (hold) and hand it all over in one write (release), so a test can
// make a client read several replies in one go, e.g. the last deliveries and
// the answer to its basic.cancel or UNSUBSCRIBE, as a busy broker's client
// does. What the client sends always passes.
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Link {
  client: Socket;
  held: Buffer[];
}

export class HoldingTcpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #links: Set<Link>;
  readonly #state: { holding: boolean };

  private constructor(port: number, server: Server, links: Set<Link>, state: { holding: boolean }) {
    this.port = port;
    this.#server = server;
    this.#links = links;
    this.#state = state;
  }

  /** Listens on any port and forwards every connection to `targetPort` on 127.0.0.1. */
  static async listen(targetPort: number): Promise<HoldingTcpProxy> {
    const links = new Set<Link>();
    const state = { holding: false };
    const server = createServer((client) => {
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      const link: Link = { client, held: [] };
      links.add(link);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('data', (chunk: Buffer) => void upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        if (state.holding) link.held.push(chunk);
        else client.write(chunk);
      });
      client.on('close', () => {
        upstream.destroy();
        links.delete(link);
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new HoldingTcpProxy((server.address() as { port: number }).port, server, links, state);
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

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const link of this.#links) link.client.destroy();
    await closed;
  }
}
