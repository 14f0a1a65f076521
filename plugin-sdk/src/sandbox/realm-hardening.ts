// Runs INSIDE each plugin isolate, before plugin code (isolate-source.ts
// serializes it like the bootstrap: it must not close over anything but
// chargeIntlToHeap, which the prelude defines under the same name). It takes
// from the realm what would let a plugin hold memory memoryLimit does not
// count, block its thread, or reach the runner's own promises.
import { chargeIntlToHeap } from './intl-charge.ts';

export function hardenRealm(): void {
  'use strict';
  // Nothing here may outlive its budget: no shared memory, no wasm (its memory
  // is not counted against memoryLimit), no blocking waits.
  const g = globalThis as Record<string, unknown>;
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete g[name];
  // isolated-vm settles a host call's promise by resolving it with a second
  // promise holding the answer, which reads that promise's `then`; and
  // `await p` hands p to p.then when p.constructor is not %Promise%. Plugin
  // code that redefined either was handed the runner's own promises and host
  // answers: a long answer's number (answer-handoff.ts), which it could
  // withhold, so the worker held the text for the instance's life, or take
  // in a later batch. Fixed in place, no runner await reaches plugin code.
  for (const name of ['then', 'constructor']) {
    Object.defineProperty(Promise.prototype, name, { value: (Promise.prototype as unknown as Record<string, unknown>)[name], writable: false, configurable: false, enumerable: false });
  }
  // Nor native memory held by Intl objects uncounted (intl-charge.ts).
  chargeIntlToHeap();
  // Resizable ArrayBuffers are not counted against memoryLimit either: with
  // 32 MB, a plugin held gigabytes by growing one (resize, or a transfer to
  // a larger length). Without resize one cannot grow, and transfers of one
  // are refused. The natives stay in this closure and are called through a
  // captured Reflect.apply, so a plugin patching Function.prototype, or the
  // resizable getter, cannot reach or fool them.
  const buffers = ArrayBuffer.prototype as unknown as Record<string, unknown>;
  const reflectApply = Reflect.apply;
  const isResizable = Object.getOwnPropertyDescriptor(buffers, 'resizable')?.get;
  delete buffers.resize;
  for (const name of ['transfer', 'transferToFixedLength']) {
    const native = buffers[name];
    if (typeof native !== 'function') continue;
    Object.defineProperty(buffers, name, {
      configurable: true,
      writable: true,
      value: function transferFixed(this: ArrayBuffer, ...args: unknown[]): unknown {
        if (isResizable !== undefined && reflectApply(isResizable, this, []) === true) throw new RangeError(`ArrayBuffer.prototype.${name} of a resizable buffer is not available to plugins`);
        return reflectApply(native, this, args);
      },
    });
  }
}
