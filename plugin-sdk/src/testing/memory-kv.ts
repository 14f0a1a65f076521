// The test harness's kv: the same operations and value rules as the host's
// store (JSON text values, optional TTL, integer-safe incr), in memory.
import { incrementJsonNumber } from '../kv-number.ts';
import type { KvOp } from '../sandbox/protocol.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export class MemoryKv {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The stored value, parsed, or undefined. */
  get(key: string): unknown {
    const text = this.read(key);
    return text === null ? undefined : JSON.parse(text);
  }

  set(key: string, value: unknown, ttlMs?: number): void {
    this.entries.set(key, { value: JSON.stringify(value), expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
  }

  keys(): string[] {
    return [...this.entries.keys()].filter((k) => this.read(k) !== null);
  }

  /** The wire operation the sandbox sends (see KvHandler). */
  async apply(op: KvOp, args: unknown[]): Promise<string | number | boolean | null> {
    const key = String(args[0]);
    switch (op) {
      case 'get':
        return this.read(key);
      case 'set': {
        const ttl = args[2];
        this.entries.set(key, { value: String(args[1]), expiresAt: typeof ttl === 'number' ? this.now() + ttl : undefined });
        return null;
      }
      case 'delete':
        return this.read(key) !== null && this.entries.delete(key);
      case 'incr': {
        // The host's rules exactly (kv-number.ts): "5", true or [7] stored are not numbers to incr.
        const next = incrementJsonNumber(key, this.read(key), Number(args[1]));
        const entry = this.entries.get(key);
        this.entries.set(key, { value: JSON.stringify(next), expiresAt: entry?.expiresAt });
        return next;
      }
    }
  }

  private read(key: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }
}
