/**
 * A small RFC 4180 CSV reader.
 *
 * Why not a library: no CSV parser is among the project's dependencies (`ls node_modules | grep
 * -i csv` finds none) and package.json is not ours to change; the files we read are small. This
 * reader handles what RFC 4180 allows: fields quoted with `"`, `""` for a quote inside a quoted
 * field, commas and line breaks (CRLF or LF) inside quoted fields, CRLF or LF between records,
 * and an optional final line break. It also keeps, per record, the 1-based line number where the
 * record starts and the record's exact text (without its line break), so importers can report
 * problems by file and line and hash the source row as evidence.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  /** The record's exact source text, without the terminating line break. */
  raw: string;
  fields: string[];
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Parses CSV text into records (the header is the first record). Throws {@link CsvError} for an unterminated quote or a stray quote. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark is not data
  let line = 1;
  while (i < n) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = '';
    for (;;) {
      if (text[i] === '"') {
        // Quoted field: runs to the closing quote; "" is one quote.
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(startLine, 'unterminated quoted field');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvError(line, `unexpected ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw new CsvError(line, 'a quote inside an unquoted field');
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      field = '';
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    const end = i;
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (text[i] === '\n' || text[i] === '\r') i++;
    line++;
    // A blank line (one empty field) is not a record.
    if (!(fields.length === 1 && fields[0] === '' && end === start)) {
      records.push({ line: startLine, raw: text.slice(start, end), fields });
    }
  }
  return records;
}

/** Records as objects keyed by the header's column names, with the header checked for required columns. */
export function csvObjects(
  text: string,
  required: readonly string[] = [],
): {
  header: string[];
  rows: (CsvRecord & { values: Record<string, string> })[];
  problems: { line: number; reason: string }[];
} {
  const records = parseCsv(text);
  const head = records[0];
  if (head === undefined) throw new CsvError(1, 'empty file: no header');
  const header = head.fields;
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvError(head.line, `missing column(s) ${missing.join(', ')} in the header`);
  const rows: (CsvRecord & { values: Record<string, string> })[] = [];
  const problems: { line: number; reason: string }[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.length) {
      problems.push({
        line: r.line,
        reason: `${r.fields.length} fields, but the header has ${header.length}`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((h, k) => {
      values[h] = r.fields[k]!;
    });
    rows.push({ ...r, values });
  }
  return { header, rows, problems };
}

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled). */
function csvField(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 text (CRLF line ends) of `rows` under `columns`, which `parseCsv` reads back. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
