/**
 * The trajectory's agenda: actions due at a time, run earliest first and, at equal times, in the
 * order they were scheduled — so a trajectory never depends on anything but its own stream.
 */

export interface Action {
  dueMs: number;
  seq: number;
  run: () => void;
}

/** A binary min-heap of actions by (dueMs, seq). */
export class ActionQueue {
  private readonly heap: Action[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(dueMs: number, run: () => void): void {
    const a: Action = { dueMs, seq: this.seq++, run };
    const h = this.heap;
    h.push(a);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** The earliest action if it is due before `untilMs`, removed from the queue; else undefined. */
  popBefore(untilMs: number): Action | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0]!.dueMs >= untilMs) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Action, b: Action): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
