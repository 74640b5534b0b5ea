/** Summaries of cited statements (kind, signers, time, log index), fetched once each per reader. */
import { useEffect, useState } from 'react';
import { api } from '../api/client';

export interface StatementSummary {
  index: number;
  kind: string;
  signers: string[];
  at: string;
  classification: string;
}

const cache = new Map<string, Promise<StatementSummary>>();

function summary(index: number): Promise<StatementSummary> {
  const key = `${api.token ?? ''}|${index}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = api.statement(index).then((s) => {
      const leaf = s.leaf as {
        envelope?: { statement: { kind: string; at: string }; signatures: { key: string }[] };
        commitment?: { kind: string; issuer: string; at: string };
      };
      if (leaf.envelope)
        return {
          index,
          kind: leaf.envelope.statement.kind,
          signers: leaf.envelope.signatures.map((x) => x.key.split('+')[0]!),
          at: leaf.envelope.statement.at,
          classification: s.classification,
        };
      return {
        index,
        kind: leaf.commitment!.kind,
        signers: [leaf.commitment!.issuer],
        at: leaf.commitment!.at,
        classification: s.classification,
      };
    });
    cache.set(key, p);
  }
  return p;
}

export function useStatements(indexes: number[]): Record<number, StatementSummary> {
  const [out, setOut] = useState<Record<number, StatementSummary>>({});
  const key = indexes.join(',');
  useEffect(() => {
    let live = true;
    void Promise.all(key === '' ? [] : key.split(',').map((i) => summary(Number(i)).catch(() => null))).then(
      (all) => {
        if (!live) return;
        const m: Record<number, StatementSummary> = {};
        for (const s of all) if (s) m[s.index] = s;
        setOut(m);
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  return out;
}
