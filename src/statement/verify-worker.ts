/** Worker thread body for {@link VerifyPool}: checks one chunk of envelopes per message. */
import { parentPort } from 'node:worker_threads';
import { checkEnvelope, type EnvelopeCheck, EnvelopeText } from './envelope.js';

export interface VerifyJob {
  job: number;
  values: unknown[];
  /** Positions in `values` of {@link EnvelopeText}s (sent as their text and label). */
  texts?: { at: number[]; labels: string[] };
}

export interface VerifyJobResult {
  job: number;
  results: EnvelopeCheck[];
}

parentPort!.on('message', (m: VerifyJob) => {
  if (m.texts)
    for (const [k, at] of m.texts.at.entries())
      m.values[at] = new EnvelopeText(m.values[at] as string, m.texts.labels[k]);
  const results: EnvelopeCheck[] = new Array(m.values.length);
  for (let i = 0; i < m.values.length; i++) {
    try {
      results[i] = checkEnvelope(m.values[i]);
    } catch (e) {
      results[i] = { ok: false, code: 'schema', message: `malformed envelope: ${(e as Error).message}` };
    }
  }
  parentPort!.postMessage({ job: m.job, results } satisfies VerifyJobResult);
});
