/**
 * The body of a C2SP tlog-witness `add-checkpoint` request (https://c2sp.org/tlog-witness):
 *
 *     old <size>\n
 *     <base64 consistency proof hash>\n      (0 to 63 lines, RFC 9162 §2.1.4.1, from old to new)
 *     \n
 *     <signed checkpoint note>
 *
 * and the `409 Conflict` answer's body, the witness's size in decimal and a newline
 * (`Content-Type: text/x.tlog.size`). Shared by the witness and the log's publisher so the two
 * ends cannot disagree on the format.
 */
import { hash_bytes } from '../log/rfc6962.js';

/** Most consistency proof lines a client may send (tlog-witness: "MUST NOT send more than 63"). */
export const add_checkpoint_proof_lines_max = 63;
/** Largest request body a witness reads: a full proof, a checkpoint of 8 KiB and 100 signatures fit easily. */
export const add_checkpoint_bytes_max = 65_536;
/** The media type of a 409 answer (tlog-witness). */
export const tlog_size_content_type = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness last cosigned (0: none). */
  oldSize: number;
  /** Consistency proof from `oldSize` to the checkpoint's size (empty when oldSize is 0). */
  proof: Buffer[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

/** Thrown for a request body the protocol does not allow; the witness answers 400 with the message. */
export class AddCheckpointFormatError extends Error {
  override name = 'AddCheckpointFormatError';
}

const decimalRe = /^(0|[1-9][0-9]*)$/;

/** Formats a request body (tlog-witness "add-checkpoint"). */
export function formatAddCheckpoint(r: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(r.oldSize) || r.oldSize < 0)
    throw new RangeError(`old size ${r.oldSize} is not a non-negative integer`);
  if (r.proof.length > add_checkpoint_proof_lines_max)
    throw new RangeError(`a proof of ${r.proof.length} hashes is longer than the protocol allows`);
  return `old ${r.oldSize}\n${r.proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${r.checkpoint}`;
}

/** Parses a request body strictly; throws {@link AddCheckpointFormatError} naming the line. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const split = body.indexOf('\n\n');
  if (split < 0) throw new AddCheckpointFormatError('no empty line between the proof and the checkpoint');
  const lines = body.slice(0, split).split('\n');
  const oldLine = lines[0]!;
  if (!oldLine.startsWith('old ') || !decimalRe.test(oldLine.slice(4)))
    throw new AddCheckpointFormatError(
      `line 1 must be "old <size>" with the size in decimal without leading zeros, got ${JSON.stringify(oldLine.slice(0, 40))}`,
    );
  const oldSize = Number(oldLine.slice(4));
  if (!Number.isSafeInteger(oldSize))
    throw new AddCheckpointFormatError(`line 1: old size ${oldLine.slice(4)} is too large`);
  const proofLines = lines.slice(1);
  if (proofLines.length > add_checkpoint_proof_lines_max)
    throw new AddCheckpointFormatError(
      `${proofLines.length} consistency proof lines, at most ${add_checkpoint_proof_lines_max}`,
    );
  const proof = proofLines.map((line, i) => {
    const h = Buffer.from(line, 'base64');
    if (h.length !== hash_bytes || h.toString('base64') !== line)
      throw new AddCheckpointFormatError(`line ${i + 2}: not a ${hash_bytes}-byte hash in standard base64`);
    return h;
  });
  if (oldSize === 0 && proof.length > 0)
    throw new AddCheckpointFormatError('the proof must be empty when the old size is 0');
  return { oldSize, proof, checkpoint: body.slice(split + 2) };
}

/** The body of a 409 answer: the witness's size. */
export function formatTlogSize(size: number): string {
  return `${size}\n`;
}

/** Parses a 409 answer's body; undefined when it is not a size. */
export function parseTlogSize(body: string): number | undefined {
  const text = body.endsWith('\n') ? body.slice(0, -1) : body;
  if (!decimalRe.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
