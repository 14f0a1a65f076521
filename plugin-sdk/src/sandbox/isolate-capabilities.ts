// Runs INSIDE each plugin isolate (isolate-source.ts serializes it like the
// bootstrap: it must not close over anything but the topic matchers, which
// the prelude defines under the same names). The capabilities a ctx can
// carry: kv, fetch, secrets and emit, each a plain isolate function over the
// host references, which stay in this closure. The bootstrap calls it before
// plugin code runs, so the natives captured here are the realm's own.
import { matchesAny } from '../topics.ts';
import type { BootSetup, HostFunction } from './isolate-setup.ts';

/** What an emit call appends to: the call's record, read by the runner when the call ends. */
export interface EmitRecord {
  emitted: { type: string; data?: string; partitionkey?: string }[];
}

export interface Capabilities {
  kv: object;
  fetch: (url: unknown, init?: { method?: unknown; headers?: unknown; body?: unknown }) => Promise<object>;
  secrets: object;
  makeEmit(rec: EmitRecord): (type: unknown, data?: unknown, options?: { partitionkey?: unknown }) => void;
}

export function isolateCapabilities(
  kvHost: HostFunction<[string, string], string | number>,
  fetchHost: HostFunction<[string], string | number>,
  deniedHost: HostFunction<[string, string], void>,
  takeAnswerHost: HostFunction<[number], string>,
  setup: BootSetup,
): Capabilities {
  'use strict';
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const freeze = Object.freeze;
  const hasOwn = Object.hasOwn;
  const reflectApply = Reflect.apply;
  const indexOf = String.prototype.indexOf;
  const slice = String.prototype.slice;
  const caps = setup.caps;
  const limits = setup.limits;
  const COPY = { arguments: { copy: true }, result: { promise: true, copy: true } };

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

  function makeEmit(rec: EmitRecord) {
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

  return { kv, fetch, secrets, makeEmit };
}
