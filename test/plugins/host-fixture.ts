// A real Host (SQLite store, sandbox process) on a temp state dir, with a
// recording logger: plugins log "served" with the event id and the version
// that served it, so a test can count who served what.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHostConfig } from '../../src/config/host-config.ts';
import { Host } from '../../src/host/host.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

export interface HostFixture {
  host: Host;
  logger: RecordingLogger;
  stateDir: string;
  /** Temp folder for packages the test writes. */
  work: string;
  /** (event id, version) of every "served" log line so far. */
  served(): { id: string; version: string }[];
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHostFixture(): Promise<HostFixture> {
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-plugins-state-'));
  const work = await mkdtemp(join(tmpdir(), 'plexus-plugins-work-'));
  const logger = new RecordingLogger();
  const config = { ...defaultHostConfig(stateDir), sandbox: { ...defaultHostConfig().sandbox, threads: 1, idleMs: 60_000 } };
  const fixture: HostFixture = {
    host: await Host.start(config, { logger }),
    logger,
    stateDir,
    work,
    served: () => logger.lines.filter((l) => l.message === 'served').map((l) => {
      const fields = l.fields as { id: string; served: string };
      return { id: fields.id, version: fields.served };
    }),
    async restart() {
      await fixture.host.stop();
      fixture.host = await Host.start(config, { logger });
    },
    async close() {
      await fixture.host.stop();
      await rm(stateDir, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Polls until `done` holds (generous: the machine is shared). */
export async function eventually(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface EventStream {
  /** Ids accepted so far, in order, with when accept was called and when it resolved. */
  readonly accepted: { id: string; startedAt: number; at: number }[];
  stop(): Promise<void>;
}

/** Accepts one event every `everyMs` until stopped; an accept that fails fails the test at stop(). */
export function streamEvents(fixture: HostFixture, accept: (id: string) => Promise<unknown>, everyMs = 5): EventStream {
  const accepted: { id: string; startedAt: number; at: number }[] = [];
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const id = `e${++n}`;
      const startedAt = Date.now();
      await accept(id);
      accepted.push({ id, startedAt, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    accepted,
    async stop() {
      running = false;
      await loop;
    },
  };
}
