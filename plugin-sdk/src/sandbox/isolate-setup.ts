// What the host hands each plugin isolate's bootstrap (boot-isolate.ts):
// the setup, as JSON, and the host functions, as ivm References.

/** The subset of ivm.Reference the bootstrap and the capabilities use. */
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
