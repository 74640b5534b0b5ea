/**
 * The agreement's witness quorum (DESIGN.md, Invariants: "a checkpoint counts only with the
 * agreement's quorum of witness cosignatures"): counts the distinct witnesses named in the
 * agreement whose cosignature/v1 (c2sp.org/tlog-cosignature) on a checkpoint verifies.
 * Cosignatures by keys the agreement does not name are ignored, as the spec asks of clients; a
 * named witness's bad cosignature is an error (someone altered the checkpoint or the line).
 */
import type { Witnesses } from '../agreement/witnesses.js';
import type { NoteVerifier } from '../statement/keys.js';
import {
  openWitnessedCheckpoint,
  parseWitnessKey,
  type WitnessedCheckpoint,
} from '../witness/cosignature.js';

export interface QuorumResult extends WitnessedCheckpoint {
  quorum: number;
  /** Whether the checkpoint counts: at least `quorum` named witnesses cosigned it. */
  met: boolean;
  /** Named witnesses that did not cosign it (their verifier keys). */
  missing: string[];
}

/** Opens `note` as a checkpoint of `origin` signed by `log` and counts its cosignatures against the policy. */
export function checkWitnessQuorum(
  note: string,
  log: NoteVerifier,
  origin: string,
  policy: Witnesses,
): QuorumResult {
  const keys = policy.members.map((m) => parseWitnessKey(m.key));
  const opened = openWitnessedCheckpoint(note, log, origin, keys);
  const signed = new Set(opened.cosignatures.map((c) => c.witness));
  return {
    ...opened,
    quorum: policy.quorum,
    met: signed.size >= policy.quorum,
    missing: keys.filter((k) => !signed.has(k.vkey)).map((k) => k.vkey),
  };
}

/** One sentence saying how the checkpoint stands against the quorum. */
export function describeQuorum(r: QuorumResult): string {
  const names = (vkeys: string[]) => vkeys.map((k) => k.split('+')[0]).join(', ') || 'none';
  return `cosigned by ${r.cosignatures.length} of the agreement's witnesses (${names(r.cosignatures.map((c) => c.witness))}); the quorum is ${r.quorum}${r.missing.length > 0 ? `; missing: ${names(r.missing)}` : ''}`;
}
