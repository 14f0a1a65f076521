// A TCP proxy in front of a shared broker, so a test can make "the broker"
// vanish (close the proxy and cut every connection) and come back, or go
// silent with its connections still open (freeze), without touching the
// RabbitMQ or Redis other tests are using.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #state: { frozen: boolean };

  private constructor(port: number, server: Server, state: { frozen: boolean }) {
    this.port = port;
    this.#server = server;
    this.#state = state;
  }

  /** Listens on `port` (0: any) and forwards every connection to `targetPort` on 127.0.0.1. */
  static async listen(port: number, targetPort: number): Promise<TcpProxy> {
    const state = { frozen: false };
    const server = createServer((client) => {
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('data', (chunk: Buffer) => void (state.frozen || upstream.write(chunk)));
      upstream.on('data', (chunk: Buffer) => void (state.frozen || client.write(chunk)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const proxy = new TcpProxy((server.address() as { port: number }).port, server, state);
    // Client sides only: destroying one closes its upstream too.
    server.on('connection', (s: Socket) => {
      proxy.#sockets.add(s);
      s.on('close', () => proxy.#sockets.delete(s));
    });
    return proxy;
  }

  /** Drops every byte from now on, both ways, with the connections left open: a partition, a frozen broker. */
  freeze(): void {
    this.#state.frozen = true;
  }

  /** Stops listening and cuts every open connection, as a dying broker would. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
