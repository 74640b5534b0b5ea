/**
 * The derived record store (src/service/record-store.ts) on its own: views of one kind of
 * record share the rows they write alike and keep apart the ones they do not, a view that
 * writes a record twice while folding one entry keeps the last value, and reads "as of" an entry
 * see what each view had then.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { recordIds } from '../../src/engine/records.js';
import { RecordStore, sameJson } from '../../src/service/record-store.js';

let store: RecordStore;

/** The records of a page, without their ids. */
const values = <T>(page: [string, T][]) => page.map(([, v]) => v);
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
      if (pubValue !== undefined) pub.set(id, { v: pubValue });
      mech.set(id, { v: mechValue });
    };
    write(3, 'a', 'same', 'same');
    write(4, 'b', undefined, 'restricted');
    store.flush();
    write(5, 'a', 'public-later', 'mechanism-later');
    store.flush();
    write(6, 'a', 'both', 'both');
    store.flush();

    expect(pub.get('a')).toEqual({ v: 'both' });
    expect(mech.get('a')).toEqual({ v: 'both' });
    expect(pub.get('b')).toBeUndefined();
    expect(mech.get('b')).toEqual({ v: 'restricted' });
    expect(pub.asOf(4).get('a')).toEqual({ v: 'same' });
    expect(mech.asOf(4).get('a')).toEqual({ v: 'same' });
    expect(pub.asOf(6).get('a')).toEqual({ v: 'public-later' });
    expect(mech.asOf(6).get('a')).toEqual({ v: 'mechanism-later' });
    expect(recordIds(pub.asOf(99))).toEqual(['a']);
    expect(recordIds(mech.asOf(99))).toEqual(['a', 'b']);
    // A view with no writes of its own sees nothing, shared rows included.
    const parties = store.collection<{ v: string }>('incidents', 1);
    expect(parties.get('a')).toBeUndefined();
    expect(recordIds(parties.asOf(99))).toEqual([]);
  });

  it('keeps the last of several writes of one record while one entry is folded', () => {
    const { pub, mech, at } = twoViews('strikes');
    at(7);
    // The public view changes its mind; the other does not.
    for (const [id, first, last] of [
      ['s', 1, 2],
      ['t', 2, 1],
    ] as const) {
      pub.set(id, { v: first });
      mech.set(id, { v: first });
      pub.set(id, { v: last });
    }
    // And a stale value of its own beside a value it shares with the other view.
    pub.set('u', { v: 1 });
    pub.set('u', { v: 2 });
    mech.set('u', { v: 2 });
    store.flush();
    expect(pub.asOf(8).get('u')).toEqual({ v: 2 });
    expect(mech.asOf(8).get('u')).toEqual({ v: 2 });
    expect(pub.asOf(8).get('s')).toEqual({ v: 2 });
    expect(pub.asOf(8).get('t')).toEqual({ v: 1 });
    expect(mech.asOf(8).get('s')).toEqual({ v: 1 });
    expect(mech.asOf(8).get('t')).toEqual({ v: 2 });
  });

  it('counts and pages each view as of any entry, and forgets a failed fold’s new records', () => {
    const { pub, mech, at } = twoViews('findings');
    at(1);
    pub.set('b', { v: 1 });
    mech.set('b', { v: 1 });
    at(2);
    mech.set('a', { v: 2 }); // restricted: the public view never writes it
    store.flush();
    at(3);
    pub.set('c', { v: 3 });
    mech.set('c', { v: 3 });
    pub.set('b', { v: 4 }); // a new version, not a new record
    expect([pub.count(), mech.count()]).toEqual([2, 3]);
    // As of entry 3 (before it), c is not there yet; as of 4 it is, in each view's own count.
    expect([pub.asOf(3).count(), mech.asOf(3).count()]).toEqual([1, 2]);
    expect([pub.asOf(4).count(), mech.asOf(4).count()]).toEqual([2, 3]);
    expect(values(mech.asOf(4).page(0, 10))).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
    expect(values(pub.asOf(3).page(0, 10))).toEqual([{ v: 1 }]);
    expect(values(pub.asOf(4).page(1, 10))).toEqual([{ v: 3 }]);
    // Entry 4 fails to fold in the public view after writing a new record: it is forgotten.
    at(4);
    pub.set('d', { v: 5 });
    expect(pub.count()).toBe(3);
    pub.undo();
    expect(pub.count()).toBe(2);
    expect(pub.get('d')).toBeUndefined();
    store.flush();
    expect(pub.asOf(5).count()).toBe(2);
    expect(values(pub.page(0, 10))).toEqual([{ v: 4 }, { v: 3 }]);
  });

  it('forgets a failed fold’s new version of a record and reads the version before it again', () => {
    const { pub, mech, at } = twoViews('units');
    at(1);
    pub.set('u', { v: 1 });
    mech.set('u', { v: 1 });
    at(2);
    pub.set('u', { v: 2 });
    mech.set('u', { v: 2 });
    // Entry 2 fails in the public view only: its version 1 (not flushed yet) is the latest again.
    pub.undo();
    expect(pub.get('u')).toEqual({ v: 1 });
    expect(mech.get('u')).toEqual({ v: 2 });
    store.flush();
    expect(pub.get('u')).toEqual({ v: 1 });
    expect(pub.asOf(3).get('u')).toEqual({ v: 1 });
    expect(mech.asOf(3).get('u')).toEqual({ v: 2 });
    expect(mech.asOf(2).get('u')).toEqual({ v: 1 });
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
              views[w.view]!.set(w.id, w.value);
              wrote[w.view]!.set(w.id, w.value);
            }
            if (e.undo !== undefined) {
              views[e.undo]!.undo();
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
            for (const id of ['a', 'b', 'c']) expect(v.get(id)).toEqual(now[id]);
            expect(v.count()).toBe(Object.keys(now).length);
            for (let before = 0; before <= entries.length; before++) {
              const want = asOf(bit, before);
              const got = v.asOf(before);
              for (const id of ['a', 'b', 'c'])
                expect(JSON.stringify(got.get(id))).toBe(JSON.stringify(want[id]));
              expect(got.count()).toBe(Object.keys(want).length);
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
    pub.set('a', { v: 1 });
    mech.set('a', { v: 1 }); // shared with the public view's version: one row
    at(1);
    mech.set('b', { v: 2 });
    expect(store.pendingRows).toBe(2);
    store.flushOver(3);
    expect(store.pendingRows).toBe(2);
    expect(pub.get('a')).toEqual({ v: 1 });
    expect(mech.get('b')).toEqual({ v: 2 });
    at(2);
    pub.set('c', { v: 3 });
    store.flushOver(3);
    expect(store.pendingRows).toBe(0);
    expect(pub.get('c')).toEqual({ v: 3 });
    expect(recordIds(mech.asOf(2))).toEqual(['a', 'b']);
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
