// A TCP proxy in front of a shared broker whose silence() makes the
// connections open at that moment go quiet, both ways, with their sockets
// left open (a flow a firewall or NAT dropped, a proxy that stopped
// forwarding), while new connections pass as usual. Unlike TcpProxy.freeze(),
// which silences every connection from then on, a client here can recover by
// opening a new connection, and the test can tell how many it opened.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class SilencingTcpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #open: Set<Socket>;
  readonly #silent: Set<Socket>;
  readonly #accepted: { count: number };

  private constructor(port: number, server: Server, open: Set<Socket>, silent: Set<Socket>, accepted: { count: number }) {
    this.port = port;
    this.#server = server;
    this.#open = open;
    this.#silent = silent;
    this.#accepted = accepted;
  }

  /** Listens on any port and forwards every connection to `targetPort` on 127.0.0.1. */
  static async listen(targetPort: number): Promise<SilencingTcpProxy> {
    const open = new Set<Socket>();
    const silent = new Set<Socket>();
    const accepted = { count: 0 };
    const server = createServer((client) => {
      accepted.count++;
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      open.add(client);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('data', (chunk: Buffer) => void (silent.has(client) || upstream.write(chunk)));
      upstream.on('data', (chunk: Buffer) => void (silent.has(client) || client.write(chunk)));
      client.on('close', () => {
        upstream.destroy();
        open.delete(client);
        silent.delete(client);
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new SilencingTcpProxy((server.address() as { port: number }).port, server, open, silent, accepted);
  }

  /** Connections accepted so far (open or not). */
  get accepted(): number {
    return this.#accepted.count;
  }

  /** Drops every byte, both ways, of the connections open now, and keeps them open. */
  silence(): void {
    for (const s of this.#open) this.#silent.add(s);
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#open) s.destroy();
    await closed;
  }
}
