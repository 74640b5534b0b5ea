/**
 * The one way JSON text enters Phaseline: I-JSON (RFC 7493), which RFC 8785 requires of what it
 * canonicalizes. A signature must never cover text that two parsers read differently, so:
 *
 * - bytes must be UTF-8 (RFC 7493 §2.1): an invalid byte is refused, never replaced by U+FFFD;
 * - no object may repeat a member name (§2.3): `JSON.parse` keeps the last one, other parsers
 *   the first, or refuse;
 * - no string may hold a lone surrogate (§2.1), which no UTF-8 text can carry.
 *
 * Why this is written here rather than taken from npm: the maintained parsers either accept
 * repeated names (`JSON.parse`, `secure-json-parse`, `parse-json`), accept them when their values
 * are equal (`lossless-json`), or are unmaintained (`json-bigint`'s strict mode,
 * `json-dup-key-validator`); and every parser written in JavaScript is several times slower than
 * the engine's own `JSON.parse`, which the verification workers run for every statement. So the
 * text is parsed natively, and a repeated name is detected by counting: in a valid JSON text a
 * `:` outside strings separates exactly one member from its value, so the text has as many
 * members as colons outside strings; the parsed value has one key per distinct name of each
 * object. The two counts are equal exactly when no object repeats a name. Only when they differ
 * is the text parsed again, by `@humanwhocodes/momoa` (ESLint's JSON parser, which keeps every
 * member with its line and column), to say which name repeats and where.
 */
import { isUtf8 } from 'node:buffer';
import { iterator, type MemberNode, type ObjectNode, parse as parseTree } from '@humanwhocodes/momoa';

/** Why a text was refused: a stable code (see server/status-codes.ts) and a sentence naming what and where. */
export type JsonRejection = { ok: false; code: JsonRejectionCode; message: string };
export type JsonRejectionCode = 'malformed-json' | 'duplicate-member' | 'invalid-utf8';

/** A refused JSON input, as an exception (for callers that stop at the first problem). */
export class JsonInputError extends Error {
  override name = 'JsonInputError';
  constructor(
    readonly code: JsonRejectionCode,
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 bytes to text; `what` names the input in the message (`the body`, `stdin`, `a.json`).
 * A leading byte order mark is dropped (RFC 8259 §8.1 lets a parser ignore it).
 */
export function decodeUtf8(bytes: Uint8Array, what: string): { ok: true; text: string } | JsonRejection {
  if (isUtf8(bytes)) return { ok: true, text: utf8.decode(bytes) };
  const at = firstInvalidUtf8(bytes);
  const line = countLines(bytes, at);
  return {
    ok: false,
    code: 'invalid-utf8',
    message: `${what} is not UTF-8: byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at}${line > 1 ? ` (line ${line})` : ''} does not begin a valid UTF-8 sequence; send UTF-8 text (RFC 8259 §8.1)`,
  };
}

/** {@link decodeUtf8}, throwing {@link JsonInputError}. */
export function decodeUtf8OrThrow(bytes: Uint8Array, what: string): string {
  const d = decodeUtf8(bytes, what);
  if (!d.ok) throw new JsonInputError(d.code, d.message);
  return d.text;
}

/** Parses I-JSON text; `what` names it in the message (`the body`, `line 3`). */
export function parseStrictJson(text: string, what: string): { ok: true; value: unknown } | JsonRejection {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: 'malformed-json', message: `${what} is not JSON: ${(e as Error).message}` };
  }
  const counted = countNames(value, 0);
  if (counted === too_deep)
    return {
      ok: false,
      code: 'malformed-json',
      message: `${what} nests arrays and objects more than ${json_depth_max} levels deep; no statement or request needs more than a few`,
    };
  if (typeof counted === 'string')
    return {
      ok: false,
      code: 'malformed-json',
      message: `${what} holds a string with a lone surrogate (${counted}); I-JSON (RFC 7493 §2.1) allows only Unicode text`,
    };
  if (counted !== colonsOutsideStrings(text)) return repeatedName(text, what);
  return { ok: true, value };
}

/** {@link parseStrictJson}, throwing {@link JsonInputError}. */
export function parseStrictJsonOrThrow(text: string, what: string): unknown {
  const p = parseStrictJson(text, what);
  if (!p.ok) throw new JsonInputError(p.code, p.message);
  return p.value;
}

/** Deepest nesting of arrays and objects read; deeper text is refused before it can exhaust the stack of any reader after this one. */
export const json_depth_max = 1000;
const too_deep = -1;

/**
 * Member names in `value`, counted per object; or the JSON path of a string with a lone
 * surrogate; or {@link too_deep}.
 */
function countNames(value: unknown, depth: number): number | string {
  if (typeof value === 'string') return value.isWellFormed() ? 0 : '(root)';
  if (typeof value !== 'object' || value === null) return 0;
  if (depth >= json_depth_max) return too_deep;
  let n = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const c = countNames(value[i], depth + 1);
      if (c === too_deep) return c;
      if (typeof c === 'string') return `[${i}]${c === '(root)' ? '' : c}`;
      n += c;
    }
    return n;
  }
  for (const key in value) {
    if (!key.isWellFormed()) return `the name of member ${JSON.stringify(key)}`;
    const c = countNames((value as Record<string, unknown>)[key], depth + 1);
    if (c === too_deep) return c;
    if (typeof c === 'string') return `.${key}${c === '(root)' ? '' : c}`;
    n += c + 1;
  }
  return n;
}

/** Colons outside string literals of a valid JSON text: one per member. */
function colonsOutsideStrings(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next code unit (\" \\ \uXXXX's first)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x3a) n++;
  }
  return n;
}

/** The rejection of a text whose counts showed a repeated name: which one, where. */
function repeatedName(text: string, what: string): JsonRejection {
  const tree = parseTree(text, { mode: 'json' });
  const path: string[] = [];
  for (const { node, phase } of iterator(tree)) {
    if (node.type === 'Member') {
      const name = memberName(node as MemberNode);
      if (phase === 'enter') path.push(name);
      else path.pop();
      continue;
    }
    if (node.type !== 'Object' || phase !== 'enter') continue;
    const seen = new Set<string>();
    for (const m of (node as ObjectNode).members) {
      const name = memberName(m);
      if (!seen.has(name)) {
        seen.add(name);
        continue;
      }
      const where = path.length === 0 ? 'the top-level object' : path.join('.');
      const { line, column } = m.loc.start;
      return {
        ok: false,
        code: 'duplicate-member',
        message: `${what} repeats the member name ${JSON.stringify(name)} in ${where} (line ${line}, column ${column}); I-JSON (RFC 7493 §2.3) forbids repeated names, which parsers read differently: send each name once`,
      };
    }
  }
  // The counts differ only when a name repeats; reaching here is a bug in the counting.
  throw new Error(`${what}: member count and names disagree, but no repeated name was found`);
}

function memberName(m: MemberNode): string {
  return m.name.type === 'String' ? m.name.value : m.name.name;
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence (RFC 3629 §4: no overlongs, no surrogates, ≤ U+10FFFF). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function countLines(b: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) line++;
  return line;
}

/** One line of an NDJSON input: its text, or why its bytes are not UTF-8. */
export type DecodedLine = { line: number; text: string } | { line: number; rejection: JsonRejection };

/**
 * The lines of NDJSON bytes, each decoded on its own, so that a byte that is not UTF-8 refuses
 * its own line and not its neighbours (a newline byte never occurs inside a UTF-8 character).
 * `what` names a line in messages (`line 3`, `stdin:3`). Blank lines are left out.
 */
export function decodeUtf8Lines(bytes: Uint8Array, what: (line: number) => string): DecodedLine[] {
  const out: DecodedLine[] = [];
  if (isUtf8(bytes)) {
    const lines = utf8.decode(bytes).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.trim();
      if (text !== '') out.push({ line: i + 1, text });
    }
    return out;
  }
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const d = decodeUtf8(bytes.subarray(start, end), what(line));
    if (!d.ok) out.push({ line, rejection: d });
    else if (d.text.trim() !== '') out.push({ line, text: d.text.trim() });
    start = end + 1;
  }
  return out;
}
