// Group commit: calls that arrive while a write is in flight are merged into
// the next write, so N concurrent callers cost one transaction, not N, and
// the store is written by one batch at a time (SQLite has one writer anyway).
export class GroupCommit<In, Out> {
  private readonly flush: (items: In[]) => Promise<Out[]>;
  private queue: { item: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /** `flush` must answer one output per input, in order. */
  constructor(flush: (items: In[]) => Promise<Out[]>) {
    this.flush = flush;
  }

  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let callers of the same tick join this write.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const outs = await this.flush(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(outs[i] as Out));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}
