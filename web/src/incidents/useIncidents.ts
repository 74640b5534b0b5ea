/**
 * Loads every incident (and strike) at a moment in one answer, as columns (`at` undefined: none).
 * A new moment or a new reader cancels the load in progress.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Loaded } from './incidents';

export function useIncidents(at: string | null | undefined, reload: number, clearanceKey: string): Loaded {
  const [loaded, setLoaded] = useState<Loaded>({ at: at ?? null, columns: null, done: false });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload and clearanceKey are triggers (a grown log, a new reader)
  useEffect(() => {
    if (at === undefined) return;
    let cancelled = false;
    setLoaded((l) => ({ ...l, done: false }));
    api.incidentColumns(at, at === null ? 'incidents-live' : 'incidents-then').then(
      (columns) => {
        if (!cancelled) setLoaded({ at, columns, done: true });
      },
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [at, reload, clearanceKey]);
  return loaded;
}
