// Runs INSIDE each plugin isolate. isolate-source.ts serializes this function
// with Function.prototype.toString() (types are already stripped to
// whitespace), so it must not close over anything from this module except
// hardenRealm (realm-hardening.ts) and isolateCapabilities
// (isolate-capabilities.ts), which the prelude defines under the same names.
//
// Safety model: the host functions arrive as ivm References and stay in
// closures; plugin code only ever sees plain isolate functions and copies.
// Anything the plugin does in here (monkey-patching JSON, Promise, prototypes)
// can only falsify its OWN results, which the host re-validates.
import { isolateCapabilities } from './isolate-capabilities.ts';
import type { BootSetup, HostFunction } from './isolate-setup.ts';
import { hardenRealm } from './realm-hardening.ts';

export interface Runner {
  /** null once loaded, else why the definition is not one. */
  load(definition: unknown): string | null;
  /** Runs a batch; `token` names it for collect. */
  runBatch(eventsJson: string, token: number): Promise<string>;
  /** Starts runBatch; if it settles before the calling (sync) call returns, takeBatch(token) answers its JSON. */
  startBatch(eventsJson: string, token: number): void;
  /** The JSON of batch `token` if it settled, else null (then awaitBatch). */
  takeBatch(token: number): string | null;
  /** The pending batch `token`, to await across an async call. */
  awaitBatch(token: number): Promise<string>;
  runHook(name: 'init' | 'cleanup'): Promise<string>;
  /** What batch `token` has settled so far (after its time limit): null results when it is unknown. */
  collect(token: number): string;
  takeInstanceLogs(): string;
}

export function isolateBootstrap(
  kvHost: HostFunction<[string, string], string | number>,
  fetchHost: HostFunction<[string], string | number>,
  deniedHost: HostFunction<[string, string], void>,
  setupJson: string,
  takeAnswerHost: HostFunction<[number], string>,
): Runner {
  'use strict';
  // Captured before plugin code runs, so a plugin replacing them later cannot
  // change how the runner reads its own setup.
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const freeze = Object.freeze;
  const now = Date.now;
  const PERMANENT = Symbol.for('plexus.permanent');
  const setup: BootSetup = jsonParse(setupJson);
  const caps = setup.caps;
  const limits = setup.limits;

  hardenRealm();

  type Level = 'debug' | 'info' | 'warn' | 'error';
  interface Rec { logs: { level: Level; message: string; fields?: unknown; time: number }[]; dropped: number; emitted: { type: string; data?: string; partitionkey?: string }[] }
  const newRec = (): Rec => ({ logs: [], dropped: 0, emitted: [] });

  function plainFields(fields: unknown): unknown {
    if (fields === undefined) return undefined;
    try {
      return jsonParse(jsonStringify(fields));
    } catch {
      return { unserializable: true };
    }
  }
  function pushLog(rec: Rec, level: Level, message: unknown, fields?: unknown): void {
    if (rec.logs.length >= limits.maxLogsPerCall) {
      rec.dropped++;
      return;
    }
    rec.logs.push({ level, message: String(message).slice(0, 8192), fields: plainFields(fields), time: now() });
  }
  function makeLog(rec: Rec) {
    return freeze({
      debug: (m: unknown, f?: unknown) => pushLog(rec, 'debug', m, f),
      info: (m: unknown, f?: unknown) => pushLog(rec, 'info', m, f),
      warn: (m: unknown, f?: unknown) => pushLog(rec, 'warn', m, f),
      error: (m: unknown, f?: unknown) => pushLog(rec, 'error', m, f),
    });
  }

  // console.* outside a ctx lands in the instance log, flushed with the next result.
  let instanceRec = newRec();
  const consoleLog = (level: Level) => (...args: unknown[]) => pushLog(instanceRec, level, args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' '));
  function safeJson(v: unknown): string {
    try {
      return jsonStringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  }
  (globalThis as Record<string, unknown>).console = freeze({ log: consoleLog('info'), info: consoleLog('info'), debug: consoleLog('debug'), warn: consoleLog('warn'), error: consoleLog('error') });

  const { kv, fetch, secrets, makeEmit } = isolateCapabilities(kvHost, fetchHost, deniedHost, takeAnswerHost, setup);

  const pluginInfo = freeze({ name: setup.plugin.name, version: setup.plugin.version });
  const config = deepFreeze(jsonParse(setup.configJson));
  function deepFreeze<T>(v: T): T {
    if (typeof v === 'object' && v !== null) {
      for (const inner of Object.values(v)) deepFreeze(inner);
      freeze(v);
    }
    return v;
  }
  function makeCtx(rec: Rec) {
    const ctx: Record<string, unknown> = { plugin: pluginInfo, config, log: makeLog(rec) };
    if (caps.kv) ctx.kv = kv;
    if (caps.emit !== null) ctx.emit = makeEmit(rec);
    if (caps.http.length > 0) ctx.fetch = fetch;
    if (caps.secrets.length > 0) ctx.secrets = secrets;
    return freeze(ctx);
  }

  function errorData(err: unknown) {
    try {
      if (typeof err === 'object' && err !== null) {
        const e = err as Record<string | symbol, unknown>;
        const code = typeof e.code === 'string' ? e.code.slice(0, 100) : undefined;
        return { name: String(e.name ?? 'Error').slice(0, 100), message: String(e.message ?? '').slice(0, 4096), code, permanent: e[PERMANENT] === true };
      }
      return { name: 'Error', message: String(err).slice(0, 4096), permanent: false };
    } catch {
      return { name: 'Error', message: 'the plugin threw an unprintable value', permanent: false };
    }
  }
  const CLEAN = 1; // CLEAN_OUTCOME in outcome-check.ts (this function cannot import it: it runs as source text)
  const done = (rec: Rec) => ({ ok: true, emitted: rec.emitted, logs: rec.logs, droppedLogs: rec.dropped });
  const failed = (rec: Rec, err: unknown) => ({ ok: false, error: errorData(err), emitted: [], logs: rec.logs, droppedLogs: rec.dropped });

  interface Definition { init?: (ctx: unknown) => unknown; execute: (event: unknown, ctx: unknown) => unknown; cleanup?: (ctx: unknown) => unknown }
  let plugin: Definition | undefined;
  // Each running batch's results so far, by token: batches of one instance
  // run at the same time (while one waits on kv or fetch), and a batch that
  // timed out must get back its own results, never another's.
  const pending = new Map<number, unknown[]>();
  // Batches started by startBatch: their JSON once settled, else their promise.
  // A Map captured before plugin code ran; the plugin cannot reach it.
  const started = new Map<number, string | Promise<string>>();

  async function runOne(event: unknown, i: number, results: unknown[]): Promise<void> {
    const rec = newRec();
    try {
      await (plugin as Definition).execute(event, makeCtx(rec));
      // Nearly every outcome: nothing emitted or logged. CLEAN (a bare 1) spares building, writing and reading back an object for it.
      results[i] = rec.emitted.length === 0 && rec.logs.length === 0 && rec.dropped === 0 ? CLEAN : done(rec);
    } catch (err) {
      results[i] = failed(rec, err);
    }
  }

  const runner: Runner = freeze({
    load(definition: unknown): string | null {
      const def = definition as Definition | undefined;
      // Answered, not thrown: an error copied out of the isolate runs plugin code (runner-guard.ts).
      if (typeof def !== 'object' || def === null || typeof def.execute !== 'function') {
        return 'the module\'s default export is not a plugin definition: export default definePlugin({ execute(event, ctx) { ... } })';
      }
      plugin = def;
      return null;
    },
    async runBatch(eventsJson: string, token: number): Promise<string> {
      const events = jsonParse(eventsJson) as unknown[];
      const results: unknown[] = new Array(events.length).fill(null);
      pending.set(token, results);
      const runs: Promise<void>[] = [];
      for (let i = 0; i < events.length; i++) runs.push(runOne(events[i], i, results));
      for (const run of runs) await run;
      pending.delete(token);
      const instanceLogs = instanceRec.logs;
      instanceRec = newRec();
      return jsonStringify({ results, instanceLogs });
    },
    startBatch(eventsJson: string, token: number): void {
      const run = runner.runBatch(eventsJson, token);
      // await, not run.then(): a plugin may have replaced Promise.prototype.then.
      // Handled before anything else can throw, and never left rejected:
      // isolated-vm throws an unhandled rejection's value out of the call,
      // reading it with no time limit (runner-guard.ts).
      void (async () => {
        try {
          const json = await run;
          if (started.get(token) === run) started.set(token, json);
        } catch {
          // awaitBatch awaits run again and answers the broken runner.
        }
      })();
      started.set(token, run);
    },
    takeBatch(token: number): string | null {
      const entry = started.get(token);
      if (typeof entry !== 'string') return null;
      started.delete(token);
      return entry;
    },
    async awaitBatch(token: number): Promise<string> {
      const entry = started.get(token);
      started.delete(token);
      // Unknown token: answer a malformed batch, which the host treats as a crashed runner.
      return entry === undefined ? jsonStringify({ results: null, instanceLogs: [] }) : await entry;
    },
    async runHook(name: 'init' | 'cleanup'): Promise<string> {
      const rec = newRec();
      const hook = plugin?.[name];
      if (typeof hook !== 'function') return jsonStringify(done(rec));
      try {
        await hook.call(plugin, makeCtx(rec));
        return jsonStringify(done(rec));
      } catch (err) {
        return jsonStringify(failed(rec, err));
      }
    },
    collect(token: number): string {
      return jsonStringify({ results: pending.get(token) ?? null, instanceLogs: [] });
    },
    takeInstanceLogs(): string {
      const rec = instanceRec;
      instanceRec = newRec();
      return jsonStringify(rec.logs);
    },
  });
  return runner;
}
