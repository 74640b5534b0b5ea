/** Worker thread body for {@link VerifyPool}: checks one chunk of envelopes per message. */
import { parentPort } from 'node:worker_threads';
import { checkEnvelope, type EnvelopeCheck } from './envelope.js';

export interface VerifyJob {
  job: number;
  values: unknown[];
}

export interface VerifyJobResult {
  job: number;
  results: EnvelopeCheck[];
}

parentPort!.on('message', (m: VerifyJob) => {
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
