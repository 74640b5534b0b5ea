/** A simulation worker thread: runs the chunks of trajectories the runner sends (runner.ts). */
import { parentPort } from 'node:worker_threads';
import { runRange, type WorkerReply, type WorkerRequest } from './runner.js';
import type { World } from './world.js';

const port = parentPort;
if (port === null) throw new Error('sim-worker must run as a worker thread');
const worlds = new Map<number, World>();
port.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (m.world !== undefined) worlds.set(m.job, m.world);
    const world = worlds.get(m.job);
    if (world === undefined) throw new Error(`simulation worker: no world for job ${m.job}`);
    reply = { type: 'result', job: m.job, from: m.from, results: runRange(world, m.seed, m.from, m.to) };
  } catch (e) {
    reply = { type: 'error', message: (e as Error).message };
  }
  port.postMessage(reply);
});
