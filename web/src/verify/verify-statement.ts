/**
 * Verifies one statement as `GET /v1/statements/:idOrIndex` serves it, in the reader's browser,
 * trusting nothing the server says but the pinned log key:
 *
 *   1. receipt     the C2SP tlog-proof parses and is for this entry's index;
 *   2. checkpoint  the receipt's checkpoint is signed by the pinned log key, for its origin;
 *   3. leaf        the leaf hash is SHA-256(0x00 ‖ RFC 8785 bytes of the served leaf);
 *   4. inclusion   the RFC 6962 audit path leads from that leaf to the checkpoint's root;
 *   5. signatures  every Ed25519 signature on the statement verifies under its key;
 *   6. content     the statement shown is the one in the leaf (public), or the disclosed
 *                  content opens the leaf's commitment (restricted, cleared readers only).
 *
 * Each step reports on its own, so a tampered receipt shows exactly which link broke.
 */
import { equalBytes, toBase64, utf8Bytes } from './bytes.js';
import type { VerifierKey } from './keys.js';
import { openNote } from './note.js';
import { parseCheckpointBody, parseReceipt } from './receipt.js';
import { leafHash, rootFromInclusionProof } from './rfc6962.js';
import {
  canonicalText,
  checkSignatures,
  type Envelope,
  type Leaf,
  opensCommitment,
  type Statement,
} from './statement.js';

/** What the server answers for one statement (only the fields the checks read). */
export interface ServedStatement {
  index: number;
  leaf: Leaf;
  receipt: string;
  statement?: Statement;
  disclosure?: { envelope: Envelope; salt: string };
}

export const STEP_IDS = ['receipt', 'checkpoint', 'leaf', 'inclusion', 'signatures', 'content'] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface Step {
  id: StepId;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface Verification {
  ok: boolean;
  steps: Step[];
  /** The checkpoint the statement was proved against, when its signature verified. */
  checkpoint?: { origin: string; size: number; root: string };
}

export async function verifyServedStatement(
  served: ServedStatement,
  key: VerifierKey,
): Promise<Verification> {
  const steps: Step[] = [];
  const step = (id: StepId, status: Step['status'], detail: string) => steps.push({ id, status, detail });
  const attempt = async (id: StepId, run: () => Promise<string>): Promise<boolean> => {
    try {
      step(id, 'ok', await run());
      return true;
    } catch (e) {
      step(id, 'failed', (e as Error).message);
      return false;
    }
  };

  let receipt: ReturnType<typeof parseReceipt> | undefined;
  await attempt('receipt', async () => {
    receipt = parseReceipt(served.receipt);
    if (receipt.index !== served.index)
      throw new Error(`the receipt is for index ${receipt.index}, the statement is at ${served.index}`);
    return `index ${receipt.index}, ${receipt.proof.length} proof hashes`;
  });

  let body: ReturnType<typeof parseCheckpointBody> | undefined;
  if (receipt === undefined) step('checkpoint', 'skipped', 'no receipt');
  else {
    const r = receipt;
    await attempt('checkpoint', async () => {
      const opened = await openNote(r.checkpoint, key);
      const b = parseCheckpointBody(opened.text);
      if (b.origin !== key.name)
        throw new Error(`the checkpoint's origin ${b.origin} is not the log key's ${key.name}`);
      body = b;
      return `${b.origin}, size ${b.size}, signed by ${key.name}`;
    });
  }

  let leaf: Uint8Array | undefined;
  await attempt('leaf', async () => {
    leaf = await leafHash(utf8Bytes(canonicalText(served.leaf)));
    return toBase64(leaf);
  });

  if (receipt === undefined || body === undefined || leaf === undefined)
    step('inclusion', 'skipped', 'needs a receipt, a signed checkpoint and the leaf');
  else {
    const [r, b, l] = [receipt, body, leaf];
    await attempt('inclusion', async () => {
      const root = await rootFromInclusionProof(r.index, b.size, l, r.proof);
      if (!equalBytes(root, b.root))
        throw new Error(`the proof leads to root ${toBase64(root)}, the checkpoint says ${toBase64(b.root)}`);
      return `entry ${r.index} of ${b.size} leads to the signed root`;
    });
  }

  const envelope = 'envelope' in served.leaf ? served.leaf.envelope : served.disclosure?.envelope;
  if (envelope === undefined)
    step('signatures', 'skipped', 'restricted content: not disclosed to this reader');
  else
    await attempt('signatures', async () => {
      const checks = await checkSignatures(envelope);
      const bad = checks.find((c) => !c.ok);
      if (bad !== undefined) throw new Error(`${bad.signer}: ${bad.why}`);
      return checks.map((c) => c.signer).join(', ');
    });

  if ('envelope' in served.leaf) {
    const inLeaf = served.leaf.envelope.statement;
    await attempt('content', async () => {
      if (served.statement !== undefined && canonicalText(served.statement) !== canonicalText(inLeaf))
        throw new Error('the statement shown differs from the one in the log entry');
      return 'the statement shown is the one in the log entry';
    });
  } else if (served.disclosure === undefined)
    step('content', 'skipped', 'the log holds a commitment; its content is not disclosed to this reader');
  else {
    const d = served.disclosure;
    const commitment = served.leaf.commitment;
    await attempt('content', async () => {
      if (!(await opensCommitment(commitment, d)))
        throw new Error('the disclosed content does not open the commitment');
      return 'the disclosed content opens the commitment in the log entry';
    });
  }

  const ok =
    steps.every((s) => s.status !== 'failed') && steps.some((s) => s.id === 'inclusion' && s.status === 'ok');
  const b = body as ReturnType<typeof parseCheckpointBody> | undefined;
  return {
    ok,
    steps,
    ...(b ? { checkpoint: { origin: b.origin, size: b.size, root: toBase64(b.root) } } : {}),
  };
}
