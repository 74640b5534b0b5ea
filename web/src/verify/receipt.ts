/**
 * C2SP tlog-proof receipts (https://c2sp.org/tlog-proof, `c2sp.org/tlog-proof@v1`) and
 * tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint), parsed strictly.
 */
import { fromBase64 } from './bytes.js';

export interface Receipt {
  index: number;
  proof: Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

export interface CheckpointBody {
  origin: string;
  size: number;
  root: Uint8Array;
}

const decimal = /^(0|[1-9][0-9]*)$/;

export function parseReceipt(text: string): Receipt {
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new Error('receipt: no blank line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  if (lines[0] !== 'c2sp.org/tlog-proof@v1') throw new Error('receipt: line 1 is not c2sp.org/tlog-proof@v1');
  let at = 1;
  if (lines[at]?.startsWith('extra ')) at++;
  const m = /^index (.+)$/.exec(lines[at] ?? '');
  if (m === null || !decimal.test(m[1]!)) throw new Error(`receipt: line ${at + 1} is not "index N"`);
  const index = Number(m[1]);
  const proof = lines.slice(at + 1).map((l, k) => {
    const h = fromBase64(l, `receipt line ${at + 2 + k}`);
    if (h.length !== 32) throw new Error(`receipt line ${at + 2 + k}: a hash is ${h.length} bytes, want 32`);
    return h;
  });
  return { index, proof, checkpoint: text.slice(blank + 2) };
}

export function parseCheckpointBody(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('checkpoint: want origin, size and root lines');
  const [origin, size, root] = lines as [string, string, string];
  if (!decimal.test(size)) throw new Error(`checkpoint: size ${JSON.stringify(size)} is not a decimal`);
  const r = fromBase64(root, 'checkpoint root');
  if (r.length !== 32) throw new Error('checkpoint: root is not 32 bytes');
  return { origin, size: Number(size), root: r };
}
