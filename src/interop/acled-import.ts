/**
 * ACLED (Armed Conflict Location & Event Data) exports in, as `incident.report` statements, in
 * ACLED's published CSV layout (the export tool's and the API's 31 columns, `event_id_cnty` …
 * `timestamp`). ACLED's terms forbid redistributing its data, so nothing of ACLED ships here:
 * the tests use a fixture written in the layout (`test/interop/fixtures/acled-layout.csv`).
 *
 * | statement body       | ACLED column                                                                |
 * |----------------------|-----------------------------------------------------------------------------|
 * | date_start/date_end  | `event_date` (`2024-11-18` or `18 November 2024`), widened by `time_precision`: 1 the day, 2 the week around it (±3 days), 3 its calendar month |
 * | latitude/longitude   | unchanged                                                                   |
 * | date_prec (UCDP)     | `time_precision` 1 → 1 (the day), 2 → 3 (the week), 3 → 4 (the month) |
 * | where_prec (UCDP)    | `geo_precision` 1 (the town) → 1; 2 (near the town, within the district) → 2; 3 (a larger region) → 4 |
 * | deaths_low/best/high | `fatalities` for all three (ACLED records one conservative figure)          |
 * | type                 | `sub_event_type`: Air/drone strike → air-strike; Shelling/artillery/missile attack → artillery; Armed clash, Government regains territory, Non-state actor overtakes territory → armed-presence; Attack, Abduction/forced disappearance, Sexual violence → harm-to-civilians; Looting/property destruction → demolition; others (protests, riots, agreements, …) are skipped, each with its reason |
 * | actor                | `actor1`, its "(years)" suffix dropped: Military Forces of Israel → israel, Hezbollah → hezbollah, Military Forces of Lebanon → lebanon; others in kebab case |
 * | zone                 | point-in-polygon, only when where_prec ≤ 2                                  |
 * | source_grade         | `B3`: usually reliable (trained coders, published methodology), possibly true (coded weekly from media reports, often a single one, without the corroboration UCDP requires for its `B2`) |
 * | evidence             | [SHA-256 of the source row]                                                 |
 * | note                 | event id, the ACLED types, both precision codes as given, actor2, location, ACLED's own notes |
 *
 * Duplicates across datasets: ACLED and UCDP code many of the same events under their own ids.
 * An ACLED row is skipped as a probable duplicate of an incident already in the log (or earlier
 * in the same import) with the same actor, a date range that overlaps its own, and a point within
 * {@link duplicate_distance_km_max}, when both are precise enough to name one event (place known
 * to ~25 km, dates to less than a week); the summary names the incident it duplicates.
 */
import { createHash } from 'node:crypto';
import type { Agreement } from '../agreement/model.js';
import type { IncidentType } from '../engine/kinds.js';
import { CsvError, csvObjects } from './csv.js';
import type { ImportedEvent, ImportProblem, IncidentBody } from './events-import.js';
import { zoneLocator } from './zones.js';

export const ACLED_SOURCE_GRADE = 'B3';
/** Two reports of one event by different datasets are at most this far apart (a town and its outskirts). */
export const duplicate_distance_km_max = 5;

/** ACLED's export columns, in its published order; the importer reads a file with all of them. */
export const ACLED_COLUMNS = [
  'event_id_cnty',
  'event_date',
  'year',
  'time_precision',
  'disorder_type',
  'event_type',
  'sub_event_type',
  'actor1',
  'assoc_actor_1',
  'inter1',
  'actor2',
  'assoc_actor_2',
  'inter2',
  'interaction',
  'civilian_targeting',
  'iso',
  'region',
  'country',
  'admin1',
  'admin2',
  'admin3',
  'location',
  'latitude',
  'longitude',
  'geo_precision',
  'source',
  'source_scale',
  'notes',
  'fatalities',
  'tags',
  'timestamp',
] as const;

const SUB_EVENT_TYPES: Record<string, IncidentType> = {
  'Air/drone strike': 'air-strike',
  'Shelling/artillery/missile attack': 'artillery',
  'Armed clash': 'armed-presence',
  'Government regains territory': 'armed-presence',
  'Non-state actor overtakes territory': 'armed-presence',
  Attack: 'harm-to-civilians',
  'Abduction/forced disappearance': 'harm-to-civilians',
  'Sexual violence': 'harm-to-civilians',
  'Looting/property destruction': 'demolition',
};

const ACTORS: Record<string, string> = {
  'Military Forces of Israel': 'israel',
  Hezbollah: 'hezbollah',
  'Military Forces of Lebanon': 'lebanon',
  'Military Forces of Iran': 'iran',
};

/** An actor id for an ACLED actor name. */
export function acledActorId(name: string): string {
  const base = name.replace(/\s*\(\d{4}-(\d{4})?\)\s*$/, '').trim();
  return (
    ACTORS[base] ??
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 128)
  );
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `2024-11-18` or `18 November 2024` as ms at 00:00 UTC, or null. */
function acledDay(text: string): number | null {
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const long = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/.exec(text);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (long && MONTHS.includes(long[2]!))
    [y, m, d] = [Number(long[3]), MONTHS.indexOf(long[2]!) + 1, Number(long[1])];
  else return null;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : null;
}

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** What reading an ACLED file gave: rows to import, rows skipped by rule (with why), malformed rows. */
export interface AcledRead {
  events: ImportedEvent[];
  skipped: ImportProblem[];
  problems: ImportProblem[];
}

/**
 * Reads an ACLED CSV. Malformed rows (a bad date, a coordinate out of range, a missing field) are
 * `problems`; rows that are well formed but have no incident equivalent, or repeat an event id,
 * are `skipped` with their reason.
 */
export function readAcledCsv(text: string, file: string, agreement: Agreement): AcledRead {
  const out: AcledRead = { events: [], skipped: [], problems: [] };
  let parsed: ReturnType<typeof csvObjects>;
  try {
    parsed = csvObjects(text, ACLED_COLUMNS);
  } catch (e) {
    if (e instanceof CsvError) return { ...out, problems: [{ file, line: e.line, reason: e.message }] };
    throw e;
  }
  out.problems.push(...parsed.problems.map((p) => ({ file, ...p })));
  const locate = zoneLocator(agreement);
  const seen = new Set<string>();
  for (const r of parsed.rows) {
    const v = r.values as Record<(typeof ACLED_COLUMNS)[number], string>;
    const id = v.event_id_cnty;
    const bad = (reason: string) =>
      out.problems.push({ file, line: r.line, reason: `ACLED ${id || '?'}: ${reason}` });
    const skip = (reason: string) =>
      out.skipped.push({ file, line: r.line, reason: `ACLED ${id}: ${reason}` });
    if (!/^[A-Z]{3}\d+$/.test(id)) {
      bad(`event_id_cnty ${JSON.stringify(id)} is not an ACLED event id (country code and number)`);
      continue;
    }
    const day = acledDay(v.event_date);
    if (day === null) {
      bad(`event_date ${JSON.stringify(v.event_date)} is neither YYYY-MM-DD nor "18 November 2024"`);
      continue;
    }
    const tp = Number(v.time_precision);
    const gp = Number(v.geo_precision);
    const lat = v.latitude.trim() === '' ? Number.NaN : Number(v.latitude);
    const lon = v.longitude.trim() === '' ? Number.NaN : Number(v.longitude);
    const deaths = v.fatalities.trim() === '' ? Number.NaN : Number(v.fatalities);
    if (![1, 2, 3].includes(tp)) bad(`time_precision ${JSON.stringify(v.time_precision)} is not 1, 2 or 3`);
    else if (![1, 2, 3].includes(gp))
      bad(`geo_precision ${JSON.stringify(v.geo_precision)} is not 1, 2 or 3`);
    else if (!(lat >= -90 && lat <= 90))
      bad(`latitude ${JSON.stringify(v.latitude)} is missing or out of range`);
    else if (!(lon >= -180 && lon <= 180))
      bad(`longitude ${JSON.stringify(v.longitude)} is missing or out of range`);
    else if (!Number.isInteger(deaths) || deaths < 0)
      bad(`fatalities ${JSON.stringify(v.fatalities)} is not a non-negative integer`);
    else if (v.actor1.trim() === '') bad('actor1 is empty');
    else {
      const type = SUB_EVENT_TYPES[v.sub_event_type];
      if (seen.has(id)) {
        skip('the same event id appears earlier in the file');
        continue;
      }
      seen.add(id);
      if (type === undefined) {
        skip(`${v.event_type} / ${v.sub_event_type} has no incident type in the agreement's vocabulary`);
        continue;
      }
      const [from, to] =
        tp === 1
          ? [day, day]
          : tp === 2
            ? [day - 3 * DAY_MS, day + 3 * DAY_MS]
            : [
                Date.UTC(new Date(day).getUTCFullYear(), new Date(day).getUTCMonth(), 1),
                Date.UTC(new Date(day).getUTCFullYear(), new Date(day).getUTCMonth() + 1, 0),
              ];
      const wherePrec = gp === 3 ? 4 : gp;
      const zone = wherePrec <= 2 ? locate(lon, lat) : null;
      const rowSha256 = sha256(r.raw);
      const note = [
        'Historical record (open source), imported.',
        `ACLED event ${id}: ${v.event_type} / ${v.sub_event_type} (${v.disorder_type}); ${v.actor1}${v.actor2 ? ` vs ${v.actor2}` : ''} at ${v.location}${v.admin1 ? `, ${v.admin1}` : ''}.`,
        `time_precision ${tp}, geo_precision ${gp}; fatalities ${deaths}.`,
        v.notes ? `ACLED notes: ${v.notes.slice(0, 1500)}` : '',
        'Source: ACLED (acleddata.com), under its terms of use.',
      ]
        .filter((s) => s !== '')
        .join(' ');
      const body: IncidentBody = {
        date_start: iso(from),
        date_end: iso(to),
        ...(zone !== null ? { zone } : {}),
        latitude: lat,
        longitude: lon,
        where_prec: wherePrec,
        // ACLED time_precision 1 (the day), 2 (the week), 3 (the month) in UCDP's date_prec codes.
        date_prec: tp === 1 ? 1 : tp === 2 ? 3 : 4,
        type,
        actor: acledActorId(v.actor1),
        deaths_low: deaths,
        deaths_best: deaths,
        deaths_high: deaths,
        source_grade: ACLED_SOURCE_GRADE,
        evidence: [rowSha256],
        note,
      };
      out.events.push({
        source: 'acled',
        file,
        line: r.line,
        sourceId: id,
        rowSha256,
        subject: `acled-${id}`,
        body,
      });
    }
  }
  return out;
}

/** Great-circle distance in km (haversine; the spherical Earth is close enough for 5 km). */
function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

/** An incident already known (in the log, or imported earlier in this run). */
export interface KnownIncident {
  id: string;
  actor: string;
  date_start: string;
  date_end: string;
  where_prec: number;
  latitude?: number;
  longitude?: number;
}

/** Only reports precise enough to name one event are compared: a place within ~25 km, dates within a week. */
const week_ms = 7 * DAY_MS;
function precise(k: { where_prec: number; date_start: string; date_end: string }): boolean {
  return k.where_prec <= 2 && Date.parse(k.date_end) - Date.parse(k.date_start) < week_ms;
}

/**
 * Splits events into those to import and probable duplicates of `known` incidents (or of one
 * another): same actor, overlapping dates, within {@link duplicate_distance_km_max} km.
 */
export function dropDuplicates(
  events: readonly ImportedEvent[],
  known: readonly KnownIncident[],
): { events: ImportedEvent[]; duplicates: ImportProblem[] } {
  const pool: KnownIncident[] = [...known];
  const out: ImportedEvent[] = [];
  const duplicates: ImportProblem[] = [];
  for (const e of events) {
    const b = e.body;
    // The nearest precise report of the same actor on overlapping dates, within the distance.
    let twin: KnownIncident | undefined;
    let nearest = duplicate_distance_km_max;
    for (const k of pool) {
      if (!precise(k) || !precise(b) || k.actor !== (b.actor ?? '')) continue;
      if (k.latitude === undefined || k.longitude === undefined) continue;
      if (!(k.date_start <= b.date_end && b.date_start <= k.date_end)) continue;
      const d = distanceKm(k.latitude, k.longitude, b.latitude!, b.longitude!);
      if (d <= nearest) {
        nearest = d;
        twin = k;
      }
    }
    if (twin !== undefined) {
      duplicates.push({
        file: e.file,
        line: e.line,
        reason: `ACLED ${e.sourceId}: probably the same event as incident ${twin.id} (same actor, overlapping dates, within ${duplicate_distance_km_max} km)`,
      });
      continue;
    }
    out.push(e);
    pool.push({
      id: e.subject,
      actor: b.actor ?? '',
      date_start: b.date_start,
      date_end: b.date_end,
      where_prec: b.where_prec,
      latitude: b.latitude!,
      longitude: b.longitude!,
    });
  }
  return { events: out, duplicates };
}
