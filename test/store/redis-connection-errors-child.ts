// Child of redis-store-connection-errors-reach-the-log-rate-limited.test.ts: a
// Redis store behind a TCP proxy that the child stops and restarts, so what
// ioredis would print to this process's stderr can be seen by the parent.
// Prints one JSON line: the store's log lines and whether it recovered.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisStore } from '../../src/store/redis-store.ts';
import { TcpProxy } from '../brokers/tcp-proxy.ts';
import { REDIS_URL } from './redis-reachable.ts';

const OUTAGE_MS = Number(process.argv[2] ?? 2500);
const lines: { level: string; fields: object; message: string }[] = [];
const record = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
const log = { info: record('info'), warn: record('warn'), error: record('error') };

const redisPort = Number(new URL(REDIS_URL).port || 6379);
let proxy = await TcpProxy.listen(0, redisPort);
const port = proxy.port;
const store = await RedisStore.connect({ url: `redis://127.0.0.1:${port}`, prefix: `plexus-test:${randomUUID()}:`, log });
const now = Date.now();
await store.kvSet('ns', 'k', 'before', null, now);

await proxy.close();
await sleep(OUTAGE_MS);
proxy = await TcpProxy.listen(port, redisPort);

let recovered = false;
for (let i = 0; i < 100 && !recovered; i++) {
  try {
    recovered = (await store.kvGet('ns', 'k', Date.now())) === 'before';
  } catch {
    await sleep(100);
  }
}
await store.destroyAll();
await store.close();
await proxy.close();
process.stdout.write(`${JSON.stringify({ lines, recovered })}\n`);
