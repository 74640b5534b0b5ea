/** `phaseline simulate` and `phaseline calibrate` from the command line. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalibrationReport } from '../../src/sim/calibrate.js';
import type { SimulationResult } from '../../src/sim/simulate.js';
import { phaseline, tempDir } from '../helpers/cli.js';
import { phaselineInProcess as inProcess } from './in-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('phaseline simulate', () => {
  it('prints the result document with --json and writes it with an offline HTML report with --out', () => {
    const dir = tempDir('phaseline-sim-cli-');
    dirs.push(dir);
    const r = phaseline([
      'simulate',
      '--variant',
      'phased-pilot-zones',
      '--variant',
      'lebanese-linear',
      '--runs',
      '6',
      '--days',
      '30',
      '--workers',
      '1',
      '--set',
      'force.units.value=4',
      '--json',
      '--out',
      dir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as SimulationResult;
    expect(doc.kind).toBe('phaseline-simulation');
    expect(doc.variants.map((v) => v.variant)).toEqual(['phased-pilot-zones', 'lebanese-linear']);
    expect(doc.run).toMatchObject({ runs: 6, days: 30, seed: 1, overrides: { 'force.units.value': 4 } });
    expect(doc.dynamics.force.units.value).toBe(4);
    expect(doc.variants[0]!.series.handedOver).toHaveLength(doc.run.sampleDays.length);
    expect(readFileSync(join(dir, 'simulation.json'), 'utf8')).toBe(r.stdout);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // Offline: the chart library is inlined, nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/);
    expect(html).toContain('Chart.js v4');
    expect(html).toContain('<canvas id="firstHandover">');
    expect(html).toContain('Illustrative.');
  });

  it('refuses a --set that names nothing, and an unknown variant, as wrong invocations', async () => {
    await expect(
      inProcess(['simulate', '--runs', '2', '--set', 'force.unitz.value=3', '--workers', '1']),
    ).rejects.toThrow(/--set force\.unitz\.value: no number at this path/);
    await expect(inProcess(['simulate', '--variant', 'nope'])).rejects.toThrow(
      /unknown variant "nope" \(known: /,
    );
  });
});

describe('phaseline calibrate', () => {
  it('reports the fit with intervals and the weekly band, and writes its own report', async () => {
    const dir = tempDir('phaseline-cal-cli-');
    dirs.push(dir);
    const out = await inProcess(['calibrate', '--runs', '200', '--json', '--out', dir]);
    const report = JSON.parse(out) as CalibrationReport;
    expect(report.processes.map((p) => p.actor)).toEqual(['israel', 'hezbollah']);
    expect(report.processes[1]!.fit.estimates.alpha[0]![0]!.ci95).not.toBeNull();
    expect(existsSync(join(dir, 'calibration.html'))).toBe(true);
    const text = await inProcess(['calibrate', '--runs', '200']);
    expect(text).toMatch(/hezbollah: 149 events in events\/fpv_drone_strike_videos_south_lebanon_2026\.csv/);
    expect(text).toMatch(/self-excitation 0\.745\d \[0\.5\d\d, 1\.09\] events per event/);
  });
});
