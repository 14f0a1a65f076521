// A TCP proxy in front of the shared RabbitMQ that passes on the publisher
// confirms (basic.ack) of a channel's first `passed` messages and withholds
// every later one, as a broker does whose confirms for some messages of a
// round are slow (a slow queue, a disk that holds the fsync) or were lost
// with the flow. A multiple ack that covers withheld tags is cut down to the
// passed ones. Everything else passes unchanged; the AMQP 0-9-1 framing
// (type, channel, size, payload, 0xCE) is read only to find the acks.
import { ProxyServer } from './proxy-server.ts';

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CLASS_BASIC = 60;
const BASIC_ACK = 80;

function ackFrame(channel: number, tag: bigint, multiple: boolean): Buffer {
  const frame = Buffer.alloc(7 + 13 + 1);
  frame.writeUInt8(FRAME_METHOD, 0);
  frame.writeUInt16BE(channel, 1);
  frame.writeUInt32BE(13, 3);
  frame.writeUInt16BE(CLASS_BASIC, 7);
  frame.writeUInt16BE(BASIC_ACK, 9);
  frame.writeBigUInt64BE(tag, 11);
  frame.writeUInt8(multiple ? 1 : 0, 19);
  frame.writeUInt8(FRAME_END, 20);
  return frame;
}

export class AckWithholdingAmqpProxy {
  readonly #server: ProxyServer;
  readonly #withheld: { count: number };

  private constructor(server: ProxyServer, withheld: { count: number }) {
    this.#server = server;
    this.#withheld = withheld;
  }

  get port(): number {
    return this.#server.port;
  }

  /** Forwards to `targetPort` on 127.0.0.1; each channel's confirms after its first `passed` messages are withheld. */
  static async listen(targetPort: number, passed: number): Promise<AckWithholdingAmqpProxy> {
    const withheld = { count: 0 };
    const server = await ProxyServer.listen(targetPort, (client, upstream) => {
      client.on('data', (chunk: Buffer) => void upstream.write(chunk));
      let buffer = Buffer.alloc(0);
      const acked = new Map<number, bigint>();
      upstream.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 7 && buffer.length >= 8 + buffer.readUInt32BE(3)) {
          const frame = buffer.subarray(0, 8 + buffer.readUInt32BE(3));
          buffer = buffer.subarray(frame.length);
          const channel = frame.readUInt16BE(1);
          if (frame[0] !== FRAME_METHOD || frame.length < 21 || frame.readUInt16BE(7) !== CLASS_BASIC || frame.readUInt16BE(9) !== BASIC_ACK) {
            client.write(frame);
            continue;
          }
          const tag = frame.readBigUInt64BE(11);
          const multiple = (frame.readUInt8(19) & 1) === 1;
          const last = BigInt(passed);
          if (tag <= last) {
            client.write(frame);
            if (multiple || tag === (acked.get(channel) ?? 0n) + 1n) acked.set(channel, tag);
            continue;
          }
          withheld.count++;
          // A multiple ack past the last passed tag still confirms the passed ones it covers.
          if (multiple && (acked.get(channel) ?? 0n) < last) {
            client.write(ackFrame(channel, last, true));
            acked.set(channel, last);
          }
        }
      });
    });
    return new AckWithholdingAmqpProxy(server, withheld);
  }

  /** Acks withheld so far. */
  get withheld(): number {
    return this.#withheld.count;
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    return this.#server.close();
  }
}
