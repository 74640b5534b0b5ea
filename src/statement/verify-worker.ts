/** Worker thread body for {@link VerifyPool}: checks one chunk of envelopes per message. */
import { parentPort } from 'node:worker_threads';
import { checkEnvelopes, type EnvelopeCheck, EnvelopeText } from './envelope.js';

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
  const results = checkEnvelopes(m.values);
  parentPort!.postMessage({ job: m.job, results } satisfies VerifyJobResult);
});
