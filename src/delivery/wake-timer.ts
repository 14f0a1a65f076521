// The engine's one timer for lanes that wait before they may take a batch
// again (linger, rate limit, circuit): aimed at the earliest time any of
// them said to look again, on the lanes' clock that never steps back.
export class WakeTimer {
  private readonly onWake: () => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(onWake: () => void) {
    this.onWake = onWake;
  }

  /** Aims at `at` (`clock`: the lanes' clock now) instead of whatever it aimed at; Infinity (no lane waits) leaves it as it is. */
  wakeAt(at: number, clock: number): void {
    if (at === Infinity) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onWake, Math.max(1, at - clock));
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
