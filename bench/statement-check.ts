/**
 * What checking one statement costs besides its signature: the verification workers' whole job
 * (`checkEnvelope` on an NDJSON line: parse, schema, RFC 8785, size, signature, id) against a
 * bare `crypto.verify` of the same signature, and RFC 8785 canonicalization (ours against the
 * `canonicalize` package), on one thread, from one run.
 *
 * Why it matters: batch ingestion is bound by the server's CPU per statement, and everything
 * but the signature check is overhead against the target (0.70 of the bare verify rate,
 * bench/server-batch.ts).
 *
 * Run: npx tsx bench/statement-check.ts [--count 20000]
 */
import { verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../src/statement/canonical.js';
import {
  checkEnvelope,
  checkEnvelopes,
  EnvelopeText,
  signingMessage,
  signStatement,
  verifierFor,
} from '../src/statement/envelope.js';
import { generateKeyPair, parseSignerKey } from '../src/statement/keys.js';
import type { Envelope } from '../src/statement/types.js';
import { numberArgument } from './args.js';

const count = numberArgument('count', 20_000);

const signer = parseSignerKey(generateKeyPair('monitors', new Uint8Array(32).fill(3)).skey);
const at = '2026-07-01T08:00:00.000Z';
// The shape bench/server-batch.ts sends: an incident report, as `phaseline sign` writes it.
const envelopes: Envelope[] = Array.from({ length: count }, (_, k) =>
  signStatement(
    {
      kind: 'incident.report',
      agreement: 'lebanon-2026',
      issuer: 'monitors',
      key: signer.vkey,
      at,
      nonce: `bench-nonce-${String(k).padStart(8, '0')}`,
      classification: 'public',
      subject: `bench-${k}`,
      body: { date_start: at, date_end: at, type: 'armed-presence', source_grade: 'B2' },
    },
    signer,
  ),
);
const lines = envelopes.map((e) => JSON.stringify(e));
const parsed = lines.map((l) => JSON.parse(l) as Envelope);
const key = verifierFor(signer.vkey).publicKey;
const messages = envelopes.map((e) => signingMessage(e.statement));
const signatures = envelopes.map((e) => Buffer.from(e.signatures[0]!.sig, 'base64').subarray(4));
const pkg = canonicalize as (v: unknown) => string;

/** Mean µs per call of `f(k)` over every k, after a warm-up pass over a tenth of them. */
function perCall(f: (k: number) => unknown): number {
  for (let k = 0; k < count / 10; k++) f(k);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < count; k++) f(k);
  return Number(process.hrtime.bigint() - t0) / 1000 / count;
}

// Interleaved rounds, best of each: this machine's speed drifts from second to second.
const best = { verify: Infinity, check: Infinity, chunk: Infinity, ours: Infinity, pkg: Infinity };
const chunk = 256;
for (let round = 0; round < 3; round++) {
  best.verify = Math.min(
    best.verify,
    perCall((k) => verify(null, messages[k]!, key, signatures[k]!)),
  );
  best.check = Math.min(
    best.check,
    perCall((k) => {
      if (!checkEnvelope(new EnvelopeText(lines[k]!)).ok) throw new Error(`statement ${k} failed its check`);
    }),
  );
  // As a verification worker checks them: chunks of 256 (each k starts one; the others skip).
  best.chunk = Math.min(
    best.chunk,
    perCall((k) => {
      if (k % chunk !== 0) return;
      const texts = lines.slice(k, k + chunk).map((l) => new EnvelopeText(l));
      if (!checkEnvelopes(texts).every((r) => r.ok))
        throw new Error(`a statement from ${k} failed its check`);
    }),
  );
  best.ours = Math.min(
    best.ours,
    perCall((k) => canonicalJson(parsed[k]!.statement) + canonicalJson(parsed[k]!.signatures)),
  );
  best.pkg = Math.min(
    best.pkg,
    perCall((k) => pkg(parsed[k]!.statement) + pkg(parsed[k]!.signatures)),
  );
}

const f = (us: number) => `${us.toFixed(2).padStart(7)} µs`;
console.log(`statement-check (${count} incident reports, one thread, best of 3 interleaved rounds)`);
console.log(`  crypto.verify alone:                        ${f(best.verify)}`);
console.log(
  `  checkEnvelope of an NDJSON line:            ${f(best.check)}  (${f(best.check - best.verify)} besides the signature)`,
);
console.log(
  `  checkEnvelopes, chunks of ${chunk} lines:        ${f(best.chunk)}  (${f(best.chunk - best.verify)} besides the signature)`,
);
console.log(`  RFC 8785 of statement and signatures, ours: ${f(best.ours)}`);
console.log(
  `  the same with the canonicalize package:     ${f(best.pkg)}  (ours takes ${(best.ours / best.pkg).toFixed(2)} of its time)`,
);
