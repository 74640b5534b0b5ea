/**
 * Worker thread body for {@link VerifyPool}: checks one chunk of envelopes per message. The
 * JavaScript part of each check (shape, canonical text, id) runs here; the Ed25519 verifications
 * of the whole chunk go to libuv's thread pool at once, so this one thread keeps every core busy.
 */
import { parentPort } from 'node:worker_threads';
import { checkEnvelopeAsync, type EnvelopeCheck } from './envelope.js';

export interface VerifyJob {
  job: number;
  values: unknown[];
}

export interface VerifyJobResult {
  job: number;
  results: EnvelopeCheck[];
}

async function checkOne(value: unknown): Promise<EnvelopeCheck> {
  try {
    return await checkEnvelopeAsync(value);
  } catch (e) {
    return { ok: false, code: 'schema', message: `malformed envelope: ${(e as Error).message}` };
  }
}

parentPort!.on('message', (m: VerifyJob) => {
  // Each value is garbage once prepared (only its canonical text and signing message wait for
  // the thread pool): dropping the references lets the young generation reclaim it.
  const checks = m.values.map((v, i) => {
    m.values[i] = undefined;
    return checkOne(v);
  });
  void Promise.all(checks).then((results) =>
    parentPort!.postMessage({ job: m.job, results } satisfies VerifyJobResult),
  );
});
