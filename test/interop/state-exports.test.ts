// phaseline export of findings, the escrow ledger and UCDP-GED-shaped incidents, from the demo's
// state: the tables hold what the state holds at the reader's clearance and no more, the ledger
// balances, and the UCDP-shaped rows import back through the UCDP GED reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agreement } from '../../src/agreement/model.js';
import { readSignerKey } from '../../src/datadir/data-dir.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { type EngineState, recordValues } from '../../src/engine/index.js';
import { toCsv } from '../../src/interop/csv.js';
import { readUcdpCsv } from '../../src/interop/events-import.js';
import {
  findingRows,
  ledgerRows,
  UCDP_GED_CSV_COLUMNS,
  ucdpGedRows,
} from '../../src/interop/state-exports.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import { signStatement } from '../../src/statement/envelope.js';

let tmp: string;
let agreement: Agreement;
let open: EngineState;
let cleared: EngineState;
let service: SqliteMechanismService;
// A restricted record is named in its issuer's namespace (admit.ts, checkRecordId).
const secret = 'monitors/restricted-incident-1';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'phaseline-exports-'));
  const demo = join(tmp, 'demo');
  seedDemo(demo);
  // The service stays open while the tests read the states: their records are read from its store.
  service = SqliteMechanismService.open(demo);
  {
    agreement = service.agreement;
    // One incident only the parties may read.
    const now = '2026-11-01T00:00:00.000Z';
    const monitors = readSignerKey(join(demo, 'keys', 'monitors.key'));
    const env = signStatement(
      {
        kind: 'incident.report',
        agreement: agreement.id,
        issuer: 'monitors',
        key: monitors.vkey,
        at: now,
        nonce: 'cmVzdHJpY3RlZC1pbmNpZGVudA',
        classification: 'parties',
        subject: secret,
        body: {
          date_start: now,
          date_end: now,
          latitude: 33.2,
          longitude: 35.4,
          where_prec: 1,
          type: 'armed-presence',
          actor: 'hezbollah',
          deaths_low: 0,
          deaths_best: 0,
          deaths_high: 0,
          source_grade: 'A1',
          evidence: [],
        },
      },
      monitors,
    );
    const [r] = await service.submit([env], now);
    expect(r!.ok).toBe(true);
    open = await service.stateAt(now, 'public');
    cleared = await service.stateAt(now, 'parties');
  }
}, 300_000);

afterAll(async () => {
  await service?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('exports at a clearance', () => {
  it('findings: one row per finding, with the ruling in effect and who signed it', () => {
    const rows = findingRows(open);
    expect(rows).toHaveLength(recordValues(open.findings).length);
    expect(rows.length).toBeGreaterThan(0);
    const effective = recordValues(open.findings).find((f) => f.effective !== null)!;
    const row = rows.find((r) => r.subject === effective.subject)!;
    expect(row.outcome).toBe(effective.effective!.outcome);
    expect(row.adjudicators).toBe(Object.keys(effective.effective!.signers).sort().join(';'));
  });

  it('the escrow ledger: every transfer, and posted transfers add up to every balance', () => {
    const rows = ledgerRows(open);
    expect(rows).toHaveLength(open.escrow.transfers.length);
    const balance: Record<string, number> = {};
    for (const r of rows) {
      if (r.status !== 'posted') continue;
      balance[r.credit as string] = (balance[r.credit as string] ?? 0) + (r.amount_minor as number);
      balance[r.debit as string] = (balance[r.debit as string] ?? 0) - (r.amount_minor as number);
    }
    for (const [account, v] of Object.entries(open.escrow.accounts))
      expect(balance[account] ?? 0, account).toBe(v);
  });

  it('UCDP GED rows: public incidents only at public clearance, the restricted one for the parties', () => {
    const pub = ucdpGedRows(open).rows.map((r) => r.relid);
    const parties = ucdpGedRows(cleared).rows.map((r) => r.relid);
    expect(pub).not.toContain(secret);
    expect(parties).toContain(secret);
    expect(parties.length).toBe(pub.length + 1);
  });

  it('UCDP GED rows import back through the UCDP GED reader, figures unchanged', () => {
    const { rows, withoutPlace } = ucdpGedRows(open);
    expect(rows.length + withoutPlace).toBe(recordValues(open.incidents).length);
    const back = readUcdpCsv(toCsv(UCDP_GED_CSV_COLUMNS, rows), 'export.csv', agreement);
    expect(back.problems).toEqual([]);
    expect(back.events).toHaveLength(rows.length);
    const sample = recordValues(open.incidents).find((i) => i.latitude !== null && i.casualties.best > 0)!;
    const again = back.events.find((e) => e.sourceId === String(sample.entry))!;
    expect(again.body).toMatchObject({
      latitude: sample.latitude,
      longitude: sample.longitude,
      where_prec: sample.where_prec,
      deaths_low: sample.casualties.low,
      deaths_best: sample.casualties.best,
      deaths_high: sample.casualties.high,
      date_start: `${sample.date_start.slice(0, 10)}T00:00:00.000Z`,
    });
  });
});
