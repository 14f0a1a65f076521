// The longest JSON text the host builds in one piece for many events: a
// journal row (sqlite-chunks.ts) and the batch a sandbox worker is sent
// (delivery/plugin-lane.ts). Past it, work is split: more rows, more batches.
//
// V8 keeps any object over 128 KiB in its large-object space: each one gets
// pages of its own, mapped fresh and unmapped when collected, so every such
// string costs a page fault per 4 KiB it is written into. Under a VM a
// fault is dear: building a 200 KB batch text from its events' texts took
// ~560 µs here against ~6 µs for 100 KB (50 faults and ~310 µs of system
// time each, against none). The batch is built again on the worker and
// again inside the isolate, so each big batch paid it several times: with
// 2 KB events, batches of 256 (560 KB) cost the sandbox ~15 µs of CPU per
// event against ~10 µs in batches of 40.
//
// Characters, not bytes: a string is one byte per character unless it holds
// one beyond Latin-1, then two; 60,000 stays under 128 KiB either way.
export const MAX_TEXT_CHARS = 60_000;

/**
 * What a record held without its text counts for: one read back from the
 * store (recovery after a restart, a DLQ or journal replay). Serializing it
 * to measure would cost what the cap saves, so it counts as a small event:
 * a recovered backlog still runs in full batches (at 1 KiB each it ran in
 * batches of 58), and a backlog of big events batches as it did before the cap.
 */
export const UNMEASURED_EVENT_CHARS = 200;
