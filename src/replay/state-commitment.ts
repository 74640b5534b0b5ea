/**
 * State commitments: the log's signed word on what the public state is at a size, so that a
 * party's own replay and the office's published state can be compared byte for byte, and a
 * difference is the log's signed claim against the party's re-derivation.
 *
 * Form: a C2SP checkpoint (c2sp.org/tlog-checkpoint) of the log at a size n, signed by the log's
 * key, with one extension line
 *
 *     phaseline-state/v1 <base64 SHA-256 of the public state's RFC 8785 text through size n>
 *
 * published beside the tiles as `state/<n>` for every size n that is a power of two. Why a
 * checkpoint: it is the one object the log's key signs, every verifier already reads it, and its
 * root ties the digest to the entries it was derived from; the spec allows extension lines, and a
 * witness cosigns them as bytes without vouching for them (c2sp.org/tlog-cosignature), which is all
 * a digest needs, since anyone can re-derive it. Same size and root as the log's own checkpoint
 * at n, so it is never a fork. Why powers of two: the state's text grows with the log
 * (serializing it costs about half of folding the entries that made it), so commitments at
 * doubling sizes cost one more serialization of the final state in all, however long the log.
 */
import { parseCheckpoint, signCheckpoint } from '../log/checkpoint.js';
import { nodeHash } from '../log/rfc6962.js';
import type { NoteSigner } from '../statement/keys.js';

/** The extension line's first word. */
export const state_commitment_tag = 'phaseline-state/v1';

/** Whether the log commits to its public state at size `n`: every power of two. */
export function isCommitmentSize(n: number): boolean {
  return n >= 1 && Number.isSafeInteger(n) && 2 ** Math.round(Math.log2(n)) === n;
}

/** Where the commitment at size `n` is published, beside `checkpoint` and `tile/`. */
export function commitmentPath(n: number): string {
  return `state/${n}`;
}

/** The extension line for a digest. */
export function commitmentLine(digest: Buffer): string {
  return `${state_commitment_tag} ${digest.toString('base64')}`;
}

/** The committed digest in a checkpoint's extension lines, if it has one. */
export function committedDigest(extensions: readonly string[]): Buffer | undefined {
  for (const e of extensions) {
    if (!e.startsWith(`${state_commitment_tag} `)) continue;
    const b64 = e.slice(state_commitment_tag.length + 1);
    const d = Buffer.from(b64, 'base64');
    if (d.length === 32 && d.toString('base64') === b64) return d;
  }
  return undefined;
}

/** Signs the commitment checkpoint for the tree of `size` leaves with root `root`. */
export function signCommitment(signer: NoteSigner, size: number, root: Buffer, digest: Buffer): string {
  return signCheckpoint({ origin: signer.name, size, root, extensions: [commitmentLine(digest)] }, signer);
}

/** Reads the body of a commitment note: size, root and digest (undefined digest: no commitment line). */
export function readCommitment(text: string): { size: number; root: Buffer; digest?: Buffer } {
  const cp = parseCheckpoint(text);
  const digest = committedDigest(cp.extensions);
  return digest === undefined ? { size: cp.size, root: cp.root } : { size: cp.size, root: cp.root, digest };
}

/**
 * The root of a tree as leaf hashes arrive, for sizes that are powers of two: the merge stack of
 * RFC 9162 §2.1.1 trees, which then holds a single perfect subtree, the root.
 */
export class PowerOfTwoRoots {
  readonly #stack: { height: number; hash: Buffer }[] = [];

  /** Adds the next leaf hash; returns the root when the size is now a power of two. */
  push(leafHash: Buffer): Buffer | undefined {
    let node = { height: 0, hash: leafHash };
    while (this.#stack.length > 0 && this.#stack[this.#stack.length - 1]!.height === node.height) {
      const left = this.#stack.pop()!;
      node = { height: node.height + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.#stack.push(node);
    return this.#stack.length === 1 ? node.hash : undefined;
  }
}
