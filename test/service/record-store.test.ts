/**
 * The derived record store (src/service/record-store.ts) on its own: views of one kind of
 * record share the rows they write alike and keep apart the ones they do not, a view that
 * writes a record twice while folding one entry keeps the last value, and reads "as of" an entry
 * see what each view had then.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordCount, recordPage } from '../../src/engine/state.js';
import { RecordStore } from '../../src/service/record-store.js';

let store: RecordStore;
afterEach(() => store.close());

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
    store = new RecordStore(':memory:');
    const pub = store.collection<{ v: number }>('strikes', 0);
    const mech = store.collection<{ v: number }>('strikes', 1);
    pub.cursor = 7;
    mech.cursor = 7;
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
    store = new RecordStore(':memory:');
    const pub = store.collection<{ v: number }>('findings', 0);
    const mech = store.collection<{ v: number }>('findings', 1);
    const at = (cursor: number) => {
      pub.cursor = cursor;
      mech.cursor = cursor;
    };
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

  it('refuses a view number it cannot hold as a bit', () => {
    store = new RecordStore(':memory:');
    expect(() => store.collection('units', 31)).toThrow(/0–30/);
  });
});
