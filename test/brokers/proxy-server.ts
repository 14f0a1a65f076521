// What the broker proxies of these tests share: a loopback listener whose
// every connection gets its own upstream connection to the real broker, each
// side closing the other, and a close() that cuts every connection still
// open. A proxy only says what passes between the two (`pair`).
import { connect, createServer, type Server, type Socket } from 'node:net';

export class ProxyServer {
  readonly port: number;
  readonly #server: Server;
  readonly #open: Set<Socket>;

  private constructor(port: number, server: Server, open: Set<Socket>) {
    this.port = port;
    this.#server = server;
    this.#open = open;
  }

  /** Listens on any port of 127.0.0.1; each connection is paired with one to `targetPort` there. */
  static async listen(targetPort: number, pair: (client: Socket, upstream: Socket) => void): Promise<ProxyServer> {
    const open = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      open.add(client);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('close', () => {
        upstream.destroy();
        open.delete(client);
      });
      upstream.on('close', () => client.destroy());
      pair(client, upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new ProxyServer((server.address() as { port: number }).port, server, open);
  }

  /** Cuts every open connection (the client side; its upstream follows), as a dying broker or a network would. */
  cut(): void {
    for (const socket of this.#open) socket.destroy();
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.cut();
    await closed;
  }
}
