/**
 * `seedDemo`: a data directory with the embedded demo: the default scenario, a deterministic
 * SIMULATED history of several months (demo-history.ts) and the real incident records shipped
 * with the scenario (UCDP GED, the FPV-strike catalogue; interop/events-import.ts), merged in
 * time order and ingested through the log's door and the engine, each statement admitted at its
 * own `at` (so the backdating and clock-skew rules hold exactly as for live submissions).
 */
import { join } from 'node:path';
import { dataDirPaths, readSignerKey } from '../datadir/data-dir.js';
import { ingest } from '../ingest/ingest.js';
import { eventsToEnvelopes, type ImportProblem, readScenarioEvents } from '../interop/events-import.js';
import { initDataDir, Mechanism } from '../mechanism/mechanism.js';
import type { NoteSigner } from '../statement/keys.js';
import type { Envelope } from '../statement/types.js';
import { generateDemoHistory } from './demo-history.js';

export const DEFAULT_DEMO_SEED = 20260626;
export const DEFAULT_DEMO_MONTHS = 4;
/** The real records are reported by the monitors this long after the signing. */
export const IMPORT_DELAY_MS = 2 * 3_600_000;

export interface SeedProgress {
  phase: 'generate' | 'import' | 'ingest';
  done: number;
  total: number;
}

export interface SeedDemoOptions {
  seed?: number;
  months?: number;
  /** Import the scenario's real incident records (default: true for the lebanon-2026 agreement). */
  importEvents?: boolean;
  onProgress?: (p: SeedProgress) => void;
  /**
   * More signed statements, merged into the history in time order and admitted like the rest
   * (bench/control-room-log.ts grows the demo to 100,000 incidents with it).
   */
  extra?: readonly Envelope[];
}

export interface SeedRejection {
  kind: string;
  subject: string;
  at: string;
  source: 'demo' | 'import' | 'extra';
  code: string;
  message: string;
}

export interface SeedDemoResult {
  /** True when this call initialized the directory. */
  initialized: boolean;
  /** Statements generated (simulated) and imported (real records). */
  demo: number;
  imported: number;
  admitted: number;
  rejected: SeedRejection[];
  /** Source rows that could not be turned into statements, by file and line. */
  importProblems: ImportProblem[];
  /** Admitted statements by kind. */
  byKind: Record<string, number>;
  /** Log size after seeding. */
  logSize: number;
}

/** Initializes `dir` when it holds no agreement yet, then seeds it. Refuses a log that already has entries. */
export function seedDemo(dir: string, options: SeedDemoOptions = {}): SeedDemoResult {
  const progress = options.onProgress ?? (() => {});
  let initialized = false;
  if (!Mechanism.exists(dir)) {
    initDataDir(dir);
    initialized = true;
  }
  const m = Mechanism.open(dir);
  try {
    if (m.log.size > 0) {
      throw new Error(
        `${dir} already holds ${m.log.size} log entries: the demo seeds a new log only (use a fresh --data directory)`,
      );
    }
    const a = m.agreement;
    const keysDir = dataDirPaths(dir).keysDir;
    const signers: Record<string, NoteSigner> = {};
    for (const p of a.parties) signers[p.id] = readSignerKey(join(keysDir, `${p.id}.key`));

    progress({ phase: 'generate', done: 0, total: 1 });
    const history = generateDemoHistory(a, signers, {
      seed: options.seed ?? DEFAULT_DEMO_SEED,
      months: options.months ?? DEFAULT_DEMO_MONTHS,
    });
    progress({ phase: 'generate', done: 1, total: 1 });

    let imported: Envelope[] = [];
    let importProblems: ImportProblem[] = [];
    if (options.importEvents ?? a.id === 'lebanon-2026') {
      progress({ phase: 'import', done: 0, total: 1 });
      const start = Date.parse(a.signedAt ?? history[0]?.statement.at ?? '2026-06-26T16:00:00.000Z');
      const r = readScenarioEvents(a);
      importProblems = r.problems;
      imported = eventsToEnvelopes(a, r.events, signers.monitors!, {
        at: new Date(start + IMPORT_DELAY_MS).toISOString(),
      });
      progress({ phase: 'import', done: 1, total: 1 });
    }

    // Merge in time order; on equal times the simulated statement first (a stable sort).
    const tagged = [
      ...history.map((envelope) => ({ envelope, source: 'demo' as const })),
      ...imported.map((envelope) => ({ envelope, source: 'import' as const })),
      ...(options.extra ?? []).map((envelope) => ({ envelope, source: 'extra' as const })),
    ];
    tagged.sort((x, y) =>
      x.envelope.statement.at < y.envelope.statement.at
        ? -1
        : x.envelope.statement.at > y.envelope.statement.at
          ? 1
          : 0,
    );

    const hooks = m.hooks();
    const rejected: SeedRejection[] = [];
    const byKind: Record<string, number> = {};
    let admitted = 0;
    // One ingest call per distinct `at`: each statement is admitted at its own time.
    for (let i = 0; i < tagged.length; ) {
      const now = tagged[i]!.envelope.statement.at;
      let j = i;
      while (j < tagged.length && tagged[j]!.envelope.statement.at === now) j++;
      const group = tagged.slice(i, j);
      const results = ingest(
        m.log,
        group.map((g) => g.envelope),
        { now, ...hooks },
      );
      results.forEach((r, k) => {
        const { envelope, source } = group[k]!;
        const st = envelope.statement;
        if (r.ok) {
          admitted++;
          byKind[st.kind] = (byKind[st.kind] ?? 0) + 1;
        } else
          rejected.push({
            kind: st.kind,
            subject: st.subject,
            at: st.at,
            source,
            code: r.code,
            message: r.message,
          });
      });
      i = j;
      progress({ phase: 'ingest', done: i, total: tagged.length });
    }
    return {
      initialized,
      demo: history.length,
      imported: imported.length,
      admitted,
      rejected,
      importProblems,
      byKind,
      logSize: m.log.size,
    };
  } finally {
    m.close();
  }
}
