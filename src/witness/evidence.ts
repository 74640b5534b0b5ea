/**
 * Split-view evidence: what a witness keeps when a log it watches shows it a checkpoint that
 * cannot extend the one it cosigned. Both checkpoints are signed by the log's key, so anyone
 * holding that key can check, without trusting the witness, that the log committed to two
 * histories:
 *
 * - `same-size`: two checkpoints of one size with different roots;
 * - `inconsistent`: the refused checkpoint (size n) came with a consistency proof from the
 *   cosigned size m that verifies against the refused root and shows the refused tree's root at
 *   size m, `impliedRoot`, which is not the cosigned root (RFC 9162 §2.1.4.2 computes both roots);
 * - `unproven`: the proof does not verify and shows nothing (m a power of two leaves the old root
 *   out of the proof, or the hashes are garbage). The log signed a checkpoint it did not prove
 *   consistent; that is worth keeping, but it is not a proof of a fork on its own.
 */
import { type Checkpoint, parseCheckpoint } from '../log/checkpoint.js';
import { verifyConsistency } from '../log/proof.js';
import type { NoteVerifier } from '../statement/keys.js';
import { openNote } from '../statement/note.js';
import { openWitnessedCheckpoint } from './cosignature.js';

export const EVIDENCE_KINDS = ['same-size', 'inconsistent', 'unproven'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** One refusal a witness recorded (JSON, served at `GET /evidence`). */
export interface SplitViewEvidence {
  /** Sequence number at the witness. */
  id: number;
  origin: string;
  /** When the witness refused, RFC 3339 UTC. */
  observed: string;
  kind: EvidenceKind;
  /** The checkpoint the witness had cosigned: the log's signature and the witness's cosignature. */
  cosigned: string;
  /** The checkpoint it refused, with the log's signature(s) it carried. */
  refused: string;
  /** The consistency proof that came with it (base64 hashes), from the cosigned size. */
  proof: string[];
  /** `inconsistent`: the root the refused tree has at the cosigned size, as the proof shows it. */
  impliedRoot?: string;
}

/** Thrown when evidence does not hold up; the message says which part. */
export class EvidenceError extends Error {
  override name = 'EvidenceError';
}

/** What checking a piece of evidence established. */
export interface EvidenceFinding {
  /** True when the log is proven to have signed two inconsistent checkpoints. */
  proven: boolean;
  cosigned: Checkpoint;
  refused: Checkpoint;
  /** One sentence for people. */
  summary: string;
}

function openLogNote(note: string, log: NoteVerifier, what: string): Checkpoint {
  try {
    return parseCheckpoint(openNote(note, [log]).text);
  } catch (e) {
    throw new EvidenceError(`${what} checkpoint: ${(e as Error).message}`);
  }
}

/**
 * Checks evidence against the log's key (and, given, the witness's key on the cosigned
 * checkpoint): both checkpoints signed by the log, one origin, and for `same-size` and
 * `inconsistent` the conflict itself. Throws {@link EvidenceError} when the evidence is not
 * what it claims.
 */
export function checkEvidence(
  e: SplitViewEvidence,
  log: NoteVerifier,
  witness?: NoteVerifier,
): EvidenceFinding {
  const a = openLogNote(e.cosigned, log, 'cosigned');
  const b = openLogNote(e.refused, log, 'refused');
  if (witness !== undefined) {
    const w = openWitnessedCheckpoint(e.cosigned, log, a.origin, [witness]);
    if (w.cosignatures.length === 0)
      throw new EvidenceError(`the cosigned checkpoint carries no cosignature by ${witness.name}`);
  }
  if (a.origin !== b.origin || a.origin !== e.origin)
    throw new EvidenceError(`the checkpoints name different logs (${a.origin}, ${b.origin})`);
  const hex = (r: Buffer) => r.toString('base64');
  const label = `${a.origin}: size ${a.size} root ${hex(a.root)} and size ${b.size} root ${hex(b.root)}`;
  if (e.kind === 'same-size') {
    if (a.size !== b.size || a.root.equals(b.root))
      throw new EvidenceError(`not two roots of one size: ${label}`);
    return {
      proven: true,
      cosigned: a,
      refused: b,
      summary: `the log signed two roots for size ${a.size}: ${label}`,
    };
  }
  if (e.kind === 'inconsistent') {
    if (e.impliedRoot === undefined) throw new EvidenceError('no implied root');
    const implied = Buffer.from(e.impliedRoot, 'base64');
    if (b.size <= a.size) throw new EvidenceError(`the refused checkpoint is not larger: ${label}`);
    if (implied.equals(a.root)) throw new EvidenceError('the implied root is the cosigned root: no conflict');
    try {
      verifyConsistency(
        a.size,
        b.size,
        e.proof.map((h) => Buffer.from(h, 'base64')),
        implied,
        b.root,
      );
    } catch (err) {
      throw new EvidenceError(
        `the proof does not show the refused tree at size ${a.size}: ${(err as Error).message}`,
      );
    }
    return {
      proven: true,
      cosigned: a,
      refused: b,
      summary: `the log's tree of size ${b.size} had root ${e.impliedRoot} at size ${a.size}, where the log also signed ${hex(a.root)}: ${label}`,
    };
  }
  return {
    proven: false,
    cosigned: a,
    refused: b,
    summary: `the log signed ${label} without a consistency proof between them; ask it for one (a valid proof clears it)`,
  };
}
