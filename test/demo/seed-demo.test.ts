/**
 * seedDemo (src/demo/seed-demo.ts): a fresh data directory seeded with the simulated history and
 * the real incident records, every statement admitted through the log's door at its own time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSimulated } from '../../src/demo/demo-history.js';
import { type SeedDemoResult, type SeedProgress, seedDemo } from '../../src/demo/seed-demo.js';
import { recordIds } from '../../src/engine/records.js';
import { Mechanism } from '../../src/mechanism/mechanism.js';

let dir: string;
let result: SeedDemoResult;
const progress: SeedProgress[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'phaseline-seed-'));
  result = seedDemo(join(dir, 'data'), { seed: 11, months: 4, onProgress: (p) => progress.push(p) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seedDemo', () => {
  it('initializes the directory and admits every simulated and imported statement', () => {
    expect(result.initialized).toBe(true);
    expect(result.rejected).toEqual([]);
    expect(result.importProblems).toEqual([]);
    expect(result.imported).toBe(123 + 149);
    expect(result.admitted).toBe(result.demo + result.imported);
    expect(result.logSize).toBe(result.admitted);
    expect(Object.values(result.byKind).reduce((a, b) => a + b, 0)).toBe(result.admitted);
  });

  it('reports progress up to the total', () => {
    const ingest = progress.filter((p) => p.phase === 'ingest');
    expect(ingest.length).toBeGreaterThan(10);
    expect(ingest.at(-1)).toMatchObject({ done: result.admitted, total: result.admitted });
  });

  it('the reopened directory replays to the seeded state: zones handed over, real and simulated incidents side by side', () => {
    const m = Mechanism.open(join(dir, 'data'));
    try {
      expect(m.log.size).toBe(result.admitted);
      const s = m.timeline.current;
      expect(s.zones['sour-south-litani']!.stage).toBe('handed-over');
      const ids = recordIds(s.incidents);
      expect(ids.filter((i) => i.startsWith('ucdp-ged-'))).toHaveLength(123);
      expect(ids.filter((i) => i.startsWith('fpv-catalogue-'))).toHaveLength(149);
      expect(ids.filter((i) => i.startsWith('sim-inc-')).length).toBeGreaterThan(20);
      const src = m.timeline.source();
      let simulated = 0;
      for (let i = 0; i < src.length; i++) if (isSimulated(src.get(i).envelope.statement)) simulated++;
      expect(simulated).toBe(result.demo);
      // admission times never decrease, and every statement was admitted at its own time
      for (let i = 0; i < src.length; i++) expect(src.get(i).admitted).toBe(src.get(i).envelope.statement.at);
    } finally {
      m.close();
    }
  });

  it('refuses to seed a log that already has entries', () => {
    expect(() => seedDemo(join(dir, 'data'), { seed: 11 })).toThrow(/already holds \d+ log entries/);
  });
});
