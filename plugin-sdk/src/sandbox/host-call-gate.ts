// The kv and fetch calls of one plugin instance, counted by the worker as
// they reach it from the isolate. Never by anything the isolate reports: its
// runner shares a realm with plugin code, which can rewrite any number it
// writes (Object.prototype.toJSON). What this guards against: an answer that
// reaches the isolate while no call into it is running runs plugin code with
// no time limit; a loop there holds the isolate, the worker's next sync call
// into it blocks, and the whole sandbox process has to be ended.
//
// A call made during a sync call into the isolate reaches this thread only
// after that call returned (isolated-vm queues it until the thread is back in
// its event loop), so a sync batch that left one running is over by then: a
// call or an answer that arrives while no call into the instance runs is work
// left behind, and the instance is disposed before any answer reaches it.

/**
 * The most calls of each kind one instance may have open at once; more wait
 * here, in order, for one to end. An open fetch may buffer a whole response
 * (fetch.maxResponseBytes, 5 MB by default) in the worker, outside the
 * isolate's memoryMb: 16 bound that to 80 MB per instance. An open kv call is
 * a request the host serves: 256 keeps one execute from putting tens of
 * thousands of them on the host at once. Waiting, not refusing: a batch runs
 * its events at once and an instance runs several batches, so a plugin
 * making one awaited call per event has hundreds open without doing anything
 * wrong (refused, they failed and were dead-lettered).
 */
export const MAX_OPEN_HOST_CALLS = { kv: 256, fetch: 16 } as const;
/**
 * How many more may wait; one more is refused with PLEXUS_RATE_LIMITED. Far
 * beyond batches of events awaiting a few calls each (4 batches of 256 events
 * in flight per instance), and a bound on what a flood of un-awaited calls
 * holds in the worker.
 */
export const MAX_WAITING_HOST_CALLS = { kv: 4096, fetch: 1024 } as const;
/**
 * The most request text the calls waiting in one instance's gate may hold,
 * both kinds together; a call that would wait beyond it is refused with
 * PLEXUS_RATE_LIMITED. Counted in UTF-16 units (the check is a length read),
 * so in bytes the bound is 64 MiB for Latin-1 text and 128 MiB at most (V8
 * keeps a string at 1 or 2 bytes a unit); a waiting request is not encoded
 * yet, so UTF-8's 3 bytes a unit do not apply. Without it the count caps
 * allowed 1,024 fetches of up to maxRequestBytes (1 MiB of body, headers
 * beside it) and 4,096 kv calls, whose arguments are checked only when they
 * start: a GiB or more per instance, outside memoryMb. 64 Mi leaves room for
 * every event of several batches waiting with a request of tens of KB each.
 * Answers waiting to be taken have a bound of their own (answer-handoff.ts).
 */
export const MAX_WAITING_HOST_CALL_UNITS = 64 * 1024 * 1024;

export type HostCallKind = keyof typeof MAX_OPEN_HOST_CALLS;

/** What the gate needs of its instance. */
export interface GatedInstance {
  /** Async calls into the isolate running now. A sync call holds this thread, so no hook runs beside one. */
  readonly inFlight: number;
  dispose(): void;
}

const refusal = (code: string, message: string): string => JSON.stringify({ ok: false, error: { name: 'PlexusError', code, message } });
/** Answers a call of a disposed instance; it never reaches the host, and its isolate is gone. */
const GONE = refusal('PLEXUS_UNAVAILABLE', 'the plugin instance was discarded');
const TOO_BIG_TO_WAIT = refusal('PLEXUS_RATE_LIMITED', `ctx.kv and ctx.fetch calls waiting for their turn hold more than ${MAX_WAITING_HOST_CALL_UNITS} characters of requests: await some before starting more`);
const TOO_MANY: Record<HostCallKind, string> = {
  kv: refusal('PLEXUS_RATE_LIMITED', `more than ${MAX_OPEN_HOST_CALLS.kv + MAX_WAITING_HOST_CALLS.kv} ctx.kv calls started and not answered: await some before starting more`),
  fetch: refusal('PLEXUS_RATE_LIMITED', `more than ${MAX_OPEN_HOST_CALLS.fetch + MAX_WAITING_HOST_CALLS.fetch} ctx.fetch calls started and not answered: await some before starting more`),
};

export class HostCallGate {
  private readonly open: Record<HostCallKind, number> = { kv: 0, fetch: 0 };
  /** Calls waiting for an open slot, in arrival order: each resolves when it may start. */
  private readonly waiting: Record<HostCallKind, (() => void)[]> = { kv: [], fetch: [] };
  /** Request text the waiting calls hold, in UTF-16 units (MAX_WAITING_HOST_CALL_UNITS). */
  private waitingUnits = 0;
  /** Answers handed back to the isolate so far (refusals too: a catch runs plugin code). */
  private answers = 0;
  /** Answers known to have run their continuations in the isolate (see answersRan). */
  private answersDone = 0;
  private readonly ended = new AbortController();
  private instance: GatedInstance | undefined;
  private readonly onDetached: () => void;
  private detached = false;

  /** `onDetached`: the gate disposed its instance for work left running (restart cause `detached`). */
  constructor(onDetached: () => void = () => undefined) {
    this.onDetached = onDetached;
  }

  /** Aborted once the instance is disposed: its open fetches stop, and none of its calls reaches the host any more. */
  get signal(): AbortSignal {
    return this.ended.signal;
  }

  get closed(): boolean {
    return this.ended.signal.aborted;
  }

  /** kv and fetch calls started and not answered yet. */
  get openCalls(): number {
    return this.open.kv + this.open.fetch + this.waiting.kv.length + this.waiting.fetch.length;
  }

  /**
   * Whether a sync call may enter the isolate: nothing open, and every answer
   * handed back has run. A continuation still queued or running behind the
   * end of its batch would hold the isolate, and a sync call waiting for it
   * blocks this thread with no timer able to end the wait.
   */
  get syncSafe(): boolean {
    return this.openCalls === 0 && this.answers === this.answersDone;
  }

  /** Called by the instance once it exists: calls are judged by whether it is running a call. */
  attach(instance: GatedInstance): void {
    this.instance = instance;
  }

  /** Taken when an async call into the isolate starts; passed to answersRan once it completed. */
  answerMark(): number {
    return this.answers;
  }

  /**
   * isolated-vm runs an isolate's tasks in order, and an answer is queued as
   * one in the same turn it leaves here: an async call that started after it
   * and completed ran after it and after its continuation.
   */
  answersRan(mark: number): void {
    if (mark > this.answersDone) this.answersDone = mark;
  }

  /**
   * Serves one call through `serve`, unless the instance is gone, left it
   * behind, or has too many open. `units`: the length of the request text the
   * call holds while it waits. Answers JSON text.
   */
  async serve(kind: HostCallKind, serve: (signal: AbortSignal) => Promise<string>, units = 0): Promise<string> {
    if (this.ended.signal.aborted || this.leftBehind()) return GONE;
    let reply: string;
    const mustWait = this.open[kind] >= MAX_OPEN_HOST_CALLS[kind];
    if (mustWait && this.waiting[kind].length >= MAX_WAITING_HOST_CALLS[kind]) {
      reply = TOO_MANY[kind];
    } else if (mustWait && this.waitingUnits + units > MAX_WAITING_HOST_CALL_UNITS) {
      reply = TOO_BIG_TO_WAIT;
    } else {
      // A waiting call counts as open (syncSafe, the batch-end check): it is work the plugin started.
      if (mustWait) {
        this.waitingUnits += units;
        // Never rejects: a slot freeing up or close() starts it.
        await new Promise<void>((start) => this.waiting[kind].push(start));
        this.waitingUnits -= units;
      }
      this.open[kind]++;
      try {
        reply = this.ended.signal.aborted ? GONE : await serve(this.ended.signal);
      } finally {
        this.open[kind]--;
        this.waiting[kind].shift()?.();
      }
    }
    if (this.ended.signal.aborted || this.leftBehind()) return GONE;
    this.answers++;
    return reply;
  }

  /**
   * Answers a call refused on sight (an oversized fetch) without a slot or a
   * wait: holding its request while others run is what the refusal spares.
   * Otherwise judged and counted as a served call.
   */
  async refuse(reply: string): Promise<string> {
    if (this.ended.signal.aborted || this.leftBehind()) return GONE;
    this.answers++;
    return reply;
  }

  close(): void {
    this.ended.abort();
    // Waiting calls end now, as GONE, rather than when a slot frees.
    for (const kind of ['kv', 'fetch'] as const) for (const start of this.waiting[kind].splice(0)) start();
  }

  /** Disposes the instance for work its plugin left running outside any call (restart cause `detached`, reported once). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.close();
    this.instance?.dispose();
    this.onDetached();
  }

  /** No call into the instance is running: whatever started this call, or waits for its answer, runs outside any time limit. */
  private leftBehind(): boolean {
    if (this.instance === undefined || this.instance.inFlight > 0) return false;
    this.detach();
    return true;
  }
}
