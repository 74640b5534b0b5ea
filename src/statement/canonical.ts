/**
 * The one canonical-JSON function (RFC 8785, JSON Canonicalization Scheme).
 *
 * Every hash and signature in Phaseline is over these bytes, so two implementations that
 * agree on RFC 8785 agree on every statement id. We use the maintained `canonicalize`
 * package rather than our own serializer: number formatting (ECMAScript `Number.prototype.toString`)
 * and string escaping are exactly where hand-written canonicalizers go wrong.
 */
import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON text of `value`. Throws on values JSON cannot represent (undefined, NaN, Infinity). */
export function canonicalJson(value: unknown): string {
  const text = (canonicalize as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
