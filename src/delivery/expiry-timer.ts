// One timer for the earliest of some expiry times (`expiresat`, CONTRACT §5),
// shared by the lanes' expiry watch (lane-expiry.ts) and the deliveries
// parked for inactive plugins (parked-deliveries.ts). An event expires
// strictly after its expiresat (envelope/expiry.ts), so the timer aims 1 ms
// past it.

/**
 * The longest the timer sleeps at once: a wall clock stepped forward is
 * noticed within this (expiry times are wall-clock times), and setTimeout
 * cannot wait beyond 2^31 ms (an expiry a month away fired at once).
 */
const MAX_SLEEP_MS = 1000;

export class ExpiryTimer {
  /** The wall clock, which expiresat is on. */
  readonly #now: () => number;
  readonly #onFire: () => void;
  #timer: NodeJS.Timeout | undefined;
  /** The expiry time the timer is aimed at (Infinity: none). */
  #armedFor = Infinity;
  #stopped = false;

  /** `onFire` runs when the time aimed at may have passed (or MAX_SLEEP_MS went by): the owner looks, then aims again. */
  constructor(now: () => number, onFire: () => void) {
    this.#now = now;
    this.#onFire = onFire;
  }

  get armedFor(): number {
    return this.#armedFor;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Aims at `at` (epoch ms; Infinity: nothing to wait for), instead of whatever it aimed at. */
  aim(at: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    if (this.#stopped || at === Infinity) return;
    this.#armedFor = at;
    this.#timer = setTimeout(this.#fire, Math.min(MAX_SLEEP_MS, Math.max(1, at + 1 - this.#now())));
    this.#timer.unref();
  }

  /** No timer runs after this, and none is set again. */
  stop(): void {
    this.#stopped = true;
    this.aim(Infinity);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#onFire();
  };
}
