/**
 * C2SP signed notes (https://c2sp.org/signed-note), byte-compatible with Go's
 * golang.org/x/mod/sumdb/note: the checkpoint of the log is a signed note, and so is the
 * message a statement signature covers, so that tools nobody on this team wrote can check both.
 */
import { sign, verify } from 'node:crypto';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './keys.js';

/** Thrown for malformed notes, invalid signatures, or notes no known key signed. */
export class NoteError extends Error {
  override name = 'NoteError';
  /** True when the note cannot be parsed at all, false when it parsed but no known key's signature verifies. */
  get malformed(): boolean {
    return this.message.startsWith('malformed note');
  }
}

/** More signatures than this on one note are treated as malformed (Go's limit too), so parsing stays bounded. */
export const note_signatures_max = 100;

const SIG_PREFIX = '— ';

export interface NoteSignature {
  name: string;
  keyId: number;
  /** base64(keyid ‖ signature) exactly as on the signature line. */
  base64: string;
}

export interface OpenedNote {
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

/** Ed25519 signature of `message`, encoded as signed-note signature bytes base64(keyid ‖ sig). */
export function signatureBase64(message: Uint8Array, signer: NoteSigner): string {
  const hash = Buffer.alloc(4);
  hash.writeUInt32BE(signer.keyId >>> 0);
  return Buffer.concat([hash, sign(null, message, signer.privateKey)]).toString('base64');
}

/**
 * The 64-byte Ed25519 signature in a base64(keyid ‖ sig) signature for `verifier`, or undefined
 * when it cannot verify whatever the message: not canonical base64 of 68 bytes, or another key id.
 */
export function decodeSignatureBase64(b64: string, verifier: NoteVerifier): Buffer | undefined {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 68 || raw.toString('base64') !== b64) return undefined;
  if (raw.readUInt32BE(0) !== verifier.keyId) return undefined;
  return raw.subarray(4);
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('malformed note: text must end with a newline');
  // U+0000–U+001F except newline are forbidden anywhere in a note (Go rejects them too).
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text))
    throw new NoteError('malformed note: control character in text');
}

/** Signs `text` (which must end in "\n") with each signer: https://c2sp.org/signed-note#format. */
export function signNote(text: string, signers: NoteSigner[]): string {
  checkText(text);
  const message = Buffer.from(text, 'utf8');
  let out = text + '\n';
  for (const s of signers) {
    if (!isValidKeyName(s.name)) throw new NoteError(`invalid signer name ${JSON.stringify(s.name)}`);
    out += `${SIG_PREFIX}${s.name} ${signatureBase64(message, s)}\n`;
  }
  return out;
}

/**
 * Parses a signed note and checks its signatures against the known verifiers, as Go's note.Open:
 * signatures by unknown keys are returned as unverified, a known key with a bad signature is an
 * error, and a note that no known key signed is an error.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): OpenedNote {
  if (
    /[\u0000-\u0009\u000b-\u001f]/.test(note) ||
    /[\uD800-\uDFFF]/.test(note.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))
  ) {
    throw new NoteError('malformed note: control character or invalid UTF-8');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no blank line before the signature block');
  const text = note.slice(0, split + 1);
  let sigs = note.slice(split + 2);
  if (sigs.length === 0 || !sigs.endsWith('\n'))
    throw new NoteError('malformed note: signature block empty or not newline-terminated');
  const message = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  let count = 0;
  let lineNo = text.split('\n').length;
  while (sigs.length > 0) {
    const i = sigs.indexOf('\n');
    const line = sigs.slice(0, i);
    sigs = sigs.slice(i + 1);
    lineNo++;
    if (!line.startsWith(SIG_PREFIX))
      throw new NoteError(`malformed note: line ${lineNo} is not a signature line ("— name signature")`);
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    const name = sp < 0 ? rest : rest.slice(0, sp);
    const b64 = sp < 0 ? '' : rest.slice(sp + 1);
    const raw = Buffer.from(b64, 'base64');
    if (!isValidKeyName(name) || b64 === '' || raw.toString('base64') !== b64 || raw.length < 5) {
      throw new NoteError(`malformed note: bad signature line ${lineNo}`);
    }
    if (++count > note_signatures_max)
      throw new NoteError(`malformed note: more than ${note_signatures_max} signatures`);
    const keyId = raw.readUInt32BE(0);
    const sig: NoteSignature = { name, keyId, base64: b64 };
    const v = verifiers.find((k) => k.name === name && k.keyId === keyId);
    const id = `${name}+${keyId}`;
    if (v === undefined) {
      if (!seen.has(line)) unverified.push(sig);
      seen.add(line);
      continue;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    if (raw.length !== 68 || !verify(null, message, v.publicKey, raw.subarray(4))) {
      throw new NoteError(`invalid signature for key ${name}+${keyId.toString(16).padStart(8, '0')}`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw new NoteError('note has no verifiable signatures (none by a known key)');
  return { text, verified, unverified };
}
