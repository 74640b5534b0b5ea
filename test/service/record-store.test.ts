/**
 * The derived record store (src/service/record-store.ts) on its own: views of one kind of
 * record share the rows they write alike and keep apart the ones they do not, a view that
 * writes a record twice while folding one entry keeps the last value, and reads "as of" an entry
 * see what each view had then.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

  it('refuses a view number it cannot hold as a bit', () => {
    store = new RecordStore(':memory:');
    expect(() => store.collection('units', 31)).toThrow(/0–30/);
  });
});
