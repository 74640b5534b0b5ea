/**
 * Live updates from `/v1/events` (Server-Sent Events). Read with fetch rather than EventSource so
 * that a signed-in party's bearer token goes with the request (EventSource sends no headers);
 * reconnects after a drop.
 */
import { useEffect } from 'react';
import { api } from '../api/client';

export interface AppendEvent {
  size: number;
  first: number;
  count: number;
}
export interface StageEvent {
  zone: string;
  from: string | null;
  to: string;
  size: number;
}

export function useLive(
  token: string | null,
  onAppend: (e: AppendEvent) => void,
  onStage: (e: StageEvent) => void,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the handlers are stable wrappers; a new token restarts the stream
  useEffect(() => {
    const ctrl = new AbortController();
    let stopped = false;
    const run = async () => {
      while (!stopped) {
        try {
          const res = await fetch('/v1/events', { headers: api.headers(), signal: ctrl.signal });
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += value;
            let end = buf.indexOf('\n\n');
            while (end >= 0) {
              const frame = buf.slice(0, end);
              buf = buf.slice(end + 2);
              const ev = /^event: (.*)$/m.exec(frame)?.[1];
              const data = /^data: (.*)$/m.exec(frame)?.[1];
              if (ev && data) {
                if (ev === 'append') onAppend(JSON.parse(data) as AppendEvent);
                if (ev === 'stage') onStage(JSON.parse(data) as StageEvent);
              }
              end = buf.indexOf('\n\n');
            }
          }
        } catch {
          if (stopped) return;
        }
        await new Promise((r) => setTimeout(r, 3000));
      }
    };
    void run();
    return () => {
      stopped = true;
      ctrl.abort();
    };
  }, [token]);
}
