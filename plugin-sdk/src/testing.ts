// @plexus/plugin-sdk/testing: run a plugin in the real sandbox (the same child
// process, worker pool and isolate the host uses) with recorded capabilities:
// an in-memory kv, emitted events and logs captured per delivery (CONTRACT §10).
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FetchRequestData, FetchResponseData } from './capabilities/fetch.ts';
import { PlexusError, type ErrorData } from './errors.ts';
import { toEmittedEvents } from './emitted-events.ts';
import { loadPlugin, type LoadPluginOptions } from './manifest/load-plugin.ts';
import { isPermanentFailure } from './sandbox/failure-class.ts';
import type { CleanupReport, Denial, PluginRuntimeSpec } from './sandbox/protocol.ts';
import { SandboxPool } from './sandbox/sandbox-pool.ts';
import { MemoryKv } from './testing/memory-kv.ts';
import { isValidEventType, matchesAny } from './topics.ts';
import type { DeliveryOutcome, LogRecord, PlexusEvent, PluginPackageJson } from './types.ts';

/** A test's stand-in for the network: answers ctx.fetch calls that passed the checks the real fetch makes before sending. */
export type TestFetch = (request: FetchRequestData) => Partial<FetchResponseData> & { status: number } | Promise<Partial<FetchResponseData> & { status: number }>;

export interface TestHostOptions extends Omit<LoadPluginOptions, 'grants'> {
  /** Path of the plugin package (the folder with its package.json). */
  plugin: string;
  grants?: readonly string[];
  /**
   * Answer ctx.fetch here instead of the network. The host's request checks
   * still run first, with its error codes (the grant, URL form and length,
   * method, headers, body type and size): a request the host would refuse
   * never reaches this function, which gets the request as the plugin wrote
   * it. Without it, fetch goes to the real network.
   */
  fetch?: TestFetch;
}

export interface TestHost {
  readonly manifest: PluginPackageJson;
  readonly spec: PluginRuntimeSpec;
  /** The plugin's kv namespace, readable and writable by the test. */
  readonly kv: MemoryKv;
  /** Capability denials recorded so far. */
  readonly denials: readonly Denial[];
  /** Logs of init, cleanup and console.* outside a hook. */
  readonly instanceLogs: readonly LogRecord[];
  /** Requests that reached the `fetch` option, in order. */
  readonly fetches: readonly FetchRequestData[];
  deliver(event: Partial<PlexusEvent> & { type: string }): Promise<DeliveryOutcome>;
  deliverMany(events: (Partial<PlexusEvent> & { type: string })[]): Promise<DeliveryOutcome[]>;
  /** Runs `cleanup` and stops the sandbox; returns the cleanup outcome. */
  close(): Promise<DeliveryOutcome>;
}

export async function createTestHost(options: TestHostOptions): Promise<TestHost> {
  const root = resolve(options.plugin);
  const { pkg, spec } = await loadPlugin(root, options);
  await assertBuilt(root, pkg);
  const kv = new MemoryKv();
  const denials: Denial[] = [];
  const instanceLogs: LogRecord[] = [];
  const fetches: FetchRequestData[] = [];
  const answer = options.fetch;
  const pool = await SandboxPool.start({
    threads: 1,
    kv: (_plugin, op, args) => kv.apply(op, args),
    ...(answer === undefined ? {} : {
      fetch: async (_plugin: string, request: FetchRequestData) => {
        fetches.push(request);
        const res = await answer(request);
        return { url: res.url ?? request.url, status: res.status, statusText: res.statusText ?? '', headers: res.headers ?? [], body: res.body ?? '' };
      },
    }),
  });
  let closed = false;

  const fill = (partial: Partial<PlexusEvent> & { type: string }): PlexusEvent => {
    // As every host ingress refuses it: a "#" pattern matches even "a..b" or "", which no host ever delivers.
    if (!isValidEventType(partial.type)) {
      throw new PlexusError('PLEXUS_INVALID_EVENT', `${JSON.stringify(partial.type)} is not a valid event type (dot-separated words of letters, digits, _ - :; at most 255 characters)`);
    }
    if (!matchesAny(pkg.plexus.subscribe, partial.type)) {
      throw new PlexusError('PLEXUS_INVALID_EVENT', `${pkg.name} does not subscribe to "${partial.type}" (subscribe: ${pkg.plexus.subscribe.join(', ')})`);
    }
    return { specversion: '1.0', id: randomUUID(), source: 'test', time: new Date().toISOString(), datacontenttype: 'application/json', priority: 4, ...partial };
  };

  const deliverMany = async (partials: (Partial<PlexusEvent> & { type: string })[]): Promise<DeliveryOutcome[]> => {
    if (closed) throw new PlexusError('PLEXUS_UNAVAILABLE', 'the test host is closed');
    const events = partials.map(fill);
    const result = await pool.run(spec, events);
    denials.push(...result.denials);
    instanceLogs.push(...result.instanceLogs);
    return result.outcomes.map((outcome, i) =>
      outcome.ok
        ? { status: 'ok', emitted: toEmittedEvents(outcome.emitted, events[i], pkg), logs: outcome.logs }
        : { status: isPermanentFailure(outcome.error) ? 'dead' : 'retry', error: publicError(outcome.error), emitted: [], logs: outcome.logs },
    );
  };

  return {
    manifest: pkg,
    spec,
    kv,
    denials,
    instanceLogs,
    fetches,
    deliverMany,
    deliver: async (event) => (await deliverMany([event]))[0] as DeliveryOutcome,
    async close() {
      if (closed) return { status: 'ok', emitted: [], logs: [] };
      closed = true;
      const reports: CleanupReport[] = await pool.close();
      const failed = reports.find((r) => !r.outcome.ok);
      const logs = reports.flatMap((r) => r.outcome.logs);
      if (failed && !failed.outcome.ok) return { status: 'retry', error: publicError(failed.outcome.error), emitted: [], logs };
      return { status: 'ok', emitted: [], logs };
    },
  };
}

/**
 * No host runs a package without its plexus.main (the registry refuses it at publish). Without this, a test run
 * that skipped the build (node --test alone, an editor's runner) saw every delivery come back 'retry'.
 */
async function assertBuilt(root: string, pkg: PluginPackageJson): Promise<void> {
  try {
    await access(join(root, pkg.plexus.main));
  } catch {
    throw new PlexusError('PLEXUS_PLUGIN_LOAD_FAILED', `${pkg.name}: plexus.main ${pkg.plexus.main} does not exist in ${root}: build it first (plexus-plugin build; plexus-plugin test builds before it runs the tests)`);
  }
}

function publicError(error: ErrorData): { code: string; message: string } {
  return { code: error.code ?? 'PLEXUS_PLUGIN_ERROR', message: error.message };
}
