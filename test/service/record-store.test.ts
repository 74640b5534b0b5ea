/**
 * The derived record store (src/service/record-store.ts) on its own: views of one kind of
 * record share the rows they write alike and keep apart the ones they do not, a view that
 * writes a record twice while folding one entry keeps the last value, and reads "as of" an entry
 * see what each view had then.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { recordCount, recordPage } from '../../src/engine/state.js';
import { RecordStore, sameJson } from '../../src/service/record-store.js';

let store: RecordStore;
afterEach(() => store.close());

/** A fresh store with a public view (bit 0) and a mechanism view (bit 1) of `kind`, and a way to set both cursors. */
function twoViews(kind: string) {
  store = new RecordStore(':memory:');
  const pub = store.collection<{ v: number }>(kind, 0);
  const mech = store.collection<{ v: number }>(kind, 1);
  const at = (cursor: number) => {
    pub.cursor = cursor;
    mech.cursor = cursor;
  };
  return { pub, mech, at };
}

describe('the record store', () => {
  it('keeps each view its own versions, shared or not, now and as of any entry', () => {
    store = new RecordStore(':memory:');
    const pub = store.collection<{ v: string }>('incidents', 0);
    const mech = store.collection<{ v: string }>('incidents', 2);
    const write = (at: number, id: string, pubValue: string | undefined, mechValue: string) => {
      pub.cursor = at;
      mech.cursor = at;
      if (pubValue !== undefined) pub.proxy[id] = { v: pubValue };
      mech.proxy[id] = { v: mechValue };
    };
    write(3, 'a', 'same', 'same');
    write(4, 'b', undefined, 'restricted');
    store.flush();
    write(5, 'a', 'public-later', 'mechanism-later');
    store.flush();
    write(6, 'a', 'both', 'both');
    store.flush();

    expect(pub.proxy.a).toEqual({ v: 'both' });
    expect(mech.proxy.a).toEqual({ v: 'both' });
    expect(pub.proxy.b).toBeUndefined();
    expect(mech.proxy.b).toEqual({ v: 'restricted' });
    expect(pub.asOf(4).a).toEqual({ v: 'same' });
    expect(mech.asOf(4).a).toEqual({ v: 'same' });
    expect(pub.asOf(6).a).toEqual({ v: 'public-later' });
    expect(mech.asOf(6).a).toEqual({ v: 'mechanism-later' });
    expect(Object.keys(pub.asOf(99))).toEqual(['a']);
    expect(Object.keys(mech.asOf(99))).toEqual(['a', 'b']);
    // A view with no writes of its own sees nothing, shared rows included.
    const parties = store.collection<{ v: string }>('incidents', 1);
    expect(parties.proxy.a).toBeUndefined();
    expect(Object.keys(parties.asOf(99))).toEqual([]);
  });

  it('keeps the last of several writes of one record while one entry is folded', () => {
    const { pub, mech, at } = twoViews('strikes');
    at(7);
    // The public view changes its mind; the other does not.
    for (const [id, first, last] of [
      ['s', 1, 2],
      ['t', 2, 1],
    ] as const) {
      pub.proxy[id] = { v: first };
      mech.proxy[id] = { v: first };
      pub.proxy[id] = { v: last };
    }
    // And a stale value of its own beside a value it shares with the other view.
    pub.proxy.u = { v: 1 };
    pub.proxy.u = { v: 2 };
    mech.proxy.u = { v: 2 };
    store.flush();
    expect(pub.asOf(8).u).toEqual({ v: 2 });
    expect(mech.asOf(8).u).toEqual({ v: 2 });
    expect(pub.asOf(8).s).toEqual({ v: 2 });
    expect(pub.asOf(8).t).toEqual({ v: 1 });
    expect(mech.asOf(8).s).toEqual({ v: 1 });
    expect(mech.asOf(8).t).toEqual({ v: 2 });
  });

  it('counts and pages each view as of any entry, and forgets a failed fold’s new records', () => {
    const { pub, mech, at } = twoViews('findings');
    at(1);
    pub.proxy.b = { v: 1 };
    mech.proxy.b = { v: 1 };
    at(2);
    mech.proxy.a = { v: 2 }; // restricted: the public view never writes it
    store.flush();
    at(3);
    pub.proxy.c = { v: 3 };
    mech.proxy.c = { v: 3 };
    pub.proxy.b = { v: 4 }; // a new version, not a new record
    expect([recordCount(pub.proxy), recordCount(mech.proxy)]).toEqual([2, 3]);
    // As of entry 3 (before it), c is not there yet; as of 4 it is, in each view's own count.
    expect([recordCount(pub.asOf(3)), recordCount(mech.asOf(3))]).toEqual([1, 2]);
    expect([recordCount(pub.asOf(4)), recordCount(mech.asOf(4))]).toEqual([2, 3]);
    expect(recordPage(mech.asOf(4), 0, 10)).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
    expect(recordPage(pub.asOf(3), 0, 10)).toEqual([{ v: 1 }]);
    expect(recordPage(pub.asOf(4), 1, 10)).toEqual([{ v: 3 }]);
    // Entry 4 fails to fold in the public view after writing a new record: it is forgotten.
    at(4);
    pub.proxy.d = { v: 5 };
    expect(recordCount(pub.proxy)).toBe(3);
    pub.undoCursor();
    expect(recordCount(pub.proxy)).toBe(2);
    expect(pub.proxy.d).toBeUndefined();
    store.flush();
    expect(recordCount(pub.asOf(5))).toBe(2);
    expect(recordPage(pub.proxy, 0, 10)).toEqual([{ v: 4 }, { v: 3 }]);
  });

  it('forgets a failed fold’s new version of a record and reads the version before it again', () => {
    const { pub, mech, at } = twoViews('units');
    at(1);
    pub.proxy.u = { v: 1 };
    mech.proxy.u = { v: 1 };
    at(2);
    pub.proxy.u = { v: 2 };
    mech.proxy.u = { v: 2 };
    // Entry 2 fails in the public view only: its version 1 (not flushed yet) is the latest again.
    pub.undoCursor();
    expect(pub.proxy.u).toEqual({ v: 1 });
    expect(mech.proxy.u).toEqual({ v: 2 });
    store.flush();
    expect(pub.proxy.u).toEqual({ v: 1 });
    expect(pub.asOf(3).u).toEqual({ v: 1 });
    expect(mech.asOf(3).u).toEqual({ v: 2 });
    expect(mech.asOf(2).u).toEqual({ v: 1 });
  });

  it('reads back what each view wrote, whatever the views share, flush or undo (model)', () => {
    // Three views fold entries in order, as the clearance views do: each writes records with
    // values drawn from a small set (so that views often write alike and share rows), a view's
    // fold may fail (its writes for that entry are undone), and flushes come at random (as a
    // server's do: once some number of versions is pending, `flushOver`). Every
    // view must read, now and as of every entry, exactly what a plain map per view says.
    const write = fc.record({
      view: fc.integer({ min: 0, max: 2 }),
      id: fc.constantFrom('a', 'b', 'c'),
      value: fc.constantFrom({ n: 1 }, { n: 2 }, { n: 1, tag: 'x' }, { tag: 'x', n: 1 }, [1, 2], null),
    });
    const entry = fc.record({
      writes: fc.array(write, { maxLength: 6 }),
      undo: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      flush: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), (entries) => {
        const s = new RecordStore(':memory:');
        try {
          const views = [0, 1, 2].map((bit) => s.collection<unknown>('incidents', bit));
          // Per view: id → [entry, value] versions, in order.
          const model = [0, 1, 2].map(() => new Map<string, [number, unknown][]>());
          entries.forEach((e, at) => {
            for (const v of views) v.cursor = at;
            const wrote = [0, 1, 2].map(() => new Map<string, unknown>());
            for (const w of e.writes) {
              views[w.view]!.proxy[w.id] = w.value;
              wrote[w.view]!.set(w.id, w.value);
            }
            if (e.undo !== undefined) {
              views[e.undo]!.undoCursor();
              wrote[e.undo]!.clear();
            }
            wrote.forEach((m, bit) => {
              for (const [id, value] of m) model[bit]!.set(id, [...(model[bit]!.get(id) ?? []), [at, value]]);
            });
            if (e.flush !== undefined) s.flushOver(e.flush);
          });
          const asOf = (bit: number, before: number) =>
            Object.fromEntries(
              [...model[bit]!]
                .map(([id, versions]) => [id, versions.filter(([at]) => at < before).at(-1)?.[1]] as const)
                .filter(([, v]) => v !== undefined),
            );
          for (const [bit, v] of views.entries()) {
            const now = asOf(bit, entries.length);
            for (const id of ['a', 'b', 'c']) expect(v.proxy[id]).toEqual(now[id]);
            expect(recordCount(v.proxy)).toBe(Object.keys(now).length);
            for (let before = 0; before <= entries.length; before++) {
              const want = asOf(bit, before);
              const got = v.asOf(before);
              for (const id of ['a', 'b', 'c'])
                expect(JSON.stringify(got[id])).toBe(JSON.stringify(want[id]));
              expect(recordCount(got)).toBe(Object.keys(want).length);
            }
          }
        } finally {
          s.close();
        }
      }),
      { numRuns: 300 },
    );
    store = new RecordStore(':memory:');
  });

  it('writes its file once enough versions are pending, and reads them from memory until then', () => {
    const { pub, mech, at } = twoViews('incidents');
    at(0);
    pub.proxy.a = { v: 1 };
    mech.proxy.a = { v: 1 }; // shared with the public view's version: one row
    at(1);
    mech.proxy.b = { v: 2 };
    expect(store.pendingRows).toBe(2);
    store.flushOver(3);
    expect(store.pendingRows).toBe(2);
    expect(pub.proxy.a).toEqual({ v: 1 });
    expect(mech.proxy.b).toEqual({ v: 2 });
    at(2);
    pub.proxy.c = { v: 3 };
    store.flushOver(3);
    expect(store.pendingRows).toBe(0);
    expect(pub.proxy.c).toEqual({ v: 3 });
    expect(Object.keys(mech.asOf(2))).toEqual(['a', 'b']);
  });

  it('calls values alike only when their JSON texts are the same', () => {
    // Any JSON value against itself, a structured copy (alike), and another value: alike must
    // imply the same text; the reverse need not hold (a false "not alike" only costs a row).
    const anything = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(undefined, Number.NaN, -0, new Date(0), { toJSON: () => 1 }, { a: undefined }, [
        undefined,
      ]),
    );
    fc.assert(
      fc.property(anything, anything, (a, b) => {
        if (sameJson(a, b)) expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        if (sameJson(b, a)) expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (a) => {
        expect(sameJson(a, structuredClone(a))).toBe(true);
      }),
    );
    // Same keys in another order are not alike: their texts differ.
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1, [2, { c: 3 }]], [1, [2, { c: 3 }]])).toBe(true);
    expect(sameJson([1, [2, { c: 3 }]], [1, [2, { c: 4 }]])).toBe(false);
  });

  it('refuses a view number it cannot hold as a bit', () => {
    store = new RecordStore(':memory:');
    expect(() => store.collection('units', 31)).toThrow(/0–30/);
  });
});
