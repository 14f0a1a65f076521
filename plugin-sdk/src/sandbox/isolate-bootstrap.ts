// Runs INSIDE each plugin isolate. isolate-source.ts serializes this function
// with Function.prototype.toString() (types are already stripped to
// whitespace), so it must not close over anything from this module except the
// topic matchers and chargeIntlToHeap, which the prelude defines under the
// same names.
//
// Safety model: the three host functions arrive as ivm References and stay in
// this closure; plugin code only ever sees plain isolate functions and copies.
// Anything the plugin does in here (monkey-patching JSON, Promise, prototypes)
// can only falsify its OWN results, which the host re-validates.
import { matchesAny } from '../topics.ts';
import { chargeIntlToHeap } from './intl-charge.ts';

/** The subset of ivm.Reference the bootstrap uses. */
export interface HostFunction<Args extends unknown[], Result> {
  apply(receiver: undefined, args: Args, options: object): Promise<Result>;
  applySync(receiver: undefined, args: Args, options: object): Result;
}

export interface BootSetup {
  plugin: { name: string; version: string };
  configJson: string;
  caps: { kv: boolean; emit: { requested: string[]; granted: string[] } | null; http: string[]; secrets: string[] };
  secrets: Record<string, string>;
  limits: { maxEmitBytes: number; maxEmitsPerEvent: number; maxKvValueBytes: number; maxLogsPerCall: number };
}

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
  const hasOwn = Object.hasOwn;
  const now = Date.now;
  const indexOf = String.prototype.indexOf;
  const slice = String.prototype.slice;
  const PERMANENT = Symbol.for('plexus.permanent');
  const setup: BootSetup = jsonParse(setupJson);
  const caps = setup.caps;
  const limits = setup.limits;
  const COPY = { arguments: { copy: true }, result: { promise: true, copy: true } };

  // Nothing here may outlive its budget: no shared memory, no wasm (its memory
  // is not counted against memoryLimit), no blocking waits.
  const g = globalThis as Record<string, unknown>;
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete g[name];
  // isolated-vm settles a host call's promise by resolving it with a second
  // promise holding the answer, which reads that promise's `then`; and
  // `await p` hands p to p.then when p.constructor is not %Promise%. Plugin
  // code that redefined either was handed the runner's own promises and host
  // answers: a long answer's number (answer-handoff.ts), which it could
  // withhold, so the worker held the text for the instance's life, or take
  // in a later batch. Fixed in place, no runner await reaches plugin code.
  for (const name of ['then', 'constructor']) {
    Object.defineProperty(Promise.prototype, name, { value: (Promise.prototype as unknown as Record<string, unknown>)[name], writable: false, configurable: false, enumerable: false });
  }
  // Nor native memory held by Intl objects uncounted (intl-charge.ts).
  chargeIntlToHeap();
  // Resizable ArrayBuffers are not counted against memoryLimit either: with
  // 32 MB, a plugin held gigabytes by growing one (resize, or a transfer to
  // a larger length). Without resize one cannot grow, and transfers of one
  // are refused. The natives stay in this closure and are called through a
  // captured Reflect.apply, so a plugin patching Function.prototype, or the
  // resizable getter, cannot reach or fool them.
  const buffers = ArrayBuffer.prototype as unknown as Record<string, unknown>;
  const reflectApply = Reflect.apply;
  const isResizable = Object.getOwnPropertyDescriptor(buffers, 'resizable')?.get;
  delete buffers.resize;
  for (const name of ['transfer', 'transferToFixedLength']) {
    const native = buffers[name];
    if (typeof native !== 'function') continue;
    Object.defineProperty(buffers, name, {
      configurable: true,
      writable: true,
      value: function transferFixed(this: ArrayBuffer, ...args: unknown[]): unknown {
        if (isResizable !== undefined && reflectApply(isResizable, this, []) === true) throw new RangeError(`ArrayBuffer.prototype.${name} of a resizable buffer is not available to plugins`);
        return reflectApply(native, this, args);
      },
    });
  }

  type Level = 'debug' | 'info' | 'warn' | 'error';
  interface Rec { logs: { level: Level; message: string; fields?: unknown; time: number }[]; dropped: number; emitted: { type: string; data?: string; partitionkey?: string }[] }
  const newRec = (): Rec => ({ logs: [], dropped: 0, emitted: [] });

  function plexusError(code: string, message: string): Error {
    const err = new Error(message) as Error & { code: string };
    err.name = 'PlexusError';
    err.code = code;
    return err;
  }
  function deny(capability: string, target: string, message: string): Error {
    // Sync, so the denial is recorded before the batch's result reaches the
    // worker: a batch run as a sync call returns before an async report would land.
    deniedHost.applySync(undefined, [capability, target], { arguments: { copy: true } });
    return plexusError('PLEXUS_CAPABILITY_DENIED', message);
  }
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
  g.console = freeze({ log: consoleLog('info'), info: consoleLog('info'), debug: consoleLog('debug'), warn: consoleLog('warn'), error: consoleLog('error') });

  // Open calls are counted by the worker as they reach it (host-call-gate.ts),
  // not here: plugin code shares this realm and could rewrite any count.
  async function hostCall(fn: HostFunction<[string, string], string | number> | HostFunction<[string], string | number>, args: string[]): Promise<unknown> {
    return answerValue(jsonParse(answerText(await (fn as HostFunction<string[], string | number>).apply(undefined, args, COPY))));
  }
  // A long answer comes as a number to take it by (answer-handoff.ts): taken
  // with a sync call, whose copy isolated-vm guards against memoryLimit (an
  // answer that does not fit ends this isolate for memory, not the process).
  function answerText(answer: string | number): string {
    return typeof answer === 'number' ? takeAnswerHost.applySync(undefined, [answer], { result: { copy: true } }) : answer;
  }
  function answerValue(reply: { ok: boolean; value?: unknown; error?: { code: unknown; message: unknown } }): unknown {
    if (!reply.ok) throw plexusError(String(reply.error?.code), String(reply.error?.message));
    return reply.value;
  }

  function checkKey(key: unknown): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw new TypeError('kv keys are strings of 1-512 characters');
    return key;
  }
  const kv = freeze({
    async get(key: unknown) {
      const value = await hostCall(kvHost, ['get', jsonStringify([checkKey(key)])]);
      return value === null ? undefined : jsonParse(value as string);
    },
    async set(key: unknown, value: unknown, options?: { ttlMs?: unknown }) {
      const text = jsonStringify(value);
      if (text === undefined) throw new TypeError('kv values must be JSON-serializable');
      if (text.length > limits.maxKvValueBytes) throw plexusError('PLEXUS_PAYLOAD_TOO_LARGE', `kv value of ${text.length} bytes exceeds ${limits.maxKvValueBytes}`);
      const ttl = options?.ttlMs;
      if (ttl !== undefined && (typeof ttl !== 'number' || !(ttl > 0) || ttl === Infinity)) throw new TypeError('ttlMs must be a positive number');
      await hostCall(kvHost, ['set', jsonStringify([checkKey(key), text, ttl ?? null])]);
    },
    async delete(key: unknown) {
      return (await hostCall(kvHost, ['delete', jsonStringify([checkKey(key)])])) === true;
    },
    async incr(key: unknown, by: unknown = 1) {
      if (typeof by !== 'number' || !Number.isFinite(by)) throw new TypeError('incr takes a finite number');
      return (await hostCall(kvHost, ['incr', jsonStringify([checkKey(key), by])])) as number;
    },
  });

  function makeHeaders(entries: [string, string][]) {
    const map = new Map(entries.map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
    return freeze({
      get: (name: string) => map.get(String(name).toLowerCase()) ?? null,
      has: (name: string) => map.has(String(name).toLowerCase()),
      entries: () => [...map.entries()],
    });
  }
  async function fetch(url: unknown, init?: { method?: unknown; headers?: unknown; body?: unknown }) {
    const headers: Record<string, string> = {};
    if (init?.headers !== undefined && init.headers !== null) {
      for (const [k, v] of Object.entries(init.headers as Record<string, unknown>)) headers[String(k)] = String(v);
    }
    const request = { url: String(url), method: init?.method === undefined ? 'GET' : String(init.method), headers, body: init?.body === undefined || init.body === null ? undefined : String(init.body) };
    // A response comes as its JSON metadata, a line break, then the body as
    // is (fetch-bridge.ts: in JSON, a control byte took six characters);
    // everything else (errors, the test harness's answers) as plain JSON,
    // which never holds a raw line break. Natives captured above: a plugin
    // patching String.prototype cannot change how its answers are read.
    const answer = answerText(await fetchHost.apply(undefined, [jsonStringify(request)], COPY));
    const cut = reflectApply(indexOf, answer, ['\n']) as number;
    const res = answerValue(jsonParse(cut < 0 ? answer : (reflectApply(slice, answer, [0, cut]) as string))) as { url: string; status: number; statusText: string; headers: [string, string][]; body: string };
    if (cut >= 0) res.body = reflectApply(slice, answer, [cut + 1]) as string;
    let used = false;
    const take = () => {
      if (used) throw new TypeError('Body has already been consumed');
      used = true;
      return res.body;
    };
    return freeze({
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      statusText: res.statusText,
      url: res.url,
      headers: makeHeaders(res.headers),
      text: async () => take(),
      json: async () => jsonParse(take()),
    });
  }

  const secrets = freeze({
    get(name: unknown): string {
      const key = String(name);
      if (!caps.secrets.includes(key)) throw deny('secrets', key, `secret "${key}" is not granted to this plugin`);
      // Granted, but the host's config has no value for it: the operator must add it there, not grant it again.
      if (!hasOwn(setup.secrets, key)) throw deny('secrets', key, `secret "${key}" is granted, but the host has no value for it (add it under secrets: in the host config)`);
      return setup.secrets[key] as string;
    },
  });

  function makeEmit(rec: Rec) {
    return function emit(type: unknown, data?: unknown, options?: { partitionkey?: unknown }): void {
      const t = String(type);
      if (caps.emit === null || !matchesAny(caps.emit.requested, t) || !matchesAny(caps.emit.granted, t)) throw deny('emit', t, `emitting "${t}" is not granted to this plugin`);
      if (rec.emitted.length >= limits.maxEmitsPerEvent) throw plexusError('PLEXUS_PAYLOAD_TOO_LARGE', `at most ${limits.maxEmitsPerEvent} events may be emitted per call`);
      // A string's JSON is longer than the string: refuse an oversized one before copying it into JSON.
      if (typeof data === 'string' && data.length > limits.maxEmitBytes) throw plexusError('PLEXUS_PAYLOAD_TOO_LARGE', `emitted data of more than ${data.length} bytes exceeds ${limits.maxEmitBytes}`);
      const text = data === undefined ? undefined : jsonStringify(data);
      if (text !== undefined && text.length > limits.maxEmitBytes) throw plexusError('PLEXUS_PAYLOAD_TOO_LARGE', `emitted data of ${text.length} bytes exceeds ${limits.maxEmitBytes}`);
      const key = options?.partitionkey;
      rec.emitted.push({ type: t, data: text, partitionkey: key === undefined ? undefined : String(key) });
    };
  }

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
