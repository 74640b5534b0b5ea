/**
 * The agreement's fingerprint (DESIGN.md, Invariants: "The agreement a log runs under is pinned
 * in the log itself"). The hash is SHA-256 over the RFC 8785 canonical JSON of the agreement as
 * the engine reads it: every overlay merged, every geometry reference inlined, every default
 * written out. Two files that the engine would read the same way have the same hash, whatever
 * their layout, comments or overlays; any change the engine could see changes it.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../statement/canonical.js';
import type { Agreement } from './model.js';

/** A hash as written in statements and messages: `sha256:` and 64 lowercase hex digits. */
export const AGREEMENT_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

const hashes = new WeakMap<object, string>();

/** The canonical hash of a loaded agreement, `sha256:<hex>` (computed once per agreement object). */
export function agreementHash(agreement: Agreement): string {
  let h = hashes.get(agreement);
  if (h === undefined) {
    // A JSON round trip drops keys whose value is undefined, which canonical JSON refuses.
    const plain: unknown = JSON.parse(JSON.stringify(agreement));
    h = `sha256:${createHash('sha256').update(canonicalJson(plain), 'utf8').digest('hex')}`;
    hashes.set(agreement, h);
  }
  return h;
}
