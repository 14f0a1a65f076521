// A TCP proxy in front of a shared broker that lets chosen connections go
// silent while the client sets its session up: the TCP connection is made
// (so a connect timeout, which ends there or with the protocol's handshake,
// is over), and from a point the protocol decides everything, both ways, is
// dropped, with the sockets left open. A flow a firewall dropped, or a broker
// that froze, just as a client (re)connected. Other connections pass as usual.
// - amqpChannelOpen: after the AMQP handshake, at the client's first frame
//   on a channel (channel.open).
// - fromTheStart: at the client's first byte (Redis: its HELLO / CLIENT
//   SETNAME / ready check get no answer).
import { ProxyServer } from './proxy-server.ts';

/** Where in what the client sent so far the silence begins (an offset), or undefined: not yet. */
export type SilenceStart = (sent: Buffer) => number | undefined;

const AMQP_PROTOCOL_HEADER_BYTES = 8;

export const amqpChannelOpen: SilenceStart = (sent) => {
  // Frames after the protocol header: type (1), channel (2), size (4), payload, 0xCE.
  for (let at = AMQP_PROTOCOL_HEADER_BYTES; sent.length >= at + 7; at += 8 + sent.readUInt32BE(at + 3)) {
    if (sent.readUInt16BE(at + 1) !== 0) return at;
  }
  return undefined;
};

export const fromTheStart: SilenceStart = () => 0;

interface ProxyState {
  silenceNext: number;
  accepted: number;
  silenced: number;
}

export class SilentWhileOpeningProxy {
  readonly #server: ProxyServer;
  readonly #state: ProxyState;

  private constructor(server: ProxyServer, state: ProxyState) {
    this.#server = server;
    this.#state = state;
  }

  get port(): number {
    return this.#server.port;
  }

  /** Listens on any port and forwards every connection to `targetPort` on 127.0.0.1. */
  static async listen(targetPort: number, start: SilenceStart): Promise<SilentWhileOpeningProxy> {
    const state: ProxyState = { silenceNext: 0, accepted: 0, silenced: 0 };
    const server = await ProxyServer.listen(targetPort, (client, upstream) => {
      state.accepted++;
      const chosen = state.silenceNext > 0;
      if (chosen) state.silenceNext--;
      let silent = false;
      let sent = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        if (silent) return;
        if (chosen) {
          sent = Buffer.concat([sent, chunk]);
          const at = start(sent);
          if (at !== undefined) {
            silent = true;
            state.silenced++;
            // What came before that point still goes (the handshake's tail).
            const before = chunk.length - (sent.length - at);
            if (before > 0) upstream.write(chunk.subarray(0, before));
            return;
          }
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => void (silent || client.write(chunk)));
    });
    return new SilentWhileOpeningProxy(server, state);
  }

  /** The next `count` connections go silent while they open. */
  silenceNext(count: number): void {
    this.#state.silenceNext += count;
  }

  get accepted(): number {
    return this.#state.accepted;
  }

  /** Connections that went silent so far. */
  get silenced(): number {
    return this.#state.silenced;
  }

  /** Cuts the connections open now (the broker dropped them); new ones are still accepted. */
  cut(): void {
    this.#server.cut();
  }

  /** Stops listening and cuts every open connection. */
  close(): Promise<void> {
    return this.#server.close();
  }
}
