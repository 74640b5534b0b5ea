/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the body of the log's signed tree
 * head, and its signing as a C2SP signed note (https://c2sp.org/signed-note).
 *
 *     <origin>\n
 *     <tree size, ASCII decimal>\n
 *     <root hash, standard base64>\n
 *     [<extension line>\n]...
 *
 * Parsing is strict (one spelling per checkpoint) because witnesses and clients compare
 * checkpoints as bytes: two spellings of one tree head would look like a fork, or hide one.
 */
import type { NoteSigner, NoteVerifier } from '../statement/keys.js';
import { type NoteSignature, openNote, signNote } from '../statement/note.js';
import { LogFormatError } from './errors.js';
import { tree_size_max } from './proof.js';
import { hash_bytes } from './rfc6962.js';

/** Most extension lines a checkpoint may carry; the spec calls them NOT RECOMMENDED anyway. */
export const checkpoint_extensions_max = 16;
/** Largest checkpoint body we format or parse, in bytes (a real one is about 100). */
export const checkpoint_bytes_max = 8192;

/** A parsed checkpoint body (c2sp.org/tlog-checkpoint). */
export interface Checkpoint {
  /** Log identity, by convention a schema-less URL, and the log key's name. */
  origin: string;
  /** Number of leaves the root covers. */
  size: number;
  /** RFC 9162 §2.1.1 root of the first `size` leaves, 32 bytes. */
  root: Buffer;
  /** Opaque, non-empty extension lines, in order. */
  extensions: string[];
}

const decimalRe = /^(0|[1-9][0-9]*)$/;
// Signed-note text must not carry control characters other than newline (c2sp.org/signed-note).
const controlRe = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/**
 * Formats a checkpoint body (c2sp.org/tlog-checkpoint). Rejects values `parseCheckpoint` would
 * reject, so the log can never sign a checkpoint its own clients refuse.
 */
export function formatCheckpoint(cp: {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions?: readonly string[];
}): string {
  const ext = cp.extensions ?? [];
  const text = `${cp.origin}\n${cp.size}\n${Buffer.from(cp.root).toString('base64')}\n${ext.map((e) => `${e}\n`).join('')}`;
  // One set of rules: the formatter checks its output with the parser.
  parseCheckpoint(text);
  return text;
}

/**
 * Parses a checkpoint body strictly (c2sp.org/tlog-checkpoint): non-empty origin, size in
 * decimal without leading zeros, a canonically base64-encoded 32-byte root, non-empty
 * extension lines, and a final newline. Errors name the line, e.g. `checkpoint line 2: ...`.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (Buffer.byteLength(text, 'utf8') > checkpoint_bytes_max) {
    throw new LogFormatError('checkpoint', `longer than ${checkpoint_bytes_max} bytes`);
  }
  if (!text.endsWith('\n')) throw new LogFormatError('checkpoint', 'does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new LogFormatError(
      'checkpoint',
      `has ${lines.length} lines, want at least 3 (origin, size, root hash)`,
    );
  }
  lines.forEach((line, i) => {
    if (controlRe.test(line))
      throw new LogFormatError(`checkpoint line ${i + 1}`, 'contains a control character');
  });
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin === '') throw new LogFormatError('checkpoint line 1', 'origin is empty');
  if (!decimalRe.test(sizeText)) {
    throw new LogFormatError(
      'checkpoint line 2',
      `size ${JSON.stringify(sizeText)} is not a decimal without leading zeros`,
    );
  }
  const size = Number(sizeText);
  if (size > tree_size_max)
    throw new LogFormatError('checkpoint line 2', `size ${sizeText} is above ${tree_size_max}`);
  const root = Buffer.from(rootText, 'base64');
  if (root.toString('base64') !== rootText || root.length !== hash_bytes) {
    throw new LogFormatError(
      'checkpoint line 3',
      `root hash must be ${hash_bytes} bytes in standard base64, got ${JSON.stringify(rootText)}`,
    );
  }
  const extensions = lines.slice(3);
  if (extensions.length > checkpoint_extensions_max) {
    throw new LogFormatError(
      'checkpoint',
      `${extensions.length} extension lines, at most ${checkpoint_extensions_max}`,
    );
  }
  extensions.forEach((e, i) => {
    // An empty line would end the note text early: the signed note would split there.
    if (e === '') throw new LogFormatError(`checkpoint line ${i + 4}`, 'extension line is empty');
  });
  return { origin, size, root, extensions };
}

/** Signs a checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint "Signed note"). */
export function signCheckpoint(
  cp: { origin: string; size: number; root: Uint8Array; extensions?: readonly string[] },
  signer: NoteSigner,
): string {
  return signNote(formatCheckpoint(cp), [signer]);
}

/** An opened checkpoint: the parsed body, its exact text, and the signature lines seen. */
export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  text: string;
  verified: NoteSignature[];
  /** Signatures by other keys, e.g. witness cosignatures, not checked here. */
  unverified: NoteSignature[];
}

/**
 * Opens a signed checkpoint (c2sp.org/tlog-checkpoint): the log key `verifier` must have signed
 * it, and its origin must be `origin` (a checkpoint of another log, however well signed, says
 * nothing about this one). Throws `NoteError` for signature problems, `LogFormatError` for a
 * malformed body or a different origin.
 */
export function openCheckpoint(noteText: string, verifier: NoteVerifier, origin: string): OpenedCheckpoint {
  const opened = openNote(noteText, [verifier]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== origin) {
    throw new LogFormatError(
      'checkpoint line 1',
      `origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`,
    );
  }
  return { checkpoint, text: opened.text, verified: opened.verified, unverified: opened.unverified };
}
