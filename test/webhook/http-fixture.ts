// A real host (SQLite store in a temp dir, real sandbox) with one installed
// plugin that records in its kv every event it receives, and the webhook
// listener on a free loopback port in front of it. What the plugin recorded
// is read back from the host's store: proof of what reached a plugin.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '@plexus/plugin-sdk';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { startWebhookServer, type WebhookServer } from '../../src/ingress/webhook/http/webhook-server.ts';
import { parseWebhookSources, type WebhookSourcesConfig } from '../../src/ingress/webhook/index.ts';
import { writePluginState } from '../../src/plugins/plugin-state.ts';
import { writePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

export const RECORDER = '@fixtures/webhook-recorder';

// Records the envelope fields a plugin sees, then counts: the count proves nothing else arrived.
const RECORDER_SOURCE = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  await ctx.kv.set('event:' + event.id, { id: event.id, source: event.source, type: event.type, priority: event.priority, data: event.data ?? null });
  await ctx.kv.incr('received', 1);
} });`;

export interface Recorded {
  id: string;
  source: string;
  type: string;
  priority: number;
  data: JsonValue;
}

export interface Answer {
  status: number;
  body: { id?: string; error?: { code: string; message: string } };
  headers: Headers;
}

export async function readAnswer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Answer['body']), headers: response.headers };
}

export class WebhookFixture {
  readonly logger = new RecordingLogger();
  #dir = '';
  host!: Host;
  server!: WebhookServer;

  static async start(sources: WebhookSourcesConfig, env: Record<string, string> = {}): Promise<WebhookFixture> {
    const fixture = new WebhookFixture();
    fixture.#dir = await mkdtemp(join(tmpdir(), 'plexus-webhook-'));
    const root = await writePlugin({ name: 'webhook-recorder', subscribe: ['#'], capabilities: { kv: true }, source: RECORDER_SOURCE }, fixture.#dir);
    await writePluginState(join(fixture.#dir, 'plugins.json'), { version: 1, plugins: [{ name: RECORDER, version: '1.0.0', root, enabled: true, grants: ['kv'], config: {} }] });
    const config = { ...defaultHostConfig(fixture.#dir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } };
    fixture.host = await Host.start(config, { logger: fixture.logger });
    assert.deepEqual(fixture.host.failedPlugins, [], 'the recorder plugin loads');
    fixture.server = await startWebhookServer({
      host: fixture.host,
      sources: parseWebhookSources(sources, { env }),
      logger: fixture.logger,
      listen: { host: '127.0.0.1', port: 0 },
      metrics: fixture.host.metrics,
    });
    return fixture;
  }

  async post(source: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    return readAnswer(await fetch(`${this.server.url}/hooks/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
  }

  /** What the plugin recorded for event `id`, once it has run. */
  async recorded(id: string, timeoutMs = 20_000): Promise<Recorded> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.host.store.kvGet(RECORDER, `event:${id}`, Date.now());
      if (text !== null) return JSON.parse(text) as Recorded;
      if (Date.now() > deadline) throw new Error(`the plugin did not receive event ${id} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** How many events the plugin has received so far. */
  async received(): Promise<number> {
    const text = await this.host.store.kvGet(RECORDER, 'received', Date.now());
    return text === null ? 0 : Number(text);
  }

  /** Waits until nothing is left to deliver, so `received` is final. */
  async settled(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Object.values(await this.host.store.depth()).some((n) => n > 0)) {
      if (Date.now() > deadline) throw new Error('deliveries still pending');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    await this.server?.close();
    await this.host?.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
