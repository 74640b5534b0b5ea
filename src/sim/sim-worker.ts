/** A simulation worker thread: runs the chunks of trajectories the runner sends (runner.ts). */
import { parentPort } from 'node:worker_threads';
import { type JobSpec, runRange } from './runner.js';

const port = parentPort;
if (port === null) throw new Error('sim-worker must run as a worker thread');
port.on('message', (m: { type: 'run'; job: JobSpec; jobIndex: number; from: number; to: number }) => {
  try {
    port.postMessage({
      type: 'result',
      job: m.jobIndex,
      from: m.from,
      results: runRange(m.job, m.from, m.to),
    });
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message });
  }
});
