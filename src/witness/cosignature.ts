/**
 * C2SP tlog-cosignature `cosignature/v1` (https://c2sp.org/tlog-cosignature): a witness's
 * timestamped Ed25519 statement that, as of its time, the checkpoint is the largest consistent
 * tree head it has seen for the log.
 *
 *     key id     SHA-256(name ‖ "\n" ‖ 0x04 ‖ 32-byte public key)[:4]
 *     signature  base64(key id ‖ u64 timestamp ‖ 64-byte Ed25519 signature)     (76 bytes)
 *     message    "cosignature/v1\n" ‖ "time <timestamp>\n" ‖ the checkpoint's note text
 *
 * The message covers the whole note text, extension lines included (§"Signed message"); the
 * witness vouches only for the first three lines.
 */
import { sign, verify } from 'node:crypto';
import { type Checkpoint, parseCheckpoint } from '../log/checkpoint.js';
import { LogFormatError } from '../log/errors.js';
import {
  ALG_COSIGNATURE_V1,
  type NoteSigner,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKey,
} from '../statement/keys.js';
import { type NoteSignature, openNote } from '../statement/note.js';

/** The header line of the signed message (§"Signed message"), its domain separation. */
export const cosignature_header = 'cosignature/v1';
/** Bytes of a cosignature/v1 note signature: key id, timestamp, Ed25519 signature. */
export const cosignature_bytes = 4 + 8 + 64;

/** A witness's signing key (a signed-note key string whose algorithm byte is 0x04). */
export type Cosigner = NoteSigner;

/** Parses a witness verifier key `name+keyid+base64(0x04 ‖ key)`; throws `KeyFormatError`. */
export function parseWitnessKey(vkey: string): NoteVerifier {
  return parseVerifierKey(vkey, ALG_COSIGNATURE_V1);
}

/** Parses a witness private key `PRIVATE+KEY+name+keyid+base64(0x04 ‖ seed)`; throws `KeyFormatError`. */
export function parseCosignerKey(skey: string): Cosigner {
  return parseSignerKey(skey, ALG_COSIGNATURE_V1);
}

/** The message a cosignature signs over `text`, a checkpoint note's text (ending in a newline). */
export function cosignedMessage(text: string, timestamp: number): Buffer {
  return Buffer.from(`${cosignature_header}\ntime ${timestamp}\n${text}`, 'utf8');
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError(`cosignature timestamp ${timestamp} is not a whole number of seconds since 1970`);
}

/**
 * The cosignature of `witness` on the checkpoint note text `text` at `timestamp` (seconds since
 * the epoch), as a note signature line `— <name> <base64>\n`.
 */
export function cosign(text: string, witness: Cosigner, timestamp: number): string {
  checkTimestamp(timestamp);
  const raw = Buffer.alloc(cosignature_bytes);
  raw.writeUInt32BE(witness.keyId >>> 0, 0);
  raw.writeBigUInt64BE(BigInt(timestamp), 4);
  sign(null, cosignedMessage(text, timestamp), witness.privateKey).copy(raw, 12);
  return `— ${witness.name} ${raw.toString('base64')}\n`;
}

/**
 * Checks a note signature as a cosignature/v1 by `witness` on `text`: returns its timestamp, or
 * undefined when it is not this witness's (another name or key id) or does not verify.
 */
export function verifyCosignature(
  text: string,
  sig: NoteSignature,
  witness: NoteVerifier,
): number | undefined {
  if (sig.name !== witness.name || sig.keyId !== witness.keyId) return undefined;
  const raw = Buffer.from(sig.base64, 'base64');
  if (raw.length !== cosignature_bytes || raw.toString('base64') !== sig.base64) return undefined;
  const timestamp = raw.readBigUInt64BE(4);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const t = Number(timestamp);
  return verify(null, cosignedMessage(text, t), witness.publicKey, raw.subarray(12)) ? t : undefined;
}

/** One valid cosignature on a checkpoint. */
export interface VerifiedCosignature {
  /** The witness's verifier key string. */
  witness: string;
  /** Seconds since the epoch, as the witness signed it. */
  timestamp: number;
}

/** A checkpoint signed by the log, with the cosignatures of known witnesses that verify. */
export interface WitnessedCheckpoint {
  checkpoint: Checkpoint;
  /** The note text (the checkpoint body) the signatures cover. */
  text: string;
  /** One per known witness that cosigned (a witness counts once however many lines it has). */
  cosignatures: VerifiedCosignature[];
}

/**
 * Opens a signed checkpoint (c2sp.org/tlog-checkpoint) and checks its cosignatures: the log key
 * must have signed it and its origin must be `origin`; every signature line by a name and key id
 * of one of `witnesses` must be a valid cosignature/v1 (a known witness's bad cosignature means
 * the note was tampered with, and is an error, as Go's note.Open treats a known key's bad
 * signature). Lines by unknown keys are ignored. Throws `NoteError` or `LogFormatError`.
 */
export function openWitnessedCheckpoint(
  note: string,
  log: NoteVerifier,
  origin: string,
  witnesses: readonly NoteVerifier[],
): WitnessedCheckpoint {
  const opened = openNote(note, [log]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== origin) {
    throw new LogFormatError(
      'checkpoint line 1',
      `origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`,
    );
  }
  const cosignatures: VerifiedCosignature[] = [];
  for (const sig of opened.unverified) {
    const witness = witnesses.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    if (witness === undefined) continue;
    const timestamp = verifyCosignature(opened.text, sig, witness);
    if (timestamp === undefined) {
      throw new LogFormatError(
        'checkpoint',
        `the cosignature by witness ${witness.name} does not verify: the checkpoint or its cosignature was altered`,
      );
    }
    if (!cosignatures.some((c) => c.witness === witness.vkey))
      cosignatures.push({ witness: witness.vkey, timestamp });
  }
  return { checkpoint, text: opened.text, cosignatures };
}
