/**
 * The bytes of one log leaf: what the log records about an admitted statement.
 *
 * An entry is RFC 8785 JSON `{"v":1,"admitted":…,"envelope":…}` for a public statement, or
 * `{"v":1,"admitted":…,"commitment":…}` for a restricted one (see `commitment.ts`). The
 * admission time is the log's clock when the statement was sequenced, recorded beside the
 * issuer's own `at` so both can be audited. The entry must fit a tlog-tiles entry bundle slot.
 */
import { canonicalBytes, canonicalJson } from './canonical.js';
import type { Commitment } from './commitment.js';
import type { Envelope } from './types.js';

/** tlog-tiles entry bundles prefix each entry with a uint16 length (c2sp.org/tlog-tiles#log-entries). */
export const entry_bytes_max = 65_535;

export type LogEntry =
  | { v: 1; admitted: string; envelope: Envelope }
  | { v: 1; admitted: string; commitment: Commitment };

export class EntryFormatError extends Error {
  override name = 'EntryFormatError';
}

/** Canonical bytes of an entry; throws when it would not fit a tile entry slot. */
export function encodeEntry(entry: LogEntry): Buffer {
  return checkSize(canonicalBytes(entry));
}

/**
 * {@link encodeEntry} of a public entry `{v: 1, admitted, envelope}` from the envelope's RFC 8785
 * text (as `checkEnvelope` returns it), without canonicalizing the envelope again: JCS sorts
 * the keys as admitted < envelope < v.
 */
export function encodePublicEntry(admitted: string, envelopeJson: string): Buffer {
  return checkSize(
    Buffer.from(`{"admitted":${canonicalJson(admitted)},"envelope":${envelopeJson},"v":1}`, 'utf8'),
  );
}

function checkSize(bytes: Buffer): Buffer {
  if (bytes.length > entry_bytes_max) {
    throw new EntryFormatError(
      `log entry is ${bytes.length} bytes, over the tlog-tiles limit of ${entry_bytes_max}`,
    );
  }
  return bytes;
}

/** Parses entry bytes; `where` (e.g. `entry 1234`) prefixes any error. */
export function decodeEntry(bytes: Uint8Array, where: string): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new EntryFormatError(`${where}: not JSON (${(e as Error).message})`);
  }
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || v.v !== 1 || typeof v.admitted !== 'string') {
    throw new EntryFormatError(`${where}: not a version-1 log entry (expected {"v":1,"admitted":…})`);
  }
  if ('envelope' in v === 'commitment' in v) {
    throw new EntryFormatError(`${where}: an entry holds exactly one of "envelope" or "commitment"`);
  }
  return value as LogEntry;
}
