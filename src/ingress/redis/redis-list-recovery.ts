// Where a paged recovery of a processing list stands while the consumer's own
// removals (LREM key 1 item) run between its pages.
//
// Recovery reads the list from the left in pages (by count and by bytes), so
// a list a crash left huge is never in memory, or in one host.accept, at
// once. Between pages, settled items are removed, and a removal shifts the
// indexes: the next page must start `read` items in, counting only those read
// that are still there. LREM removes the leftmost equal item, so a removal
// takes a read item exactly when an equal item is among those read (they are
// the leftmost ones); otherwise it took one further on, not yet read, and the
// cursor stays. With equal items this is the only safe count: moving the
// cursor back for every removal would read an item again (and take it twice),
// never moving it would skip one until the next restart.

/**
 * Up to ARGV[2] items from index ARGV[1], stopping before the one that would
 * take the page past ARGV[3] bytes (the first item is always returned: one
 * item larger than the bound is still one page). Read in small LRANGEs sized
 * from the items seen so far, so Redis never holds much more than the page.
 */
export const READ_PAGE = `local key, from, count, budget = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out, n, bytes, chunk = {}, 0, 0, 1
while n < count do
  local items = redis.call('LRANGE', key, from + n, from + n + chunk - 1)
  for _, item in ipairs(items) do
    if n > 0 and bytes + #item > budget then return out end
    n = n + 1
    out[n] = item
    bytes = bytes + #item
    if n >= count then return out end
  end
  if #items < chunk or bytes >= budget then return out end
  chunk = math.max(1, math.min(64, count - n, math.floor((budget - bytes) * n / bytes)))
end
return out`;

export class RecoveryCursor {
  /** Items read from the left that are still in the list: the next page starts here. */
  #read = 0;
  /** Of those, how many are equal to each item (a multiset). */
  readonly #seen = new Map<string, number>();
  /** A removal failed (its reply may be lost): the cursor may be wrong. */
  broken = false;

  get next(): number {
    return this.#read;
  }

  /** How many of the items read so far are equal to `item`. */
  seenOf(item: string): number {
    return this.#seen.get(item) ?? 0;
  }

  read(item: string): void {
    this.#read++;
    this.#seen.set(item, this.seenOf(item) + 1);
  }

  /** LREM key 1 item removed one: the leftmost equal item, a read one if any was read. */
  removed(item: string): void {
    const seen = this.seenOf(item);
    if (seen === 0) return;
    this.#read--;
    if (seen === 1) this.#seen.delete(item);
    else this.#seen.set(item, seen - 1);
  }
}
