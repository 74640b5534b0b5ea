/**
 * Worker threads that run one of our modules, compiled (`dist/`, `.js`) or from source under tsx
 * (`.ts`, in tests and development). Node 20 does not pass the TypeScript loader on to workers,
 * so a worker started from source registers it itself before importing the module.
 */
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts a worker running module `relative` (e.g. `'./verify-worker'`, no extension) next to
 * `callerUrl`, with V8 heap limits when given (a long-lived worker in a server should not grow
 * a young generation as large as the main thread's).
 */
export function moduleWorker(callerUrl: string, relative: string, resourceLimits?: ResourceLimits): Worker {
  const ts = callerUrl.endsWith('.ts');
  const url = new URL(`${relative}${ts ? '.ts' : '.js'}`, callerUrl);
  const options = resourceLimits === undefined ? {} : { resourceLimits };
  if (!ts) return new Worker(url, options);
  return new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`,
    { ...options, eval: true },
  );
}
