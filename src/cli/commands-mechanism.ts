/** `phaseline init` and `phaseline status`: a data directory running an agreement. */

import { join } from 'node:path';
import type { Command } from 'commander';
import { readSignerKey, resolveDataDir } from '../datadir/data-dir.js';
import { seedDemo } from '../demo/seed-demo.js';
import { happenedBy } from '../engine/event-time.js';
import { explain, formatMoney, recordValues, serializeState } from '../engine/index.js';
import { arrangementText } from '../engine/prior-arrangements.js';
import { exportTiles } from '../export/export-tiles.js';
import { initDataDir, Mechanism } from '../mechanism/mechanism.js';
import { SyncLogStoreAdapter } from '../store/async-log-store.js';
import { tileSource } from '../verify/tile-source.js';
import { verifyLog } from '../verify/verify-log.js';
import { commitExportedState, nowIso, parseTimeOption } from './commands-log.js';
import { UsageError } from './input.js';
import { progressBar } from './progress.js';

/** Seeds the demo history with a progress bar; returns the counts. */
function runSeed(dir: string): { admitted: number; simulated: number; imported: number; logSize: number } {
  const bar = progressBar('seeding demo history', 'statements');
  const r = seedDemo(dir, { onProgress: (p) => p.phase === 'ingest' && bar.update(p.done, p.total) });
  bar.stop();
  if (r.rejected.length > 0) {
    // The generator is deterministic and checked by tests: a rejection here is a bug, not bad input.
    throw new Error(
      `demo history: ${r.rejected.length} statements rejected, first: ${r.rejected[0]!.code}: ${r.rejected[0]!.message}`,
    );
  }
  return { admitted: r.admitted, simulated: r.demo, imported: r.imported, logSize: r.logSize };
}

export function registerMechanismCommands(program: Command): void {
  program
    .command('demo')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .description(
      'the main job on the embedded default: init the Lebanon 2026 scenario with a SIMULATED demo history and the real incident records (once), export the log, verify it independently, and show the state',
    )
    .action(async (opts: { data?: string }) => {
      const dir = resolveDataDir(opts.data);
      const w = (t: string) => process.stdout.write(t + '\n');
      if (!Mechanism.exists(dir)) {
        initDataDir(dir);
        const r = runSeed(dir);
        w(`initialized ${dir} with the Lebanon 2026 scenario (illustrative zones)`);
        w(
          `seeded ${r.admitted} signed statements: ${r.simulated} SIMULATED demo statements and ${r.imported} real incident records (UCDP GED 25.1, CC BY 4.0; FPV strike catalogue, CC0)`,
        );
      } else {
        w(`using the existing data directory ${dir}`);
      }
      const m = Mechanism.open(dir);
      let vkey: string;
      const out = join(dir, 'public');
      try {
        await exportTiles(new SyncLogStoreAdapter(m.log.store), out);
        vkey = readSignerKey(m.paths.logKeyPath).vkey;
      } finally {
        m.close();
      }
      await commitExportedState(out, dir);
      const report = await verifyLog(tileSource(out), { key: vkey, statements: true });
      w(
        `exported the public log to ${out} (C2SP tlog-tiles) and verified it: ${report.size} entries, root ${report.root}`,
      );
      w(`log verifier key: ${vkey}`);
      w('');
      await program.parseAsync(['status', '--data', dir], { from: 'user' });
      w('');
      w('Statements marked SIMULATED are a generated demo history, not real events.');
      w(`Next: phaseline status --data ${dir} --at 2026-07-10   (any past time)`);
      w(`      phaseline verify ${out} --key '${vkey}'`);
    });

  program
    .command('init')
    .option(
      '--agreement <file>',
      'an agreement file of your own (check it first with `phaseline check FILE`)',
    )
    .option('--scenario <name>', 'a shipped scenario under scenarios/ (default: lebanon-2026)')
    .option(
      '--variant <name|file>',
      'with --scenario: a variant name (scenarios/NAME/variants/); with --agreement: an overlay file',
    )
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option(
      '--demo',
      'also seed a deterministic, signed, SIMULATED history of several months plus the real incident records',
    )
    .option('--json', 'print the result as JSON')
    .description(
      'create a data directory: the agreement, a key for each party (keys/PARTY.key) and the log key',
    )
    .action(
      (opts: {
        agreement?: string;
        scenario?: string;
        variant?: string;
        data?: string;
        json?: boolean;
        demo?: boolean;
      }) => {
        const dir = resolveDataDir(opts.data);
        if (opts.agreement !== undefined && opts.scenario !== undefined)
          throw new UsageError('give --agreement FILE or --scenario NAME, not both');
        const r = initDataDir(
          dir,
          opts.agreement !== undefined
            ? {
                agreementFile: opts.agreement,
                ...(opts.variant === undefined ? {} : { variantFile: opts.variant }),
              }
            : {
                ...(opts.scenario === undefined ? {} : { scenario: opts.scenario }),
                ...(opts.variant === undefined ? {} : { variant: opts.variant }),
              },
        );
        const seeded = opts.demo ? runSeed(dir) : undefined;
        if (opts.json) {
          process.stdout.write(
            JSON.stringify({
              ...(seeded ? { demo: seeded } : {}),
              dir,
              agreement: r.agreement.id,
              logOrigin: r.agreement.logOrigin,
              logKey: r.logKey,
              keys: r.keyFiles,
            }) + '\n',
          );
          return;
        }
        process.stdout.write(
          `initialized ${dir}\n  agreement ${r.agreement.id} (${r.from})\n  log origin ${r.agreement.logOrigin}\n`,
        );
        for (const [party, file] of Object.entries(r.keyFiles))
          process.stdout.write(`  key of ${party}: ${file}\n`);
        process.stdout.write(`  log verifier key ${r.logKey}\n`);
        if (seeded) {
          process.stdout.write(
            `  seeded ${seeded.admitted} signed statements (${seeded.simulated} SIMULATED, ${seeded.imported} real incident records)\n`,
          );
        }
        process.stdout.write(
          `sign as a party with: phaseline sign --key ${dir}/keys/PARTY.key payload.json | phaseline log append --data ${dir}\n`,
        );
      },
    );

  program
    .command('status')
    .option('--at <time>', 'state as of this time (RFC 3339 or a date; default: now)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--json', 'print the explanation (and the full state with --state) as JSON')
    .option('--state', 'with --json: include the whole derived state')
    .description(
      'the state derived from the log: every zone with its stage and what it awaits, claims, inventory, units, incidents, truce, escrow',
    )
    .action((opts: { at?: string; data?: string; json?: boolean; state?: boolean }) => {
      const dir = resolveDataDir(opts.data);
      const at = opts.at === undefined ? nowIso() : parseTimeOption(opts.at, '--at');
      const m = Mechanism.open(dir);
      try {
        const state = m.timeline.stateAt(at);
        const ex = explain(m.agreement, state, at);
        // A second, explicit read: incidents known now, by when they happened (event-time.ts).
        const happened = opts.at === undefined ? null : happenedBy(m.timeline.current, Date.parse(at));
        if (opts.json) {
          const out: Record<string, unknown> = {
            agreement: m.agreement.id,
            logSize: m.log.size,
            ...ex,
            ...(happened ? { happenedBy: happened } : {}),
          };
          if (opts.state) out.state = JSON.parse(serializeState(state));
          process.stdout.write(JSON.stringify(out) + '\n');
          return;
        }
        const a = m.agreement;
        const w = (s: string) => process.stdout.write(s + '\n');
        w(
          `${a.title ?? a.id} — state at ${at} (${state.count} of ${m.log.size} log entries admitted by then)`,
        );
        w('Zones are illustrative: the real pilot-zone boundaries are not public.');
        w('');
        w('ZONES');
        for (const z of ex.zones) {
          const withdrawal =
            z.withdrawal.status === 'none'
              ? ''
              : `  withdrawal: ${z.withdrawal.status}${z.withdrawal.unknownTo.length ? ` (unknown to ${z.withdrawal.unknownTo.join(', ')})` : ''}`;
          w(`  ${z.id.padEnd(24)} ${z.stage.padEnd(14)}${withdrawal}`);
          if (z.next !== null)
            for (const wait of z.waitingFor.slice(0, 3)) w(`      → ${z.next}: ${wait.text}`);
          const gaps = Object.entries(z.gap).filter(([, n]) => n !== 0);
          if (gaps.length)
            w(`      declared-vs-verified gap: ${gaps.map(([c, n]) => `${c} ${n}`).join(', ')}`);
          const unsupported = Object.entries(z.unsupported);
          if (unsupported.length)
            w(
              `      reported verified but never found or neutralized (not counted): ${unsupported.map(([c, n]) => `${c} ${n}`).join(', ')}`,
            );
          for (const u of z.unitsDeployed) w(`      held by ${u.unit} (${u.strength}, vetting ${u.vetting})`);
        }
        w('');
        if (ex.truce.status === 'not-started')
          w(
            `TRUCE  not started: ${ex.truce.arrangement ? `what held then — ${arrangementText(ex.truce.arrangement)}` : 'the agreement has not taken effect in this log'}`,
          );
        else
          w(
            `TRUCE  ${ex.truce.status}, expires ${ex.truce.expires}${ex.truce.warning ? '  ⚠ lapse warning' : ''}`,
          );
        for (const wait of ex.truce.waitingFor.slice(0, 3)) w(`      → ${wait.text}`);
        const overdue = ex.zones.flatMap((z) =>
          z.obligations.filter((o) => o.status === 'overdue').map((o) => ({ zone: z.id, ...o })),
        );
        if (overdue.length) {
          w('');
          w('OVERDUE');
          for (const o of overdue)
            w(`  ${o.zone.padEnd(24)} ${o.stage} owed by ${o.owedBy.join(', ')} since ${o.due} (${o.label})`);
        }
        const money = (minor: number) => formatMoney(a.escrow, minor);
        w('');
        w(
          `ESCROW available ${money(ex.escrow.available)}, held ${money(ex.escrow.held)}, pending ${money(ex.escrow.pending)}`,
        );
        for (const i of ex.indicators)
          w(
            `  ${i.id.padEnd(28)} authorized ${money(i.authorized)}${i.waitingFor[0] ? `  → ${i.waitingFor[0].text}` : ''}`,
          );
        const incidents = recordValues(state.incidents);
        const strikes = recordValues(state.strikes);
        w('');
        w(
          `INCIDENTS ${incidents.length}, findings ${recordValues(state.findings).length}, strikes ${strikes.length}`,
        );
        const byClass: Record<string, number> = {};
        for (const s of strikes)
          byClass[(s as { classification?: string }).classification ?? 'unclassified'] =
            (byClass[(s as { classification?: string }).classification ?? 'unclassified'] ?? 0) + 1;
        if (strikes.length)
          w(
            `  strikes by classification: ${Object.entries(byClass)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')}`,
          );
        if (happened !== null)
          w(
            `INCIDENTS THAT HAPPENED BY ${happened.happenedBy}, as known at ${happened.knownAt ?? 'no entry yet'} (by their own dates, not their admission): ${happened.count}${
              happened.count
                ? ` (${Object.entries(happened.bySource)
                    .map(([k, n]) => `${k} ${n}`)
                    .join(', ')})`
                : ''
            }`,
          );
        const units = recordValues(state.units);
        w(`UNITS ${units.length}`);
      } finally {
        m.close();
      }
    });
}
