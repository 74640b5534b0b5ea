/** Worker thread body for {@link checkBundles}: one run of bundles per message. */
import { parentPort } from 'node:worker_threads';
import { checkBundles, VerifyError } from './check-bundles.js';
import { tileSource } from './tile-source.js';

export interface BundleJob {
  location: string;
  size: number;
  from: number;
  to: number;
  statements: boolean;
}

parentPort!.on('message', async (job: BundleJob) => {
  try {
    const r = await checkBundles(tileSource(job.location), job.size, job.from, job.to, job.statements);
    parentPort!.postMessage({ ok: true, fullRoots: r.fullRoots, partial: r.partial });
  } catch (e) {
    parentPort!.postMessage({
      ok: false,
      where: e instanceof VerifyError ? e.where : undefined,
      message: (e as Error).message,
    });
  }
});
