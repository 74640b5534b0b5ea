/**
 * Runs trajectories across worker threads. Trajectory i of a job depends only on (seed, i) and
 * the job's world, never on the worker that runs it: work is handed out in chunks to whichever
 * worker is free, and results are put back in index order, so the same seed gives the same
 * bytes on one worker or many.
 */
import type { Worker } from 'node:worker_threads';
import { loadAgreement } from '../agreement/load.js';
import { moduleWorker } from '../runtime/module-worker.js';
import { loadDynamics } from './dynamics.js';
import { applyOverrides, type Overrides } from './overrides.js';
import { Trajectory, type TrajectoryResult } from './trajectory.js';
import { prepareWorld, type World } from './world.js';

/** What a worker needs to build a job's world by itself (plain data, sent by message). */
export interface JobSpec {
  agreementPath: string;
  /** A variant of the agreement file (`variants/<name>.yaml` beside it), or null for the file itself. */
  variant: string | null;
  dynamicsPath: string;
  overrides: Overrides;
  days: number;
  seed: number;
  runs: number;
}

/** Trajectories per message: large enough to keep messaging cheap, small enough to balance two workers. */
export const chunk_trajectories = 25;

const worlds = new Map<string, World>();
const agreements = new Map<string, ReturnType<typeof loadAgreement>>();

/** The job's world, built once per process (loading the agreement, its geometry and the events). */
export function worldFor(job: JobSpec): World {
  const key = JSON.stringify([job.agreementPath, job.variant, job.dynamicsPath, job.overrides, job.days]);
  let w = worlds.get(key);
  if (w === undefined) {
    const aKey = JSON.stringify([job.agreementPath, job.variant]);
    let agreement = agreements.get(aKey);
    if (agreement === undefined) {
      agreement = loadAgreement(job.agreementPath, job.variant === null ? {} : { variant: job.variant });
      agreements.set(aKey, agreement);
    }
    const loaded = loadDynamics(job.dynamicsPath);
    const dynamics =
      Object.keys(job.overrides).length > 0 ? applyOverrides(loaded, job.overrides) : loaded.dynamics;
    w = prepareWorld(agreement, loaded, { variant: job.variant ?? agreement.id, days: job.days, dynamics });
    worlds.set(key, w);
  }
  return w;
}

/** Runs trajectories `from` … `to − 1` of a job in this thread. */
export function runRange(job: JobSpec, from: number, to: number): TrajectoryResult[] {
  const w = worldFor(job);
  const out: TrajectoryResult[] = [];
  for (let i = from; i < to; i++) out.push(new Trajectory(w, job.seed, i).run());
  return out;
}

export interface RunOptions {
  /** Worker threads; 0 runs everything in this thread. */
  workers: number;
  onProgress?: (done: number, total: number) => void;
}

type WorkerReply =
  | { type: 'result'; job: number; from: number; results: TrajectoryResult[] }
  | { type: 'error'; message: string };

/** Runs every job's trajectories; returns them per job, in index order. */
export async function runJobs(jobs: readonly JobSpec[], options: RunOptions): Promise<TrajectoryResult[][]> {
  const total = jobs.reduce((s, j) => s + j.runs, 0);
  const out: TrajectoryResult[][] = jobs.map((j) => new Array<TrajectoryResult>(j.runs));
  const chunks: { job: number; from: number; to: number }[] = [];
  jobs.forEach((j, k) => {
    for (let from = 0; from < j.runs; from += chunk_trajectories)
      chunks.push({ job: k, from, to: Math.min(j.runs, from + chunk_trajectories) });
  });
  let done = 0;
  const store = (job: number, from: number, results: TrajectoryResult[]) => {
    results.forEach((r, i) => {
      out[job]![from + i] = r;
    });
    done += results.length;
    options.onProgress?.(done, total);
  };
  if (options.workers <= 0) {
    for (const c of chunks) store(c.job, c.from, runRange(jobs[c.job]!, c.from, c.to));
    return out;
  }
  const n = Math.min(options.workers, chunks.length);
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      const feed = (w: Worker) => {
        const c = chunks[next++];
        if (c === undefined) {
          if (running === 0) resolve();
          return;
        }
        running++;
        w.postMessage({ type: 'run', job: jobs[c.job], jobIndex: c.job, from: c.from, to: c.to });
      };
      for (let i = 0; i < n; i++) {
        const w = moduleWorker(import.meta.url, './sim-worker');
        pool.push(w);
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'error') {
            reject(new Error(m.message));
            return;
          }
          running--;
          store(m.job, m.from, m.results);
          feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
        });
      }
      for (const w of pool) feed(w);
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}
