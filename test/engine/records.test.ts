/**
 * The engine's record tables (src/engine/records.ts) against a model: a plain map per table.
 * Frozen views keep reading what was there when they were taken, forks keep their writes to
 * themselves, and an undone entry leaves nothing behind, whatever the order of operations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRecords, type Records, recordIds } from '../../src/engine/records.js';

type Op =
  | { op: 'set'; id: string; value: number }
  | { op: 'begin' }
  | { op: 'undo' }
  | { op: 'freeze' }
  | { op: 'fork'; writes: { id: string; value: number }[] };

const ID = fc.constantFrom('a', 'b', 'c', 'd');
const OP: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), id: ID, value: fc.integer() }) },
  { weight: 2, arbitrary: fc.constant({ op: 'begin' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'undo' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'freeze' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('fork' as const),
      writes: fc.array(fc.record({ id: ID, value: fc.integer() }), { maxLength: 4 }),
    }),
  },
);

/** The model of a table: ids in first-stored order with their latest values. */
type Model = [string, number][];

function read(r: Records<number>): Model {
  return [...r.entries()];
}

function check(r: Records<number>, want: Model): void {
  expect(read(r)).toEqual(want);
  expect(r.count()).toBe(want.length);
  expect(recordIds(r)).toEqual(want.map(([k]) => k));
  for (const [k, v] of want) expect(r.get(k)).toBe(v);
  expect(r.get('absent')).toBeUndefined();
  expect(r.page(1, 2)).toEqual(want.slice(1, 3));
  expect(r.toJSON()).toEqual(Object.fromEntries(want));
}

function put(model: Model, id: string, value: number): Model {
  const i = model.findIndex(([k]) => k === id);
  return i < 0 ? [...model, [id, value]] : model.map((e, j) => (j === i ? [id, value] : e));
}

describe('record tables in memory', () => {
  it('read like a plain map; frozen views, forks and undo never disturb one another (model)', () => {
    fc.assert(
      fc.property(fc.array(OP, { maxLength: 40 }), (ops) => {
        const live = new MemoryRecords<number>();
        let model: Model = [];
        let sinceBegin: Model | undefined; // the model at the last begin, when one was called
        const frozen: { view: Records<number>; want: Model }[] = [];
        for (const o of ops) {
          if (o.op === 'set') {
            live.set(o.id, o.value);
            model = put(model, o.id, o.value);
          } else if (o.op === 'begin') {
            live.begin(0);
            sinceBegin = model;
          } else if (o.op === 'undo') {
            live.undo();
            if (sinceBegin !== undefined) model = sinceBegin;
            // A second undo without a begin changes nothing.
            sinceBegin = model;
          } else if (o.op === 'freeze') {
            frozen.push({ view: live.freeze(), want: model });
            // What a frozen view saw stays: a later undo reaches only later writes.
            if (sinceBegin !== undefined) sinceBegin = model;
          } else {
            const fork = live.fork(); // a fork is over a frozen view: it ends the undo window too
            if (sinceBegin !== undefined) sinceBegin = model;
            let forked = model;
            for (const w of o.writes) {
              fork.set(w.id, w.value);
              forked = put(forked, w.id, w.value);
            }
            check(fork, forked);
            const again = fork.freeze();
            fork.set('z', 1);
            check(again, forked);
          }
          check(live, model);
          for (const f of frozen) check(f.view, f.want);
        }
        for (const f of frozen) expect(() => f.view.set('a', 0)).toThrow(/read-only/);
      }),
      { numRuns: 400 },
    );
  });
});
