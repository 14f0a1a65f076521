// How a kv or fetch answer reaches its isolate without risking the sandbox
// process. isolated-vm copies an async host call's answer into the isolate
// in a task of its own, and a copy that takes the isolate past memoryLimit
// throws from there a C++ error nothing catches: the whole process aborts
// (SIGABRT), and every plugin in it is charged PLEXUS_SANDBOX_CRASHED. A 5 MiB
// fetch body of 0xff bytes (5M U+FFFD, 10 MB) into an 8 MB isolate did it.
//
// So an answer long enough to count against memoryLimit (isolated-vm makes
// strings of 1 KiB and more external, and checks the limit only for those)
// is not the call's answer: the call answers a number, and the isolate takes
// the text with a sync call, whose copy isolated-vm does guard (over the
// limit, the isolate is disposed for memory: PLEXUS_OUT_OF_MEMORY, the
// process lives). A number, not a handle to the text: a promise resolved
// with an object reads its `then`, which plugin code can define on
// Object.prototype and so be handed the object.
//
// An answer that could never fit is refused before that, as a coded error
// the plugin can catch, rather than ending its instance.

/** Answers shorter than this cross as the call's own result: internal V8 strings (< 1 KiB even at 2 bytes a unit), never checked against memoryLimit on copy. */
export const INLINE_ANSWER_UNITS = 512;
/** The share of memoryLimit one answer may take at most; the plugin's code, the SDK and what it does with the text need the rest. */
const ANSWER_SHARE = 3 / 4;
/**
 * The most answer text (UTF-16 units) one instance may leave waiting to be
 * taken; its memoryLimit in bytes, as units, when that is more, so one answer
 * it may take always fits. A unit is 1 or 2 bytes in the worker: 128 MiB at
 * most, or twice memoryLimit. A call's open slot frees once it is answered, not taken: a plugin
 * that kept its isolate busy while hundreds of reads were answered had them
 * all held here at once (the call caps times the answer sizes, gigabytes).
 * Units, not bytes: the check stays a length read.
 */
export const MAX_HELD_ANSWER_UNITS = 64 * 1024 * 1024;

const refusal = (code: string, message: string): string => JSON.stringify({ ok: false, error: { name: 'PlexusError', code, message } });
const TOO_MANY_HELD = refusal('PLEXUS_RATE_LIMITED', 'answers to ctx.kv and ctx.fetch calls waiting for the plugin to take them hold too much text: await some before starting more');
const NOT_WAITING = refusal('PLEXUS_INTERNAL', 'no answer is waiting under this number');
const tooBig = (bytes: number, memoryMb: number): string =>
  refusal('PLEXUS_OUT_OF_MEMORY', `an answer of ${bytes} bytes does not fit in the plugin's ${memoryMb} MB memory limit`);

/**
 * The answers of one instance waiting to be taken, by number. Held in the
 * worker until the isolate takes them, at most heldCap units of them, and
 * dropped with the instance.
 */
export class AnswerHandoff {
  private readonly held = new Map<number, string>();
  private next = 0;
  private heldUnits = 0;
  private readonly heldCap: number;
  private readonly limitBytes: number;
  private readonly memoryMb: number;

  constructor(memoryMb: number) {
    this.memoryMb = memoryMb;
    this.limitBytes = memoryMb * 1024 * 1024;
    this.heldCap = Math.max(MAX_HELD_ANSWER_UNITS, this.limitBytes);
  }

  /** What the host call answers: the text itself when short, else the number to take it by (or a refusal, when it cannot fit). */
  hand(answer: string): string | number {
    if (answer.length < INLINE_ANSWER_UNITS) return answer;
    // Only a long answer pays for the scan: V8 keeps a string of units <= 0xff at one byte a unit.
    if (answer.length * 2 > this.limitBytes * ANSWER_SHARE) {
      const bytes = /[^\x00-\xff]/.test(answer) ? answer.length * 2 : answer.length;
      if (bytes > this.limitBytes * ANSWER_SHARE) return tooBig(bytes, this.memoryMb);
    }
    // Refused, the answer's text is dropped now; the plugin catches a short error.
    if (this.heldUnits + answer.length > this.heldCap) return TOO_MANY_HELD;
    this.heldUnits += answer.length;
    const id = ++this.next;
    this.held.set(id, answer);
    return id;
  }

  /** The answer handed as `id`, once. */
  take(id: number): string {
    const answer = this.held.get(id);
    if (answer === undefined) return NOT_WAITING;
    this.held.delete(id);
    this.heldUnits -= answer.length;
    return answer;
  }

  /** Answers held now (for tests). */
  get size(): number {
    return this.held.size;
  }

  clear(): void {
    this.held.clear();
    this.heldUnits = 0;
  }
}
