/**
 * How far V8 lets the heap grow before its next full collection: by at most `percent` % over
 * what the last one left alive. Left to itself, V8 picks a factor of up to 4 when the program
 * allocates fast, which is exactly what a server does while it replays a log or takes a batch:
 * a million-entry replay then peaked at ~300 MB resident and sat at ~275 MB after a burst of
 * writes, where 1.5 held both to ~230 MB with the same start-up time (bench/server-memory.ts;
 * docs/performance.md). The flag is read at every collection, so setting it at run time works
 * (unlike the young generation's size, which is fixed when the heap is set up).
 */
import { setFlagsFromString } from 'node:v8';

export function limitHeapGrowth(percent = 50): void {
  setFlagsFromString(`--heap-growing-percent=${Math.max(1, Math.floor(percent))}`);
}
