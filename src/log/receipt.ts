/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof, `c2sp.org/tlog-proof@v1`): an offline-verifiable
 * receipt that an entry is in the log: index, inclusion proof, and the signed checkpoint (with
 * any witness cosignatures) it is relative to.
 *
 *     c2sp.org/tlog-proof@v1
 *     [extra <base64>]
 *     index <N>
 *     <base64 hash>...        (RFC 6962 §2.1.1 audit path, leaf's sibling first)
 *     <empty line>
 *     <signed checkpoint note, verbatim>
 */
import { type NoteVerifier, parseVerifierKey } from '../statement/keys.js';
import { type OpenedCheckpoint, openCheckpoint } from './checkpoint.js';
import { LogFormatError, ProofError } from './errors.js';
import { proof_hashes_max, verifyInclusion } from './proof.js';
import { hash_bytes, leafHash } from './rfc6962.js';

/** First line of every receipt (c2sp.org/tlog-proof@v1). */
export const receipt_header = 'c2sp.org/tlog-proof@v1';
/** Largest receipt we parse, in bytes: a proof of 64 hashes plus a checkpoint with many cosignatures fits easily. */
export const receipt_bytes_max = 65536;
/** Largest `extra` payload, in bytes (opaque, unauthenticated application data). */
export const receipt_extra_bytes_max = 16384;

/** A receipt's parts (c2sp.org/tlog-proof@v1). */
export interface Receipt {
  /** Optional opaque data; not authenticated, so never trusted implicitly. */
  extra?: Buffer;
  /** Zero-based index of the entry. */
  index: number;
  /** Inclusion proof hashes, leaf's sibling first. */
  proof: Buffer[];
  /** The signed checkpoint note, verbatim (ends with a newline). */
  checkpoint: string;
}

const decimalRe = /^(0|[1-9][0-9]*)$/;

function strictBase64(text: string, where: string, what: string): Buffer {
  const raw = Buffer.from(text, 'base64');
  if (raw.toString('base64') !== text) throw new LogFormatError(where, `${what} is not standard base64`);
  return raw;
}

/**
 * Formats a receipt (c2sp.org/tlog-proof@v1). Its parts are checked against the rules
 * {@link parseReceipt} enforces, so that what this writes that one reads back (a property test
 * holds the two together); a server formats one per admitted statement, and parsing each again
 * was a tenth of a single submission's cost.
 */
export function formatReceipt(r: Receipt): string {
  const bad = (why: string) => new LogFormatError('tlog-proof', `cannot format: ${why}`);
  if (!Number.isSafeInteger(r.index) || r.index < 0)
    throw bad(`index ${r.index} is not a non-negative integer`);
  if (r.proof.length > proof_hashes_max) throw bad(`more than ${proof_hashes_max} proof hashes`);
  for (const h of r.proof)
    if (h.length !== hash_bytes) throw bad(`a proof hash is ${h.length} bytes, want ${hash_bytes}`);
  if (r.extra !== undefined && (r.extra.length === 0 || r.extra.length > receipt_extra_bytes_max))
    throw bad(`extra data is ${r.extra.length} bytes, want 1–${receipt_extra_bytes_max}`);
  if (r.checkpoint === '') throw bad('no signed checkpoint');
  const text =
    `${receipt_header}\n` +
    (r.extra !== undefined ? `extra ${r.extra.toString('base64')}\n` : '') +
    `index ${r.index}\n` +
    r.proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('') +
    `\n${r.checkpoint}`;
  if (text.length > receipt_bytes_max / 3 && Buffer.byteLength(text, 'utf8') > receipt_bytes_max)
    throw bad(`longer than ${receipt_bytes_max} bytes`);
  return text;
}

/**
 * Parses a receipt strictly (c2sp.org/tlog-proof@v1). Errors name the line, e.g.
 * `tlog-proof line 3: hash is 31 bytes, want 32`. The checkpoint is returned unopened.
 */
export function parseReceipt(text: string): Receipt {
  if (Buffer.byteLength(text, 'utf8') > receipt_bytes_max) {
    throw new LogFormatError('tlog-proof', `longer than ${receipt_bytes_max} bytes`);
  }
  let pos = 0;
  let lineNo = 0;
  const nextLine = (what: string): string => {
    const nl = text.indexOf('\n', pos);
    lineNo++;
    if (nl < 0) throw new LogFormatError(`tlog-proof line ${lineNo}`, `missing (want ${what})`);
    const line = text.slice(pos, nl);
    pos = nl + 1;
    return line;
  };
  const where = () => `tlog-proof line ${lineNo}`;
  const header = nextLine(receipt_header);
  if (header !== receipt_header)
    throw new LogFormatError(
      where(),
      `want ${JSON.stringify(receipt_header)}, got ${JSON.stringify(header)}`,
    );
  let line = nextLine('"extra <base64>" or "index <N>"');
  let extra: Buffer | undefined;
  if (line.startsWith('extra ')) {
    extra = strictBase64(line.slice(6), where(), 'extra data');
    if (extra.length === 0)
      throw new LogFormatError(where(), 'extra line with no data (omit the line instead)');
    if (extra.length > receipt_extra_bytes_max) {
      throw new LogFormatError(
        where(),
        `extra data is ${extra.length} bytes, at most ${receipt_extra_bytes_max}`,
      );
    }
    line = nextLine('"index <N>"');
  }
  if (!line.startsWith('index ') || !decimalRe.test(line.slice(6))) {
    throw new LogFormatError(
      where(),
      `want "index <N>" with N a decimal without leading zeros, got ${JSON.stringify(line)}`,
    );
  }
  const index = Number(line.slice(6));
  if (!Number.isSafeInteger(index)) throw new LogFormatError(where(), `index ${line.slice(6)} is too large`);
  const proof: Buffer[] = [];
  for (;;) {
    line = nextLine('a proof hash or the empty line before the checkpoint');
    if (line === '') break;
    if (proof.length === proof_hashes_max)
      throw new LogFormatError(where(), `more than ${proof_hashes_max} proof hashes`);
    const h = strictBase64(line, where(), 'proof hash');
    if (h.length !== hash_bytes)
      throw new LogFormatError(where(), `hash is ${h.length} bytes, want ${hash_bytes}`);
    proof.push(h);
  }
  const checkpoint = text.slice(pos);
  if (checkpoint === '')
    throw new LogFormatError(`tlog-proof line ${lineNo + 1}`, 'missing signed checkpoint');
  return extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint };
}

/** What a verified receipt proves: this entry is at `index` under this checkpoint. */
export interface VerifiedReceipt {
  index: number;
  checkpoint: OpenedCheckpoint;
  /** Unauthenticated: the caller decides what, if anything, it may mean. */
  extra?: Buffer;
}

/**
 * Verifies a receipt (c2sp.org/tlog-proof@v1) for `entry`: the checkpoint must be signed by
 * the log key (a verifier key string or parsed verifier) and name `origin`, and the RFC 9162
 * §2.1.3.2 inclusion proof must place leafHash(entry) at `index` under its root. Witness
 * cosignatures are returned unchecked in `checkpoint.unverified`; checking a witness policy is
 * the caller's business. Throws `LogFormatError`, `NoteError` or `ProofError`.
 */
export function verifyReceipt(
  receiptText: string,
  entry: Uint8Array,
  logVerifierKey: string | NoteVerifier,
  origin: string,
): VerifiedReceipt {
  const r = parseReceipt(receiptText);
  const verifier = typeof logVerifierKey === 'string' ? parseVerifierKey(logVerifierKey) : logVerifierKey;
  // Signature first: an unsigned tree head makes the proof meaningless, whatever it says.
  const opened = openCheckpoint(r.checkpoint, verifier, origin);
  const { size, root } = opened.checkpoint;
  if (r.index >= size) throw new ProofError(`receipt index ${r.index} is not below checkpoint size ${size}`);
  verifyInclusion(r.index, size, leafHash(entry), r.proof, root);
  return r.extra === undefined
    ? { index: r.index, checkpoint: opened }
    : { index: r.index, checkpoint: opened, extra: r.extra };
}
