// One real sandbox (child process, worker pool, isolates) shared by a test
// file, with helpers to load fixture plugins into it and run events.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { loadPlugin } from '../../src/manifest/load-plugin.ts';
import type { LateRestart, PluginRuntimeSpec, RestartCause, RunResult } from '../../src/sandbox/protocol.ts';
import { SandboxPool, type SandboxPoolOptions } from '../../src/sandbox/sandbox-pool.ts';
import { MemoryKv } from '../../src/testing/memory-kv.ts';
import { writePlugin, type FixturePlugin } from '../fixtures/write-plugin.ts';

export const GRANTS = ['kv', 'emit:test.out', 'http:127.0.0.1:9', 'secrets:TOKEN'];
export const SECRETS = { TOKEN: 's3cret', ROOT_PASSWORD: 'hunter2' };

export class SandboxFixture {
  readonly kv = new MemoryKv();
  pool!: SandboxPool;
  dir!: string;

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'plexus-sandbox-test-'));
    this.pool = await SandboxPool.start({ threads: 2, kv: (_p, op, args) => this.kv.apply(op, args) });
  }

  async stop(): Promise<void> {
    await this.pool.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  async spec(fixture: FixturePlugin, grants = GRANTS, ceiling = { memoryMb: 512, timeoutMs: 30_000 }): Promise<PluginRuntimeSpec> {
    const root = await writePlugin(fixture, this.dir);
    return (await loadPlugin(root, { grants, secrets: SECRETS, ceiling })).spec;
  }

  /** A fresh marker path an escaped plugin would create. */
  marker(): string {
    return join(this.dir, `escaped-${randomUUID()}`);
  }

  escaped(marker: string): boolean {
    return existsSync(marker);
  }

  run(spec: PluginRuntimeSpec, data: Record<string, unknown> = {}): Promise<RunResult> {
    return this.pool.run(spec, [{ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.event', data }]);
  }
}

/**
 * One worker whose kv answers each call after the delay its key names
 * (`d:<ms>`), with nothing stored: for tests of what runs while a batch waits.
 * Started before the file's tests and closed after them.
 */
export function slowKvPool(): { readonly pool: SandboxPool; readonly dir: string; lateCauses(key: string): RestartCause[] } {
  let started: { pool: SandboxPool; dir: string } | undefined;
  // Instances replaced after their batch returned arrive on their own (onLateRestart), not in a run result.
  const late: LateRestart[] = [];
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plexus-slow-kv-'));
    const pool = await SandboxPool.start({
      threads: 1,
      kv: async (_plugin, _op, args) => {
        await new Promise((resolve) => setTimeout(resolve, Number(String(args[0]).split(':')[1])));
        return null;
      },
      onLateRestart: (restarts) => void late.push(...restarts),
    });
    started = { pool, dir };
  });
  after(async () => {
    await started?.pool.close();
    if (started) await rm(started.dir, { recursive: true, force: true });
  });
  const get = () => {
    if (!started) throw new Error('the slow-kv pool starts in before()');
    return started;
  };
  /** The causes of late restarts reported so far for `key`, taken from the list. */
  const lateCauses = (key: string): RestartCause[] => {
    const mine = late.filter((r) => r.key === key);
    late.splice(0, late.length, ...late.filter((r) => r.key !== key));
    return mine.map((r) => r.cause);
  };
  return { get pool() { return get().pool; }, get dir() { return get().dir; }, lateCauses };
}

/**
 * A pool, an HTTP server on 127.0.0.1 for its plugins to fetch from and a
 * scratch dir (named after `dirPrefix`), started before the file's tests and
 * closed after them. `host` is the server's host:port, as a grant names it.
 */
export function poolWithServer(dirPrefix: string, options: SandboxPoolOptions, onRequest: RequestListener): { readonly pool: SandboxPool; readonly dir: string; readonly host: string } {
  let started: { pool: SandboxPool; dir: string; server: Server; host: string } | undefined;
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), dirPrefix));
    const pool = await SandboxPool.start(options);
    const server = createServer(onRequest);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    started = { pool, dir, server, host: `127.0.0.1:${(server.address() as { port: number }).port}` };
  });
  after(async () => {
    if (!started) return;
    await started.pool.close();
    // Connections a test left open (held or never-ending answers) would keep the server up.
    started.server.closeAllConnections();
    started.server.close();
    await rm(started.dir, { recursive: true, force: true });
  });
  const get = () => {
    if (!started) throw new Error('the pool and its server start in before()');
    return started;
  };
  return { get pool() { return get().pool; }, get dir() { return get().dir; }, get host() { return get().host; } };
}

export const testEvent = (data: unknown) => ({ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.event', data });
