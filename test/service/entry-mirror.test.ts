// A PostgreSQL node's local mirror of the entries it folded: reads see buffered appends, the
// statement-id lookup is exact, entries come back in order and as appended, and the file goes
// at close.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEntry } from '../../src/engine/index.js';
import { EntryMirror } from '../../src/service/entry-mirror.js';
import { statementId } from '../../src/statement/envelope.js';
import { signedReport } from '../fixtures/signed-envelopes.js';

const dir = mkdtempSync(join(tmpdir(), 'phaseline-mirror-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (index: number): EngineEntry => ({
  index,
  admitted: new Date(Date.UTC(2026, 6, 1) + index * 1000).toISOString(),
  envelope: signedReport(index, 'mirror'),
});

describe('EntryMirror', () => {
  it('reads back what was appended, buffered or written, in index order; refuses a gap', () => {
    const path = join(dir, 'a.db');
    const mirror = new EntryMirror(path);
    const entries = Array.from({ length: 2500 }, (_, i) => entry(i));
    for (const e of entries.slice(0, 2000)) mirror.append(e, statementId(e.envelope.statement));
    mirror.flush();
    for (const e of entries.slice(2000)) mirror.append(e, statementId(e.envelope.statement));
    expect(mirror.size).toBe(2500);
    // Across the read pages (1,024 entries) and the buffered appends.
    expect([...mirror.entries(1000, 2300)]).toEqual(entries.slice(1000, 2300));
    expect(mirror.admittedMs(2499)).toBe(Date.parse(entries[2499]!.admitted));
    expect(mirror.hasStatement(statementId(entries[2400]!.envelope.statement))).toBe(true);
    expect(mirror.hasStatement(statementId(signedReport(9999, 'mirror').statement))).toBe(false);
    expect(mirror.hasStatement('not an id')).toBe(false);
    expect(() => mirror.append(entry(2501), 'ab'.repeat(32))).toThrow(/expected entry 2500, got 2501/);
    expect(existsSync(path)).toBe(true);
    mirror.close();
    expect(existsSync(path)).toBe(false);
  });

  it('starts empty when its file is left from an earlier run', () => {
    const path = join(dir, 'b.db');
    const first = new EntryMirror(path);
    first.append(entry(0), statementId(entry(0).envelope.statement));
    first.flush();
    // A node killed before closing leaves its file; the next opening recreates it.
    const second = new EntryMirror(path);
    expect(second.size).toBe(0);
    expect(second.hasStatement(statementId(entry(0).envelope.statement))).toBe(false);
    second.close();
  });
});
