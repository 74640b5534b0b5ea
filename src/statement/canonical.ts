/**
 * The one canonical-JSON function (RFC 8785, JSON Canonicalization Scheme).
 *
 * Every hash and signature in Phaseline is over these bytes, so two implementations that
 * agree on RFC 8785 agree on every statement id.
 *
 * Number formatting and string escaping are where hand-written canonicalizers go wrong, and
 * RFC 8785 (§3.2.2) defines both as ECMAScript's `JSON.stringify`: this file leaves every number
 * and string to the engine's own `JSON.stringify` and only walks the structure, sorting each
 * object's keys by UTF-16 code units (`Array.prototype.sort`'s default order, which is JCS's).
 * A value whose keys are already in that order at every level (what `signStatement` produces)
 * is handed whole to `JSON.stringify`, which then writes the same text natively.
 *
 * Why not the `canonicalize` package, which this file used before: it checks each string for
 * lone surrogates one character at a time in JavaScript and builds an array per object, which
 * made it 7 µs of a statement's ~25 µs of work besides the signature check in a verification
 * worker (bench/statement-check.ts measures both). The package stays as the second opinion: the
 * property test in test/statement/canonical.test.ts checks that the two agree, byte for byte
 * and on what they refuse, and the RFC 8785 examples are checked against both.
 */

/** RFC 8785 canonical JSON text of `value`. Throws on values JSON cannot represent (undefined, NaN, Infinity, lone surrogates, cycles). */
export function canonicalJson(value: unknown): string {
  // Most values arrive in canonical order already (a statement parsed from a client's
  // canonical text, or built by this code in key order): then the engine's own JSON.stringify
  // writes the very same text, natively.
  if (typeof value === 'object' && value !== null && inCanonicalOrder(value, 0)) return JSON.stringify(value);
  const text = serialize(value, 0);
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

declare global {
  interface String {
    /** ES2024, in Node since 20; the project's `lib` stays at ES2023 so that newer APIs Node 20 lacks stay out. */
    isWellFormed(): boolean;
  }
}

// Deeper than any statement (a body is an object of a few levels); past it, a value is taken
// to be circular rather than letting the stack overflow.
const depth_max = 1000;

/**
 * True when `JSON.stringify(value)` is `value`'s RFC 8785 text: every object's own keys (in
 * the order JSON.stringify writes them, which is `Object.keys` order) ascend by UTF-16 code
 * units, and every value is one JSON.stringify writes as RFC 8785 does (finite numbers, strings
 * without lone surrogates, booleans, null, arrays, plain data objects). False sends the value
 * to {@link serialize}, which sorts, or refuses with a precise error.
 */
function inCanonicalOrder(value: object, depth: number): boolean {
  if (depth > depth_max || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!canonicalMember(value[i], depth)) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0 && !(keys[i - 1]! < key)) return false;
    if (!key.isWellFormed() || !canonicalMember(object[key], depth)) return false;
  }
  return true;
}

function canonicalMember(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      return v.isWellFormed();
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    case 'object':
      return v === null || inCanonicalOrder(v, depth + 1);
    default:
      // undefined, functions and symbols are left out (or written as null in arrays) alike by
      // both; a BigInt goes to serialize for its error.
      return typeof v !== 'bigint';
  }
}

/** The text of `value`, or undefined for what an object member omits (undefined, functions, symbols). */
function serialize(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new TypeError('canonicalJson: a string has a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not allowed`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('canonicalJson: a BigInt has no JSON representation');
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth > depth_max) throw new TypeError('canonicalJson: circular or too deeply nested');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return serialize(toJSON.call(value), depth + 1);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += serialize(value[i], depth + 1) ?? 'null';
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    const member = serialize(object[key], depth + 1);
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    out += serialize(key, depth)! + ':' + member;
  }
  return `${out}}`;
}
