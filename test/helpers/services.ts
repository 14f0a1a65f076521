// Tests use the real brokers. In CI (CI=true) an unreachable one fails the
// test; elsewhere the test skips and says what to start.
import { connect } from 'node:net';
import type { TestContext } from 'node:test';

function reachable(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const redisAvailable = () => reachable(6379);
export const rabbitAvailable = () => reachable(5672);

const START = {
  redis: 'start Redis: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  rabbitmq: 'start RabbitMQ: rabbitmq-server -detached && rabbitmqctl await_startup',
};

/** True when the service answers; otherwise fails (CI) or skips (elsewhere) the test and answers false. */
export async function requireService(t: TestContext, service: keyof typeof START): Promise<boolean> {
  const up = service === 'redis' ? await redisAvailable() : await rabbitAvailable();
  if (up) return true;
  if (process.env.CI === 'true') throw new Error(`${service} is not reachable on 127.0.0.1 (${START[service]})`);
  t.skip(START[service]);
  return false;
}
