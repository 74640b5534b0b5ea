/**
 * `phaseline import acled FILE`: an ACLED export (its published CSV layout) into the log as signed
 * open-source incident reports. All or nothing for malformed rows: a file with one bad row is
 * refused whole, naming every bad line, and the log is left as it was; rows that are well formed
 * but are not incidents here, repeat an id, are already in the log or are probably the same
 * event as one already known from another dataset are skipped and counted, each with its reason.
 */
import { recordValues } from '../engine/index.js';
import { ingest } from '../ingest/ingest.js';
import { dropDuplicates, type KnownIncident, readAcledCsv } from '../interop/acled-import.js';
import { eventsToEnvelopes, type ImportProblem } from '../interop/events-import.js';
import type { Mechanism } from '../mechanism/mechanism.js';
import type { NoteSigner } from '../statement/keys.js';
import { progressBar } from './progress.js';

export interface AcledImportResult {
  file: string;
  format: 'acled';
  admitted: number;
  rejected: { line: number; code: string; message: string }[];
  unreadable: ImportProblem[];
  skipped: { line: number; reason: string }[];
}

/** Imports an ACLED file's text; `unreadable` non-empty means nothing was imported. */
export function importAcled(
  m: Mechanism,
  signer: NoteSigner,
  text: string,
  file: string,
  now: string,
): AcledImportResult {
  const read = readAcledCsv(text, file, m.agreement);
  const result: AcledImportResult = {
    file,
    format: 'acled',
    admitted: 0,
    rejected: [],
    unreadable: read.problems,
    skipped: [],
  };
  if (read.problems.length > 0) return result;
  const incidents = recordValues(m.timeline.current.incidents);
  const inLog = new Set(incidents.map((i) => i.id));
  const already = read.events.filter((e) => inLog.has(e.subject));
  const known: KnownIncident[] = incidents.map((i) => ({
    id: i.id,
    actor: i.actor ?? '',
    date_start: i.date_start,
    date_end: i.date_end,
    where_prec: i.where_prec,
    ...(i.latitude !== null && i.longitude !== null ? { latitude: i.latitude, longitude: i.longitude } : {}),
  }));
  const { events, duplicates } = dropDuplicates(
    read.events.filter((e) => !inLog.has(e.subject)),
    known,
  );
  result.skipped = [
    ...read.skipped,
    ...duplicates,
    ...already.map((e) => ({
      file,
      line: e.line,
      reason: `ACLED ${e.sourceId}: already in the log as incident ${e.subject}`,
    })),
  ]
    .map(({ line, reason }) => ({ line, reason }))
    .sort((a, b) => a.line - b.line);
  const envelopes = eventsToEnvelopes(m.agreement, events, signer, { at: now, party: signer.name });
  const bar = progressBar('import', 'records');
  const chunk = 1000;
  for (let off = 0; off < envelopes.length; off += chunk) {
    const results = ingest(m.log, envelopes.slice(off, off + chunk), { now, ...m.hooks() });
    results.forEach((r, k) => {
      if (r.ok) result.admitted++;
      else result.rejected.push({ line: events[off + k]!.line, code: r.code, message: r.message });
    });
    bar.update(Math.min(envelopes.length, off + chunk), envelopes.length);
  }
  bar.stop();
  return result;
}

/** The summary people read: counts, then every skipped row with its reason. */
export function acledSummary(r: AcledImportResult): string {
  const count = (re: RegExp) => r.skipped.filter((s) => re.test(s.reason)).length;
  const lines = [
    `${r.file}: ${r.admitted} incident reports imported; ${r.skipped.length} rows skipped (${count(/already in the log/)} already in the log, ${count(/probably the same event/)} probable duplicates of incidents from another dataset, ${count(/has no incident type/)} not incidents here, ${count(/appears earlier/)} repeated ids)${r.rejected.length > 0 ? `; ${r.rejected.length} rejected by the agreement's rules` : ''}`,
    ...r.skipped.map((s) => `  line ${s.line}: ${s.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}
