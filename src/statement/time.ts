/**
 * Times as RFC 3339 §5.6 defines them, read exactly. `Date.parse` is not a parser of RFC 3339:
 * it takes `24:00` (the next midnight), forms RFC 3339 does not have, and whatever else the
 * engine's fallback parser guesses at. A statement's time is signed, so every reader must
 * agree on it: Phaseline reads times as Go's `time.Parse(time.RFC3339, …)` does (hour 00–23,
 * minute and second 00–59 — no leap second, which Go refuses too — a day that exists in its
 * month, a `Z` or `±hh:mm` offset).
 */

/** A statement's `at`, a log entry's `admitted`: RFC 3339 in UTC with milliseconds, the form `Date#toISOString` writes. */
const statement_time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const date_time = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const full_date = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `s` is a statement time: `YYYY-MM-DDTHH:MM:SS.mmmZ`, and a real instant (2026-12-06T24:00:00.000Z is not). */
export function isStatementTime(s: string): boolean {
  if (!statement_time.test(s)) return false;
  const ms = Date.parse(s);
  // toISOString writes the one canonical spelling of an instant: a time that rolls over
  // (hour 24, February 30) parses to a different spelling.
  return Number.isFinite(ms) && new Date(ms).toISOString() === s;
}

/** Milliseconds since the epoch of an RFC 3339 date-time, or undefined when it is not one. */
export function parseRfc3339(s: string): number | undefined {
  const m = date_time.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[8]!.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  return utc(year, month, day, hour, minute, second, fraction) - offsetMin * 60_000;
}

/** Milliseconds of a full-date `YYYY-MM-DD` at 00:00 UTC, or undefined. */
export function parseFullDate(s: string): number | undefined {
  const m = full_date.exec(s);
  if (m === null) return undefined;
  const [year, month, day] = m.slice(1, 4).map(Number) as [number, number, number];
  return validDate(year, month, day) ? utc(year, month, day, 0, 0, 0, 0) : undefined;
}

/** A time a person gives (a query's `at`, `--at`, `--now`): RFC 3339 date-time or full-date; as statement time, or undefined. */
export function parseTimeArgument(s: string): string | undefined {
  const ms = parseRfc3339(s) ?? parseFullDate(s);
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The sentence every refusal of a time argument uses. */
export function timeArgumentHelp(): string {
  return 'use RFC 3339 such as 2026-07-01T12:00:00Z (hours 00–23) or a date such as 2026-07-01';
}

/** Date.UTC, but for years 0–99 too (Date.UTC reads those as 1900–1999). */
function utc(year: number, month: number, day: number, h: number, m: number, s: number, ms: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, ms);
  return d.getTime();
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
