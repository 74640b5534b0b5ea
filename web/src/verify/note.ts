/**
 * C2SP signed notes (https://c2sp.org/signed-note): text, a blank line, then signature lines
 * `— name base64(keyid ‖ signature)`. A signature counts only when its name and key id match the
 * pinned key and it verifies over the text (everything up to and including the text's last
 * newline).
 */
import { fromBase64, utf8Bytes } from './bytes.js';
import { verifyEd25519 } from './ed25519.js';
import type { VerifierKey } from './keys.js';

export interface OpenedNote {
  text: string;
  /** Signature lines by other keys (witness cosignatures, for example), kept but not counted. */
  otherSignatures: string[];
}

/** Opens `note` with `key`; throws an Error naming what failed. */
export async function openNote(note: string, key: VerifierKey): Promise<OpenedNote> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new Error('not a signed note (no blank line before signatures)');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const others: string[] = [];
  let verified = false;
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (m === null) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
    const sig = fromBase64(m[2]!, 'a note signature');
    if (sig.length < 5) throw new Error('a note signature is too short');
    const id = new DataView(sig.buffer, sig.byteOffset, 4).getUint32(0);
    if (m[1] !== key.name || id !== key.keyId) {
      others.push(line);
      continue;
    }
    if (!(await verifyEd25519(key.publicKey, utf8Bytes(text), sig.subarray(4))))
      throw new Error(`the signature by ${key.name} does not verify`);
    verified = true;
  }
  if (!verified)
    throw new Error(`no signature by the pinned key ${key.name}+${key.keyId.toString(16).padStart(8, '0')}`);
  return { text, otherSignatures: others };
}
