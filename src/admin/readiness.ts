// /readyz answers "can this host do its job right now?": every registered
// check passes within its time limit. The host registers its store and
// sandbox; broker consumers add theirs (a connection, a channel) when they
// start and remove them when they stop. Once the host starts shutting down
// it is not ready, whatever the checks would say: traffic must move to
// another host before intake stops, not after the listener has gone.

/** Resolves when ready; throws (or rejects) with the reason when not. */
export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  name: string;
  ok: boolean;
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

const DEFAULT_TIMEOUT_MS = 2000;
// Reasons are shown to unauthenticated callers: enough to act on, not a dump.
const MAX_REASON_LENGTH = 200;

/** The one check reported while the host shuts down. */
export const SHUTTING_DOWN: CheckResult = Object.freeze({ name: 'host', ok: false, reason: 'shutting down' });

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeoutMs: number;
  #stopping = false;

  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Registers a check under a unique name; the returned function removes it. */
  add(name: string, check: ReadinessCheck): () => void {
    if (this.#checks.has(name)) throw new Error(`a readiness check named "${name}" is already registered`);
    this.#checks.set(name, check);
    return () => {
      if (this.#checks.get(name) === check) this.#checks.delete(name);
    };
  }

  get names(): string[] {
    return [...this.#checks.keys()];
  }

  /** From now on the host is not ready: it is stopping. */
  stopping(): void {
    this.#stopping = true;
  }

  /** Runs every check at once, each bounded by the time limit; none while stopping (the answer is known, and what they probe is closing). */
  async run(): Promise<ReadinessReport> {
    if (this.#stopping) return { ready: false, checks: [{ ...SHUTTING_DOWN }] };
    const checks = await Promise.all([...this.#checks].map(([name, check]) => this.#runOne(name, check)));
    return { ready: checks.every((c) => c.ok), checks };
  }

  async #runOne(name: string, check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { name, ok: true };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { name, ok: false, reason: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason };
    } finally {
      clearTimeout(timer);
    }
  }
}
