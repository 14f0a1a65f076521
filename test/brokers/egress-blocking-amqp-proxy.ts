// A TCP proxy in front of the shared RabbitMQ that can put its connections
// under a resource alarm the way RabbitMQ does, without an alarm on the
// shared broker (which every other test uses):
// - block(): sends each client a connection.blocked frame (class 10, method
//   60, with a reason) and stops passing on what the client sends, as
//   RabbitMQ stops reading a blocked connection's socket. Heartbeats still go
//   through: RabbitMQ pauses its heartbeat monitor for a blocked connection,
//   and the real broker behind this proxy must not time the client out.
// - unblock(): passes on everything held back, in order, then sends
//   connection.unblocked (method 61), as RabbitMQ does once the alarm clears.
// The proxy speaks AMQP 0-9-1 framing (type, channel, size, payload, 0xCE)
// only to cut the streams at frame boundaries and to count basic.publish
// frames written to it; it changes nothing else.
import { connect, createServer, type Server, type Socket } from 'node:net';

const PROTOCOL_HEADER_BYTES = 8;
const FRAME_METHOD = 1;
const FRAME_HEARTBEAT = 8;
const FRAME_END = 0xce;
const CLASS_CONNECTION = 10;
const CONNECTION_BLOCKED = 60;
const CONNECTION_UNBLOCKED = 61;
const CLASS_BASIC = 60;
const BASIC_PUBLISH = 40;

/** Splits a byte stream into whole AMQP frames (after `skip` leading bytes passed through as they are). */
class FrameReader {
  #buffer = Buffer.alloc(0);
  #skip: number;

  constructor(skip: number) {
    this.#skip = skip;
  }

  /** Whole frames (and the leading bytes) completed by `chunk`. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const out: Buffer[] = [];
    if (this.#skip > 0) {
      if (this.#buffer.length < this.#skip) return out;
      out.push(this.#buffer.subarray(0, this.#skip));
      this.#buffer = this.#buffer.subarray(this.#skip);
      this.#skip = 0;
    }
    while (this.#buffer.length >= 7) {
      const size = this.#buffer.readUInt32BE(3);
      if (this.#buffer.length < 8 + size) break;
      out.push(this.#buffer.subarray(0, 8 + size));
      this.#buffer = this.#buffer.subarray(8 + size);
    }
    return out;
  }
}

function methodFrame(classId: number, methodId: number, args: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from([classId >> 8, classId & 0xff, methodId >> 8, methodId & 0xff]), args]);
  const header = Buffer.alloc(7);
  header.writeUInt8(FRAME_METHOD, 0);
  header.writeUInt16BE(0, 1);
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([FRAME_END])]);
}

function isPublish(frame: Buffer): boolean {
  return frame.length >= 11 && frame[0] === FRAME_METHOD && frame.readUInt16BE(7) === CLASS_BASIC && frame.readUInt16BE(9) === BASIC_PUBLISH;
}

interface ProxyState {
  blocked: boolean;
  publishes: number;
  heldPublishes: number;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  held: Buffer[];
}

export class BlockingAmqpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #pairs: Set<Pair>;
  readonly #state: ProxyState;

  private constructor(port: number, server: Server, pairs: Set<Pair>, state: ProxyState) {
    this.port = port;
    this.#server = server;
    this.#pairs = pairs;
    this.#state = state;
  }

  static async listen(targetPort: number): Promise<BlockingAmqpProxy> {
    const pairs = new Set<Pair>();
    const state: ProxyState = { blocked: false, publishes: 0, heldPublishes: 0 };
    const server = createServer((client) => {
      const upstream = connect({ port: targetPort, host: '127.0.0.1' });
      const pair: Pair = { client, upstream, held: [] };
      pairs.add(pair);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      const fromClient = new FrameReader(PROTOCOL_HEADER_BYTES);
      const fromBroker = new FrameReader(0);
      client.on('data', (chunk: Buffer) => {
        for (const frame of fromClient.push(chunk)) {
          if (isPublish(frame)) state.publishes++;
          if (state.blocked && frame[0] !== FRAME_HEARTBEAT) {
            if (isPublish(frame)) state.heldPublishes++;
            pair.held.push(frame);
          } else upstream.write(frame);
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        for (const frame of fromBroker.push(chunk)) client.write(frame);
      });
      client.on('close', () => {
        upstream.destroy();
        pairs.delete(pair);
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new BlockingAmqpProxy((server.address() as { port: number }).port, server, pairs, state);
  }

  /** basic.publish frames clients sent so far (passed on or held). */
  get publishes(): number {
    return this.#state.publishes;
  }

  /** basic.publish frames held back while blocked (what the broker would read only after the alarm). */
  get heldPublishes(): number {
    return this.#state.heldPublishes;
  }

  /** Bytes held back while blocked: what a client wrote that the broker has not read. */
  get heldBytes(): number {
    let n = 0;
    for (const pair of this.#pairs) for (const frame of pair.held) n += frame.length;
    return n;
  }

  block(reason = 'low on memory'): void {
    this.#state.blocked = true;
    const text = Buffer.from(reason);
    const frame = methodFrame(CLASS_CONNECTION, CONNECTION_BLOCKED, Buffer.concat([Buffer.from([text.length]), text]));
    for (const { client } of this.#pairs) client.write(frame);
  }

  unblock(): void {
    this.#state.blocked = false;
    for (const pair of this.#pairs) {
      for (const frame of pair.held.splice(0)) pair.upstream.write(frame);
      pair.client.write(methodFrame(CLASS_CONNECTION, CONNECTION_UNBLOCKED, Buffer.alloc(0)));
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const { client } of this.#pairs) client.destroy();
    await closed;
  }
}
