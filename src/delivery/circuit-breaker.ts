// A circuit breaker (seed 003, REQ-T270): closed → open after N consecutive
// failures; open rejects for a cool-down; then half-open lets a limited
// number of trial calls through: the first trial success closes it, a trial
// failure re-opens it for another cool-down. `now` is injected.
//
// Every admitted call gets a permit stamped with the breaker's generation,
// which changes on each state change. An outcome whose permit is from an
// earlier generation is ignored: a slow call started before the circuit
// opened says nothing about the trials, and must not close or re-open it.
import { PlexusError } from '@plexus/plugin-sdk';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: number;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before trials are allowed. */
  readonly coolDownMs: number;
  /** Trial calls admitted while half-open (default 1). */
  readonly halfOpenMaxCalls?: number;
  /** For metrics and logs; called after the state has changed. */
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

export type CircuitPermit = { readonly ok: true; readonly generation: number };
export type CircuitRejection = { readonly ok: false; readonly state: 'open' | 'half-open'; readonly retryAfterMs: number };

export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #coolDownMs: number;
  readonly #halfOpenMaxCalls: number;
  readonly #onStateChange: ((change: CircuitStateChange) => void) | undefined;
  #state: CircuitState = 'closed';
  #generation = 0;
  #consecutiveFailures = 0;
  #openedAt = 0;
  #trialsAdmitted = 0;

  constructor(options: CircuitBreakerOptions) {
    const { failureThreshold, coolDownMs, halfOpenMaxCalls = 1 } = options;
    if (!(Number.isSafeInteger(failureThreshold) && failureThreshold >= 1)) throw invalidOptions('failureThreshold must be an integer >= 1');
    if (!(Number.isFinite(coolDownMs) && coolDownMs >= 0)) throw invalidOptions('coolDownMs must be a finite number >= 0');
    if (!(Number.isSafeInteger(halfOpenMaxCalls) && halfOpenMaxCalls >= 1)) throw invalidOptions('halfOpenMaxCalls must be an integer >= 1');
    this.#failureThreshold = failureThreshold;
    this.#coolDownMs = coolDownMs;
    this.#halfOpenMaxCalls = halfOpenMaxCalls;
    this.#onStateChange = options.onStateChange;
  }

  /** The state at `now` (an elapsed cool-down turns open into half-open here). */
  stateAt(now: number): CircuitState {
    // A clock that stepped back (a caller on the wall clock, src/ingress): no time has passed since
    // the circuit opened, rather than the cool-down stretched by the step. The engine passes a
    // monotonic clock and never gets here.
    if (this.#state === 'open' && now < this.#openedAt) this.#openedAt = now;
    if (this.#state === 'open' && now - this.#openedAt >= this.#coolDownMs) this.#moveTo('half-open', now);
    return this.#state;
  }

  tryAcquire(now: number): CircuitPermit | CircuitRejection {
    const state = this.stateAt(now);
    if (state === 'open') return { ok: false, state, retryAfterMs: this.#openedAt + this.#coolDownMs - now };
    if (state === 'half-open') {
      // While trials run the outcome is unknown; a failed trial re-opens for a
      // full cool-down, so that is the honest upper estimate of the wait.
      if (this.#trialsAdmitted >= this.#halfOpenMaxCalls) return { ok: false, state, retryAfterMs: this.#coolDownMs };
      this.#trialsAdmitted++;
    }
    return { ok: true, generation: this.#generation };
  }

  onSuccess(permit: CircuitPermit, now: number): void {
    if (!this.#isCurrent(permit, now)) return;
    this.#consecutiveFailures = 0;
    if (this.#state === 'half-open') this.#moveTo('closed', now);
  }

  onFailure(permit: CircuitPermit, now: number): void {
    if (!this.#isCurrent(permit, now)) return;
    if (this.#state === 'half-open') this.#open(now);
    else if (++this.#consecutiveFailures >= this.#failureThreshold) this.#open(now);
  }

  #isCurrent(permit: CircuitPermit, now: number): boolean {
    return this.stateAt(now) !== 'open' && permit.generation === this.#generation;
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#moveTo('open', now);
  }

  #moveTo(to: CircuitState, at: number): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#consecutiveFailures = 0;
    this.#trialsAdmitted = 0;
    this.#onStateChange?.({ from, to, at });
  }
}

function invalidOptions(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_CONFIG', `Invalid circuit breaker: ${message}`);
}
