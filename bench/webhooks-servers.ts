// bench:webhooks' servers, each in a child process of its own so that
// autocannon (in the parent) never shares an event loop with the server it
// measures. `bare`: fastify, the same HMAC check, JSON.parse, 202. `plexus`:
// a real host (SQLite store, sandbox, one trivial plugin consuming every
// event) behind the webhook listener, answering 202 once durable.
// IPC: child → {url}; parent → 'cpu'; child → {cpuUs} (this process's CPU so
// far, every thread: for Plexus the host's loop, its V8 helpers and SQLite's
// checkpointer, not the sandbox process); parent → 'drain'; child →
// DrainReport; parent disconnects → child exits.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { defaultHostConfig } from '../src/config/host-config.ts';
import { Host } from '../src/host/host.ts';
import { startWebhookServer } from '../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources } from '../src/ingress/webhook/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import { writePluginState } from '../src/plugins/plugin-state.ts';
import { writeBenchPlugin } from './sandbox-throughput.ts';

export interface DrainReport {
  /** Events durably accepted (202 sent, or in flight when the load stopped). */
  accepted: number;
  /** Events the plugin executed (the host's plexus_plugin_executions_total). */
  processed: number;
  /** Deliveries not yet done, and dead-lettered ones: both must be 0. */
  pending: number;
  dlq: number;
}

const [role = '', secret = ''] = process.argv.slice(2);
const send = (message: unknown) => process.send?.(message);

process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  send({ cpuUs: user + system });
});

if (role === 'bare') await bare();
else if (role === 'plexus') await plexus();
else throw new Error(`usage: webhooks-servers.ts bare|plexus <secret> (got ${role})`);

async function bare(): Promise<void> {
  // A KeyObject, as Plexus's sources hold: both sides get the cheap HMAC path.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/hooks/bench', async (request, reply) => {
    const body = request.body as Buffer;
    const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? '').replace(/^sha256=/, ''), 'hex');
    const expected = createHmac('sha256', key).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.status(401).send({ error: { code: 'PLEXUS_BAD_SIGNATURE', message: 'bad signature' } });
    const parsed = JSON.parse(body.toString('utf8')) as { ref?: string };
    return reply.status(202).send({ id: `${request.headers['x-github-delivery']}:${parsed.ref === undefined ? 0 : 1}` });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  send({ url: `http://127.0.0.1:${port}` });
  process.on('disconnect', () => void app.close());
}

async function plexus(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-bench-webhooks-'));
  const root = await writeBenchPlugin(dir, 'bench-consumer', "import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(e) { return typeof e.data.ref === 'string'; } });");
  await writePluginState(join(dir, 'plugins.json'), { version: 1, plugins: [{ name: 'bench-consumer', version: '1.0.0', root, enabled: true, grants: [], config: {} }] });
  const logger = createLogger({ level: 'warn' });
  const host = await Host.start(defaultHostConfig(dir), { logger });
  if (host.plugins.length !== 1) throw new Error('the bench plugin did not load');
  let accepted = 0;
  // Accepted is counted at the host's door, once durable. Processed is read
  // from the host's own metrics, not from a settle callback: a caller that
  // awaits outcomes is a broker waiting to ack, whose deliveries the host
  // never holds back to batch them (src/delivery/linger.ts), and webhook
  // deliveries are not that. No delivery pending at the end shows every
  // outcome durable.
  const counting: Pick<Host, 'accept'> = {
    accept: async (events, onSettled, claims, maxWaitMs) => {
      const result = await host.accept(events, onSettled, claims, maxWaitMs);
      accepted += events.length;
      return result;
    },
  };
  const processed = async () => (await host.metrics.executions.get()).values.reduce((sum, v) => sum + v.value, 0);
  const pending = async () => Object.values(await host.store.depth()).reduce((a, b) => a + b, 0);
  const sources = parseWebhookSources(
    { bench: { signature: { scheme: 'github', secrets: [secret] }, type: { from: 'header', header: 'X-GitHub-Event', prefix: 'bench.' } } },
    { env: {} },
  );
  const server = await startWebhookServer({ host: counting, sources, logger, listen: { host: '127.0.0.1', port: 0 } });
  send({ url: server.url });
  process.on('message', (message) => {
    if (message !== 'drain') return;
    void (async () => {
      const deadline = Date.now() + 120_000;
      while (((await processed()) < accepted || (await pending()) > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      send({ accepted, processed: await processed(), pending: await pending(), dlq: await host.store.countDlq({}) } satisfies DrainReport);
    })();
  });
  process.on('disconnect', () => {
    void (async () => {
      await server.close();
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    })();
  });
}
