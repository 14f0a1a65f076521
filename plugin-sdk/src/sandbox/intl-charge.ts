// Runs INSIDE each plugin isolate, before plugin code (isolate-source.ts
// serializes it like the bootstrap: it must not close over anything).
//
// Intl objects keep their ICU state in native memory that memoryLimit does
// not see (V8 reports none of it): with memoryMb 32, a plugin held ~1.2 GB
// of the sandbox process per 50,000 kept Intl.DateTimeFormats (~25 KB each),
// and ~8 MB per Intl.Segmenter segment() or segment iterator of a 4M-character
// string (each copies the text as UTF-16). So each such object carries a
// hidden ArrayBuffer of about its native size, which memoryLimit does count,
// alive exactly as long as the object: an instance that keeps too many ends
// in PLEXUS_OUT_OF_MEMORY, and dropped ones are freed with their charge.
export function chargeIntlToHeap(): void {
  'use strict';
  const intl = (globalThis as { Intl?: Record<string, unknown> }).Intl;
  if (typeof intl !== 'object' || intl === null) return;
  // Captured before plugin code runs: replacing these later changes nothing here.
  const reflectApply = Reflect.apply;
  const reflectConstruct = Reflect.construct;
  const Buffer = ArrayBuffer;
  const weakGet = WeakMap.prototype.get;
  const weakSet = WeakMap.prototype.set;
  const defineProperty = Object.defineProperty;
  const getPrototypeOf = Object.getPrototypeOf;
  const charges = new WeakMap<object, ArrayBuffer>();
  const textLengths = new WeakMap<object, number>();
  const charge = <T>(value: T, bytes: number): T => {
    if (typeof value === 'object' && value !== null) reflectApply(weakSet, charges, [value, new Buffer(bytes)]);
    return value;
  };
  // Measured native sizes, rounded up; DateTimeFormat is by far the largest.
  const OBJECT_BYTES: Record<string, number> = { DateTimeFormat: 32 * 1024 };
  const DEFAULT_OBJECT_BYTES = 4 * 1024;

  for (const name of ['Collator', 'DateTimeFormat', 'DisplayNames', 'DurationFormat', 'ListFormat', 'Locale', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'Segmenter']) {
    const native = intl[name];
    if (typeof native !== 'function') continue;
    const bytes = OBJECT_BYTES[name] ?? DEFAULT_OBJECT_BYTES;
    // A Proxy keeps prototype, statics, name, length, instanceof and subclassing as they were.
    const charged = new Proxy(native, {
      construct: (target, args, newTarget) => charge(reflectConstruct(target, args, newTarget), bytes),
      // Some (DateTimeFormat, NumberFormat, Collator) may be called without new.
      apply: (target, self, args) => charge(reflectApply(target, self, args), bytes),
    });
    intl[name] = charged;
    // The prototype's constructor would otherwise hand back the uncharged native.
    const prototype = (native as { prototype?: object }).prototype;
    if (typeof prototype === 'object' && prototype !== null) defineProperty(prototype, 'constructor', { value: charged, writable: true, configurable: true, enumerable: false });
  }

  const Segmenter = intl.Segmenter as (abstract new () => object) | undefined;
  if (typeof Segmenter !== 'function') return;
  const segmenterProto = Segmenter.prototype as unknown as Record<string, unknown>;
  const nativeSegment = segmenterProto.segment as (this: unknown, text: string) => object;
  const utf16Bytes = (length: number) => DEFAULT_OBJECT_BYTES + 2 * length;
  // Segments objects come only from segment(): their iterator is charged from the first one made (making one here cost every new isolate a native Segmenter).
  let iteratorCharged = false;
  const chargeIterators = (segments: object): void => {
    iteratorCharged = true;
    const segmentsProto = getPrototypeOf(segments) as Record<symbol, unknown>;
    const nativeIterator = segmentsProto[Symbol.iterator] as (this: unknown) => object;
    defineProperty(segmentsProto, Symbol.iterator, {
      writable: true,
      configurable: true,
      enumerable: false,
      value: {
        [Symbol.iterator](this: unknown): object {
          const iterator = reflectApply(nativeIterator, this, []);
          const length = reflectApply(weakGet, textLengths, [this]) as number | undefined;
          return charge(iterator, utf16Bytes(length ?? 0));
        },
      }[Symbol.iterator],
    });
  };
  defineProperty(segmenterProto, 'segment', {
    writable: true,
    configurable: true,
    enumerable: false,
    value: {
      segment(this: unknown, input: unknown): object {
        // Converted once: a toString answering a short text, then a long one, would be charged for the short.
        const text = `${input as string}`;
        const segments = reflectApply(nativeSegment, this, [text]);
        if (!iteratorCharged) chargeIterators(segments);
        reflectApply(weakSet, textLengths, [segments, text.length]);
        return charge(segments, utf16Bytes(text.length));
      },
    }.segment,
  });
}
