/**
 * Runs trajectories across worker threads. Trajectory i of a job depends only on (seed, i) and
 * the job's world, never on the worker that runs it: work is handed out in chunks to whichever
 * worker is free, and results are put back in index order, so the same seed gives the same
 * bytes on one worker or many. Worlds are prepared once in this thread and sent as plain data,
 * so a worker loads nothing but the engine and the trajectory code.
 */
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../runtime/module-worker.js';
import { Trajectory, type TrajectoryResult } from './trajectory.js';
import type { World } from './world.js';

/** One set of trajectories: a world, a seed and how many. */
export interface Job {
  world: World;
  seed: number;
  runs: number;
}

/** Trajectories per message: large enough to keep messaging cheap, small enough to balance two workers. */
export const chunk_trajectories = 25;

/** Runs trajectories `from` … `to − 1` of a world in this thread. */
export function runRange(world: World, seed: number, from: number, to: number): TrajectoryResult[] {
  const out: TrajectoryResult[] = [];
  for (let i = from; i < to; i++) out.push(new Trajectory(world, seed, i).run());
  return out;
}

export interface RunOptions {
  /** Worker threads; 0 runs everything in this thread. */
  workers: number;
  onProgress?: (done: number, total: number) => void;
}

/** What a worker is asked: run a range of a job, with the job's world the first time it sees the job. */
export interface WorkerRequest {
  job: number;
  world?: World;
  seed: number;
  from: number;
  to: number;
}

export type WorkerReply =
  | { type: 'result'; job: number; from: number; results: TrajectoryResult[] }
  | { type: 'error'; message: string };

/** Runs every job's trajectories; returns them per job, in index order. */
export async function runJobs(jobs: readonly Job[], options: RunOptions): Promise<TrajectoryResult[][]> {
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
    for (const c of chunks) {
      const j = jobs[c.job]!;
      store(c.job, c.from, runRange(j.world, j.seed, c.from, c.to));
    }
    return out;
  }
  const n = Math.min(options.workers, chunks.length);
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let settled = false;
      const fail = (e: Error) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      };
      const feed = (w: Worker, seen: Set<number>) => {
        const c = chunks[next++];
        if (c === undefined) {
          if (running === 0 && !settled) {
            settled = true;
            resolve();
          }
          return;
        }
        running++;
        const j = jobs[c.job]!;
        const req: WorkerRequest = { job: c.job, seed: j.seed, from: c.from, to: c.to };
        if (!seen.has(c.job)) {
          seen.add(c.job);
          req.world = j.world;
        }
        w.postMessage(req);
      };
      for (let i = 0; i < n; i++) {
        const w = moduleWorker(import.meta.url, './sim-worker');
        const seen = new Set<number>();
        pool.push(w);
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'error') return fail(new Error(m.message));
          running--;
          store(m.job, m.from, m.results);
          feed(w, seen);
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (code !== 0) fail(new Error(`simulation worker exited with code ${code}`));
        });
        feed(w, seen);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}
