// A log in memory for witness tests and the witness benchmark: leaves, signed checkpoints at any
// size and RFC 9162 consistency proofs, through the project's own tree code. `fork` makes a
// dishonest operator's second branch that shares the first `size` leaves.
import { createHash } from 'node:crypto';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import { consistencyProof, type HashReader, rootAt } from '../../src/log/proof.js';
import { leafHash, nodeHash } from '../../src/log/rfc6962.js';
import { generateKeyPair, type NoteSigner, parseSignerKey } from '../../src/statement/keys.js';

export class TestLog {
  readonly signer: NoteSigner;
  readonly vkey: string;
  readonly origin: string;
  readonly #leaves: Buffer[];
  readonly #memo = new Map<string, Buffer>();

  constructor(origin: string, signer?: NoteSigner, leaves: Buffer[] = []) {
    this.signer =
      signer ?? parseSignerKey(generateKeyPair(origin, createHash('sha256').update(origin).digest()).skey);
    this.vkey = this.signer.vkey;
    this.origin = origin;
    this.#leaves = leaves;
  }

  get size(): number {
    return this.#leaves.length;
  }

  /** Appends `n` entries whose bytes depend on `tag` and their index. */
  append(n: number, tag = 'a'): this {
    for (let i = 0; i < n; i++) this.#leaves.push(leafHash(Buffer.from(`${tag} ${this.#leaves.length}`)));
    return this;
  }

  /** A second branch sharing the first `size` entries, signed by the same key. */
  fork(size: number): TestLog {
    return new TestLog(this.origin, this.signer, this.#leaves.slice(0, size));
  }

  readonly #read: HashReader = (level, index) => {
    if (level === 0) return this.#leaves[index]!;
    const key = `${level}/${index}`;
    let h = this.#memo.get(key);
    if (h === undefined) {
      h = nodeHash(this.#read(level - 1, 2 * index), this.#read(level - 1, 2 * index + 1));
      this.#memo.set(key, h);
    }
    return h;
  };

  root(size = this.size): Buffer {
    return rootAt(size, this.#read);
  }

  /** The signed checkpoint note at `size` (default: the current size). */
  checkpoint(size = this.size, extensions: string[] = []): string {
    return signCheckpoint({ origin: this.origin, size, root: this.root(size), extensions }, this.signer);
  }

  proof(from: number, to = this.size): Buffer[] {
    return from === 0 ? [] : consistencyProof(from, to, this.#read);
  }
}
