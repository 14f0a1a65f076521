// The host's own store as the ReplayStore: delivery ids then survive a
// restart (SQLite) and are shared by every host on one Redis, so a delivery
// accepted by one process is a replay for all of them. The store decides
// expiry against the `now` it is given, read from an injected clock.
import type { Store } from '../../store/store.ts';
import type { ReplayStore } from './replay-guard.ts';

export class StoreReplayStore implements ReplayStore {
  readonly #store: Pick<Store, 'seen' | 'forget'>;
  readonly #clock: () => number;

  constructor(store: Pick<Store, 'seen' | 'forget'>, clock: () => number = Date.now) {
    this.#store = store;
    this.#clock = clock;
  }

  seen(key: string, ttlMs: number): Promise<boolean> {
    return this.#store.seen(key, ttlMs, this.#clock());
  }

  forget(key: string): Promise<void> {
    return this.#store.forget(key);
  }
}
