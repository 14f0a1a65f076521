// Public types of the plugin surface (CONTRACT §2-§5, §10). The host imports
// these; nothing here imports the host.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A CloudEvents 1.0 envelope with the Plexus extensions (CONTRACT §5). */
export interface PlexusEvent<Data = JsonValue> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  data?: Data;
  /** 0-9, default 4; 9 is served first. */
  priority?: number;
  partitionkey?: string;
  idempotencykey?: string;
  expiresat?: string;
  traceparent?: string;
  tracestate?: string;
  [extension: string]: unknown;
}

/** What a plugin asks for in package.json `plexus.capabilities`. */
export interface CapabilityRequest {
  kv?: boolean;
  emit?: string[];
  http?: { hosts: string[] };
  secrets?: string[];
}

export interface PluginLimits {
  memoryMb?: number;
  timeoutMs?: number;
}

/** The `plexus` object of a plugin's package.json (CONTRACT §2). */
export interface PluginManifest {
  apiVersion: string;
  main: string;
  subscribe: string[];
  config?: JsonObject | string;
  capabilities?: CapabilityRequest;
  limits?: PluginLimits;
}

export interface PluginPackageJson {
  name: string;
  version: string;
  keywords?: string[];
  plexus: PluginManifest;
  [field: string]: unknown;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface PluginLogger {
  debug(message: string, fields?: JsonObject): void;
  info(message: string, fields?: JsonObject): void;
  warn(message: string, fields?: JsonObject): void;
  error(message: string, fields?: JsonObject): void;
}

export interface KvSetOptions {
  /** Expire the key after this many milliseconds. */
  ttlMs?: number;
}

export interface PluginKv {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  set(key: string, value: JsonValue, options?: KvSetOptions): Promise<void>;
  delete(key: string): Promise<boolean>;
  incr(key: string, by?: number): Promise<number>;
}

export interface EmitOptions {
  partitionkey?: string;
}

export type PluginEmit = (type: string, data?: JsonValue, options?: EmitOptions) => void;

/** A deliberately small subset of fetch's RequestInit: only copies cross the sandbox boundary. */
export interface PluginFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PluginFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean; entries(): [string, string][] };
  text(): Promise<string>;
  json<T = JsonValue>(): Promise<T>;
}

export type PluginFetch = (url: string, init?: PluginFetchInit) => Promise<PluginFetchResponse>;

export interface PluginSecrets {
  get(name: string): string;
}

/** `ctx`: only granted capabilities are present (CONTRACT §3, §4). */
export interface PluginContext<Config = JsonObject> {
  readonly plugin: { readonly name: string; readonly version: string };
  readonly config: Readonly<Config>;
  readonly log: PluginLogger;
  readonly kv?: PluginKv;
  readonly emit?: PluginEmit;
  readonly fetch?: PluginFetch;
  readonly secrets?: PluginSecrets;
}

/** One delivery's result, as the test harness reports it (CONTRACT §10). */
export interface DeliveryOutcome {
  status: 'ok' | 'retry' | 'dead';
  error?: { code: string; message: string };
  emitted: PlexusEvent[];
  logs: LogRecord[];
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields?: JsonObject;
  time: number;
}
