/**
 * Loads every incident (and strike) at a moment, page by page, showing each page as it arrives.
 * A new moment or a new reader cancels the load in progress.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { incident_page_size, type Loaded } from './incidents';

export function useIncidents(at: string | null, reload: number, clearanceKey: string): Loaded {
  const [loaded, setLoaded] = useState<Loaded>({ at, incidents: [], strikes: [], total: 0, done: false });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload and clearanceKey are triggers (a grown log, a new reader)
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const incidents: Loaded['incidents'] = [];
      const strikes: Loaded['strikes'] = [];
      let offset = 0;
      for (;;) {
        const page = await api.incidents(at, offset, incident_page_size);
        if (cancelled) return;
        incidents.push(...page.incidents);
        strikes.push(...page.strikes);
        const done = page.next === null;
        setLoaded({
          at,
          incidents: [...incidents],
          strikes: [...strikes],
          total: page.total.incidents,
          done,
        });
        if (done) return;
        offset = page.next!.offset;
      }
    })().catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [at, reload, clearanceKey]);
  return loaded;
}
