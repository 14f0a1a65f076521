// Keeps one broker session alive: opens it, waits for it to be lost, opens it
// again after a backoff, until stopped. "Session" is whatever one connection
// attempt builds (a connection, its channels, its consumers), so consumption
// resumes by itself after a broker restart, without restarting the host.
//
// Two brakes keep a dead broker from spinning the CPU or flooding the log:
// the delay between attempts grows exponentially (with jitter, so hosts that
// lost the same broker do not come back in lockstep), and a circuit breaker
// opens after `failureThreshold` consecutive failed attempts and pauses all
// attempts for `coolDownMs`. A session that dies right after opening (a
// queue declared with conflicting arguments, say) counts as a failure too.
import { PlexusError } from '@plexus/plugin-sdk';
import { CircuitBreaker, type CircuitState } from '../delivery/circuit-breaker.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { BreakerPolicy, ReconnectPolicy } from './broker-config.ts';
import { reconnectDelay, settledWithin, WakeableSleep } from './broker-reconnect-delay.ts';
import { redactSecrets } from '../config/connection-secrets.ts';

export interface BrokerSession {
  /** Settles when the session is lost (or closed); with the cause when there is one. */
  readonly lost: Promise<Error | undefined>;
  close(): Promise<void>;
}

export interface ConnectionOptions<S extends BrokerSession> {
  /** For logs and readiness: "amqp:orders". */
  name: string;
  open(): Promise<S>;
  reconnect: ReconnectPolicy;
  breaker: BreakerPolicy;
  logger: HostLogger;
  /** Values that must never appear in a log line or readiness reason (passwords). */
  secrets: readonly string[];
  random?: () => number;
}

const HOLD_MS = 60_000;

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export class BrokerConnection<S extends BrokerSession> {
  readonly #options: ConnectionOptions<S>;
  readonly #breaker: CircuitBreaker;
  #state: ConnectionState = 'idle';
  #session: S | undefined;
  #lastError: string | undefined;
  readonly #sleeper = new WakeableSleep();
  #loop: Promise<void> | undefined;
  #reconnects = 0;
  #failedAttempts = 0;
  #holding = false;

  constructor(options: ConnectionOptions<S>) {
    this.#options = options;
    this.#breaker = new CircuitBreaker({
      ...options.breaker,
      onStateChange: (change) => {
        if (change.to === 'open') options.logger.error({ broker: options.name, coolDownMs: options.breaker.coolDownMs, err: this.#lastError }, 'broker unreachable: pausing reconnection attempts');
      },
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get circuit(): CircuitState {
    return this.#breaker.stateAt(Date.now());
  }

  get session(): S | undefined {
    return this.#session;
  }

  /** Sessions opened after a lost one. */
  get reconnects(): number {
    return this.#reconnects;
  }

  get failedAttempts(): number {
    return this.#failedAttempts;
  }

  /** Starts the loop; resolves after the first attempt, connected or not (the loop keeps trying). */
  start(): Promise<void> {
    if (this.#loop) throw new Error(`${this.#options.name} already started`);
    return new Promise((firstAttempt) => {
      this.#loop = this.#run(firstAttempt);
    });
  }

  /** For /readyz: resolves while a session is open; otherwise says why not. */
  async check(): Promise<void> {
    if (this.#state === 'connected') return;
    const circuit = this.circuit === 'open' ? ', circuit open' : '';
    throw new PlexusError(this.circuit === 'open' ? 'PLEXUS_CIRCUIT_OPEN' : 'PLEXUS_UNAVAILABLE', `${this.#options.name} is ${this.#state}${circuit}${this.#lastError === undefined ? '' : `: ${this.#lastError}`}`);
  }

  /** While an ingress drains: keep the open session, but open no new one if it is lost. */
  hold(): void {
    this.#holding = true;
  }

  /** Stops reconnecting and closes the open session (the caller drains it first). */
  async stop(): Promise<void> {
    const previous = this.#state;
    this.#state = 'stopped';
    this.#sleeper.wake();
    const session = this.#session;
    this.#session = undefined;
    if (session && previous === 'connected') await session.close().catch(() => undefined);
    await this.#loop;
  }

  async #run(firstAttempt: () => void): Promise<void> {
    const { logger, name } = this.#options;
    let attempt = 0;
    while (!this.#stopped()) {
      if (this.#holding) {
        // Draining before a stop: no new session; stop() wakes this.
        await this.#sleeper.sleep(HOLD_MS);
        continue;
      }
      const permit = this.#breaker.tryAcquire(Date.now());
      if (!permit.ok) {
        this.#state = 'waiting';
        firstAttempt();
        await this.#sleeper.sleep(Math.max(permit.retryAfterMs, 10));
        continue;
      }
      this.#state = 'connecting';
      let session: S;
      try {
        session = await this.#options.open();
      } catch (err) {
        this.#failedAttempts++;
        this.#lastError = this.#describe(err);
        this.#breaker.onFailure(permit, Date.now());
        attempt++;
        // The first failure and then every tenth: enough to see it, not a line per attempt.
        if (attempt === 1 || attempt % 10 === 0) logger.warn({ broker: name, attempt, err: this.#lastError }, 'broker connection failed; retrying');
        if (!this.#stopped()) this.#state = 'waiting';
        firstAttempt();
        await this.#delay(attempt);
        continue;
      }
      if (this.#stopped() || this.#holding) {
        await session.close().catch(() => undefined);
        continue;
      }
      this.#session = session;
      this.#state = 'connected';
      this.#lastError = undefined;
      if (attempt > 0) logger.info({ broker: name, attempts: attempt }, 'broker connection restored');
      firstAttempt();
      // The attempt is judged once the session has lived past the longest delay (or
      // died first): one that dies at once (a queue declared with conflicting
      // arguments, a broker still booting) is a failure, so a flapping broker
      // still backs off and can open the circuit.
      const early = await settledWithin(session.lost, this.#options.reconnect.maxDelayMs);
      let cause: Error | undefined;
      if (early === undefined) {
        this.#breaker.onSuccess(permit, Date.now());
        attempt = 0;
        cause = await session.lost;
      } else {
        this.#breaker.onFailure(permit, Date.now());
        cause = early.value;
      }
      if (this.#stopped()) break;
      this.#session = undefined;
      this.#state = 'waiting';
      this.#reconnects++;
      this.#lastError = cause === undefined ? 'connection closed' : this.#describe(cause);
      logger.warn({ broker: name, err: this.#lastError }, 'broker connection lost; reconnecting');
      await session.close().catch(() => undefined);
      attempt++;
      await this.#delay(attempt);
    }
    this.#state = 'stopped';
    firstAttempt();
  }

  /** A method, not a field read: stop() changes the state while the loop awaits. */
  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #delay(attempt: number): Promise<void> {
    // stop() may have come while an attempt was in flight: its wake-up found no sleep to end.
    if (this.#stopped()) return Promise.resolve();
    return this.#sleeper.sleep(reconnectDelay(attempt, this.#options.reconnect, this.#options.random));
  }

  #describe(err: unknown): string {
    return redactSecrets(err instanceof Error ? err.message : String(err), this.#options.secrets);
  }
}
