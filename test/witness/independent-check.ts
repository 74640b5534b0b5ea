// An independent checker written from the specs with node:crypto only (no Phaseline code):
// C2SP signed-note Ed25519 signatures, tlog-cosignature cosignature/v1, tlog-checkpoint bodies,
// and RFC 9162 §2.1.4.2 consistency proofs. The witness tests check the project's output with it,
// so a mistake shared by our signer and our verifier cannot pass unnoticed.
import { createHash, createPublicKey, verify } from 'node:crypto';

interface Key {
  name: string;
  id: Buffer;
  publicKey: ReturnType<typeof createPublicKey>;
}

/** Parses `name+hex id+base64(alg ‖ key)` and checks the id: SHA-256(name ‖ "\n" ‖ alg ‖ key)[:4]. */
function parseKey(vkey: string, alg: number): Key {
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  const name = vkey.slice(0, first);
  const id = Buffer.from(vkey.slice(first + 1, second), 'hex');
  const material = Buffer.from(vkey.slice(second + 1), 'base64');
  if (material.length !== 33 || material[0] !== alg) throw new Error(`key is not of type 0x0${alg}`);
  const want = createHash('sha256').update(name).update('\n').update(material).digest().subarray(0, 4);
  if (!want.equals(id)) throw new Error('key id does not match');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), material.subarray(1)]);
  return { name, id, publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

/** Splits a signed note into its text (ending in "\n") and its signature lines. */
function splitNote(note: string): { text: string; sigs: { name: string; raw: Buffer }[] } {
  const cut = note.lastIndexOf('\n\n');
  const text = note.slice(0, cut + 1);
  const sigs = note
    .slice(cut + 2)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      if (!l.startsWith('— ')) throw new Error(`not a signature line: ${l}`);
      const [name, b64] = l.slice(2).split(' ');
      return { name: name!, raw: Buffer.from(b64!, 'base64') };
    });
  return { text, sigs };
}

/** Whether the note carries a valid Ed25519 signed-note signature (type 0x01) by `vkey`. */
export function signedBy(note: string, vkey: string): boolean {
  const key = parseKey(vkey, 0x01);
  const { text, sigs } = splitNote(note);
  return sigs.some(
    (s) =>
      s.name === key.name &&
      s.raw.length === 68 &&
      s.raw.subarray(0, 4).equals(key.id) &&
      verify(null, Buffer.from(text), key.publicKey, s.raw.subarray(4)),
  );
}

/** The timestamps of valid cosignature/v1 signatures by `witnessVkey` on the note. */
export function cosignatureTimes(note: string, witnessVkey: string): number[] {
  const key = parseKey(witnessVkey, 0x04);
  const { text, sigs } = splitNote(note);
  const out: number[] = [];
  for (const s of sigs) {
    if (s.name !== key.name || s.raw.length !== 76 || !s.raw.subarray(0, 4).equals(key.id)) continue;
    const time = s.raw.readBigUInt64BE(4);
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`);
    if (verify(null, message, key.publicKey, s.raw.subarray(12))) out.push(Number(time));
  }
  return out;
}

/** Origin, size and root of a checkpoint note's body. */
export function checkpointBody(note: string): { origin: string; size: number; root: Buffer } {
  const [origin, size, root] = splitNote(note).text.split('\n');
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}

const node = (l: Buffer, r: Buffer) => createHash('sha256').update(Buffer.of(1)).update(l).update(r).digest();

/** RFC 9162 §2.1.4.2, step by step. */
export function consistent(m: number, n: number, proof: Buffer[], root1: Buffer, root2: Buffer): boolean {
  if (m === n) return proof.length === 0 && root1.equals(root2);
  if (m === 0 || m > n || proof.length === 0) return false;
  const path = (m & (m - 1)) === 0 ? [root1, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/**
 * Confirms split-view evidence as the witness serves it (JSON): both checkpoints signed by the
 * log, and either two roots for one size, or a consistency proof that places another root at the
 * cosigned size inside the refused tree.
 */
export function confirmsFork(
  e: { cosigned: string; refused: string; proof: string[]; impliedRoot?: string },
  logVkey: string,
): boolean {
  if (!signedBy(e.cosigned, logVkey) || !signedBy(e.refused, logVkey)) return false;
  const a = checkpointBody(e.cosigned);
  const b = checkpointBody(e.refused);
  if (a.origin !== b.origin) return false;
  if (a.size === b.size) return !a.root.equals(b.root);
  if (e.impliedRoot === undefined || b.size < a.size) return false;
  const implied = Buffer.from(e.impliedRoot, 'base64');
  const proof = e.proof.map((h) => Buffer.from(h, 'base64'));
  return !implied.equals(a.root) && consistent(a.size, b.size, proof, implied, b.root);
}
