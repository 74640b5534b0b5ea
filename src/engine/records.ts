/**
 * The state's growing collections (units, incidents, strikes, findings): tables of immutable
 * records keyed by id, behind one small interface that the rules read and write by name
 * (`state.incidents.get(id)`, `state.incidents.set(id, record)`).
 *
 * Why an interface and not plain objects: these are the only parts of the state that grow with
 * the log. A long-running server keeps them on disk, in a read model it persists beside the log
 * (src/office/read-model.ts implements this interface); the command line keeps them in memory
 * ({@link MemoryRecords}). Either way the engine sees the same five calls, and a reader of the
 * rules sees every access in the code rather than through a Proxy.
 *
 * Rules that every implementation keeps (the property tests hold them):
 *   - a stored record is never mutated: a change stores a new object (`{...old, field}`);
 *   - {@link Records.freeze} is a read-only view of the records as they are now, which later
 *     writes never reach, and costs constant time (a snapshot of the state takes one per
 *     collection);
 *   - {@link Records.fork} is a writable copy whose writes stay in it;
 *   - listings ({@link Records.entries}, {@link Records.page}) are in the order the ids were
 *     first stored.
 * `begin` and `undo` belong to the fold's owner (the timeline), never to the rules: they tag
 * the writes of one entry so that a fold that failed halfway leaves nothing behind.
 */

export interface Records<T> {
  /** The latest record stored under `id`, or undefined. */
  get(id: string): T | undefined;
  /** Stores `record` as the latest version of `id` (never mutate it afterwards). */
  set(id: string, record: T): void;
  /** Number of ids. */
  count(): number;
  /** Every [id, record], in the order the ids were first stored. */
  entries(): Iterable<[string, T]>;
  /** `limit` of [id, record] from position `offset` of {@link entries}'s order. */
  page(offset: number, limit: number): [string, T][];
  /** A read-only view of the records as they are now (constant time). */
  freeze(): Records<T>;
  /** A writable copy over {@link freeze}: its writes stay in it. */
  fork(): Records<T>;
  /** Writes from now on belong to log entry `index` (the owner calls it before each fold). */
  begin(index: number): void;
  /**
   * Forgets every write since the last {@link begin} (the fold of that entry failed), or since
   * the last {@link freeze} when that came later: what a frozen view saw stays.
   */
  undo(): void;
  /** A plain object of every record (what `JSON.stringify` and `serializeState` write). */
  toJSON(): Record<string, T>;
}

/** Every record of a collection, in the order their ids were first stored. */
export function recordValues<T>(r: Records<T>): T[] {
  const out: T[] = [];
  for (const [, v] of r.entries()) out.push(v);
  return out;
}

/** Every id of a collection, in the order they were first stored. */
export function recordIds<T>(r: Records<T>): string[] {
  const out: string[] = [];
  for (const [k] of r.entries()) out.push(k);
  return out;
}

/** A plain object of entries (insertion order). */
function objectOf<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** One stored version: `seq` orders writes; `prev` is the version it replaced, kept for frozen views. */
interface Version<T> {
  value: T;
  seq: number;
  prev: Version<T> | undefined;
}

/**
 * Records in memory. Each id holds a chain of versions, newest first; a frozen view remembers
 * how many writes had happened and reads, per id, the newest version older than that. A
 * version no frozen view can see is replaced in place rather than chained, so a collection
 * that is never frozen holds one version per id.
 */
export class MemoryRecords<T> implements Records<T> {
  readonly #slots = new Map<string, Version<T>>();
  /** Ids in first-stored order, and the write number of each id's first version. */
  readonly #order: string[] = [];
  readonly #orderSeq: number[] = [];
  #seq = 0;
  /** Writes numbered below this may be seen by a frozen view. */
  #sealed = 0;
  /**
   * Since the last `begin`: each write's id and the version it replaced (undefined when new);
   * undefined until the owner first calls `begin` (a plain replay never undoes).
   */
  #undo: { id: string; replaced: Version<T> | undefined }[] | undefined;

  get(id: string): T | undefined {
    return this.#slots.get(id)?.value;
  }

  set(id: string, record: T): void {
    const head = this.#slots.get(id);
    this.#undo?.push({ id, replaced: head });
    const seq = this.#seq++;
    if (head === undefined) {
      this.#order.push(id);
      this.#orderSeq.push(seq);
      this.#slots.set(id, { value: record, seq, prev: undefined });
    } else if (head.seq >= this.#sealed) {
      // No frozen view can see `head`: replace it (a fresh object, so undo can restore `head`).
      this.#slots.set(id, { value: record, seq, prev: head.prev });
    } else this.#slots.set(id, { value: record, seq, prev: head });
  }

  count(): number {
    return this.#order.length;
  }

  *entries(): Generator<[string, T]> {
    for (const id of this.#order) yield [id, this.#slots.get(id)!.value];
  }

  page(offset: number, limit: number): [string, T][] {
    return this.#order.slice(offset, offset + limit).map((id) => [id, this.#slots.get(id)!.value]);
  }

  freeze(): Records<T> {
    this.#sealed = this.#seq;
    // What a frozen view saw stays: an undo after this reaches only later writes.
    if (this.#undo !== undefined) this.#undo = [];
    return new FrozenMemoryRecords(this, this.#seq, this.#order.length);
  }

  fork(): Records<T> {
    return new OverlayRecords(this.freeze());
  }

  begin(_index: number): void {
    this.#undo = [];
  }

  undo(): void {
    const undo = this.#undo ?? [];
    for (let i = undo.length - 1; i >= 0; i--) {
      const { id, replaced } = undo[i]!;
      if (replaced === undefined) {
        this.#slots.delete(id);
        this.#order.pop();
        this.#orderSeq.pop();
      } else this.#slots.set(id, replaced);
    }
    this.#undo = [];
  }

  toJSON(): Record<string, T> {
    return objectOf(this.entries());
  }

  /** @internal The newest version of `id` written before write number `before`. */
  versionBefore(id: string, before: number): T | undefined {
    for (let v = this.#slots.get(id); v !== undefined; v = v.prev) if (v.seq < before) return v.value;
    return undefined;
  }

  /** @internal The id at `position` of first-stored order. */
  idAt(position: number): string {
    return this.#order[position]!;
  }
}

/** A read-only view of {@link MemoryRecords} as of a write number. */
class FrozenMemoryRecords<T> implements Records<T> {
  readonly #live: MemoryRecords<T>;
  readonly #before: number;
  readonly #count: number;

  constructor(live: MemoryRecords<T>, before: number, count: number) {
    this.#live = live;
    this.#before = before;
    this.#count = count;
  }

  get(id: string): T | undefined {
    return this.#live.versionBefore(id, this.#before);
  }
  set(): void {
    throw new Error('engine state: a frozen record collection is read-only; fork it to write');
  }
  count(): number {
    return this.#count;
  }
  *entries(): Generator<[string, T]> {
    for (let i = 0; i < this.#count; i++) {
      const id = this.#live.idAt(i);
      yield [id, this.get(id)!];
    }
  }
  page(offset: number, limit: number): [string, T][] {
    const out: [string, T][] = [];
    for (let i = offset; i < Math.min(this.#count, offset + limit); i++) {
      const id = this.#live.idAt(i);
      out.push([id, this.get(id)!]);
    }
    return out;
  }
  freeze(): Records<T> {
    return this;
  }
  fork(): Records<T> {
    return new OverlayRecords(this);
  }
  begin(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  undo(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  toJSON(): Record<string, T> {
    return objectOf(this.entries());
  }
}

/**
 * A writable copy of a frozen collection: writes land in its own map, reads fall through to the
 * base. Used for states that live briefly (a state at a past time, a rebuild after a failed fold),
 * so its own part stays small; ids new here follow every id of the base in listings.
 */
export class OverlayRecords<T> implements Records<T> {
  readonly #base: Records<T>;
  readonly #own = new Map<string, T>();
  /** Ids first stored here (absent from the base), in order. */
  readonly #added: string[] = [];
  #undo: { id: string; had: boolean; previous: T | undefined }[] = [];

  /** `base` must be frozen (or otherwise never written again while this copy lives). */
  constructor(base: Records<T>) {
    this.#base = base;
  }

  get(id: string): T | undefined {
    const v = this.#own.get(id);
    return v !== undefined ? v : this.#base.get(id);
  }
  set(id: string, record: T): void {
    const had = this.#own.has(id);
    this.#undo.push({ id, had, previous: this.#own.get(id) });
    if (!had && this.#base.get(id) === undefined) this.#added.push(id);
    this.#own.set(id, record);
  }
  count(): number {
    return this.#base.count() + this.#added.length;
  }
  *entries(): Generator<[string, T]> {
    for (const [k, v] of this.#base.entries()) yield [k, this.#own.get(k) ?? v];
    for (const k of this.#added) yield [k, this.#own.get(k)!];
  }
  page(offset: number, limit: number): [string, T][] {
    const n = this.#base.count();
    // The base pages by position; an id replaced here keeps its position.
    const out: [string, T][] =
      offset < n ? this.#base.page(offset, limit).map(([k, v]) => [k, this.#own.get(k) ?? v]) : [];
    const from = Math.max(0, offset - n);
    for (const k of this.#added.slice(from, from + limit - out.length)) out.push([k, this.#own.get(k)!]);
    return out;
  }
  freeze(): Records<T> {
    // Copies the own part (small for the short-lived states overlays serve).
    const frozen = new OverlayRecords(this.#base);
    for (const [k, v] of this.entriesOwnInOrder()) frozen.set(k, v);
    frozen.#undo = [];
    return new ReadOnlyRecords(frozen);
  }
  fork(): Records<T> {
    return new OverlayRecords(this.freeze());
  }
  begin(_index: number): void {
    this.#undo = [];
  }
  undo(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) {
      const { id, had, previous } = this.#undo[i]!;
      if (had) this.#own.set(id, previous as T);
      else {
        this.#own.delete(id);
        if (this.#added.at(-1) === id) this.#added.pop();
      }
    }
    this.#undo = [];
  }
  toJSON(): Record<string, T> {
    return objectOf(this.entries());
  }
  /** Own writes: replaced base ids first (base order does not matter for a copy), then added ids in order. */
  *entriesOwnInOrder(): Generator<[string, T]> {
    const added = new Set(this.#added);
    for (const [k, v] of this.#own) if (!added.has(k)) yield [k, v];
    for (const k of this.#added) yield [k, this.#own.get(k)!];
  }
}

/** A read-only face of a collection nobody writes any more. */
class ReadOnlyRecords<T> implements Records<T> {
  readonly #inner: Records<T>;
  constructor(inner: Records<T>) {
    this.#inner = inner;
  }
  get(id: string): T | undefined {
    return this.#inner.get(id);
  }
  set(): void {
    throw new Error('engine state: a frozen record collection is read-only; fork it to write');
  }
  count(): number {
    return this.#inner.count();
  }
  entries(): Iterable<[string, T]> {
    return this.#inner.entries();
  }
  page(offset: number, limit: number): [string, T][] {
    return this.#inner.page(offset, limit);
  }
  freeze(): Records<T> {
    return this;
  }
  fork(): Records<T> {
    return new OverlayRecords(this);
  }
  begin(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  undo(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  toJSON(): Record<string, T> {
    return this.#inner.toJSON();
  }
}
