/**
 * The simulation as a page people can look at: one self-contained HTML file (it works offline:
 * Chart.js, MIT, is inlined, and the results are embedded as the same JSON `--json` prints).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as nodePath from 'node:path';
import type { CalibrationReport } from './calibrate.js';
import type { SimulationResult } from './simulate.js';

let chartJs: string | undefined;

/** Chart.js's self-contained browser build, read from the installed package. */
function chartLibrary(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(nodePath.join(nodePath.dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

/** Text safe inside a <script> element. */
function scriptText(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:8px 12px;border-radius:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.chart{position:relative;height:320px;margin:8px 0 20px}
.small{color:#555;font-size:12px}`;

/** The page script: builds every chart from the embedded JSON. */
const PAGE_SCRIPT = `
const sim = JSON.parse(document.getElementById('simulation').textContent);
const cal = JSON.parse(document.getElementById('calibration').textContent);
const palette = ['#1f77b4','#d62728','#2ca02c','#9467bd','#ff7f0e','#8c564b','#e377c2','#17becf'];
const alpha = (c, a) => c + Math.round(a * 255).toString(16).padStart(2, '0');
function line(id, labels, datasets, yTitle, opts = {}) {
  new Chart(document.getElementById(id), { type: 'line', data: { labels, datasets },
    options: { maintainAspectRatio: false, animation: false, interaction: { mode: 'index', intersect: false },
      elements: { point: { radius: 0 } },
      plugins: { legend: { labels: { filter: (item) => !/ (5|95)%$/.test(item.text) } } },
      scales: { x: { title: { display: true, text: opts.xTitle ?? 'day' } }, y: { title: { display: true, text: yTitle }, ...(opts.y ?? {}) } } } });
}
function bandSets(label, color, band) {
  return [
    { label: label + ' 95%', data: band.map(b => b.p95), borderWidth: 0, backgroundColor: alpha(color, 0.15), fill: '+1', pointRadius: 0 },
    { label: label + ' 5%', data: band.map(b => b.p05), borderWidth: 0, backgroundColor: alpha(color, 0.15), fill: false, pointRadius: 0 },
    { label: label + ' mean', data: band.map(b => b.mean), borderColor: color, backgroundColor: color, fill: false },
  ];
}
if (sim) {
  const days = sim.run.sampleDays;
  const vs = sim.variants;
  line('firstHandover', days, vs.map((v, i) => ({ label: v.variant, data: v.timeToFirstHandover.cdf, borderColor: palette[i % 8] })), 'P(first handover by day)', { y: { min: 0, max: 1 } });
  line('allHandedOver', days, vs.map((v, i) => ({ label: v.variant, data: v.timeToAllHandedOver.cdf, borderColor: palette[i % 8] })), 'P(every zone handed over by day)', { y: { min: 0, max: 1 } });
  line('handedOver', days, vs.flatMap((v, i) => bandSets(v.variant, palette[i % 8], v.series.handedOver)), 'zones handed over (mean, 5–95%)');
  line('truce', days, vs.map((v, i) => ({ label: v.variant, data: v.truceLapse.cdf, borderColor: palette[i % 8] })), 'P(truce lapsed by day)', { y: { min: 0, max: 1 } });
  line('load', days, vs.flatMap((v, i) => bandSets(v.variant, palette[i % 8], v.series.load)).concat([{ label: 'capacity (zones at once)', data: days.map(() => sim.dynamics.force.zonesAtOnce.value), borderColor: '#000', borderDash: [6, 4] }]), 'zones the deploying force works on or holds');
  line('overdue', days, vs.flatMap((v, i) => bandSets(v.variant, palette[i % 8], v.series.overdue)), 'obligations overdue (mean, 5–95%)');
  line('released', days, vs.flatMap((v, i) => bandSets(v.variant, palette[i % 8], v.series.released)), 'escrow released to the beneficiary (' + sim.run.currency + ')');
  new Chart(document.getElementById('regressions'), { type: 'bar',
    data: { labels: vs[0].zones.map(z => z.id), datasets: vs.map((v, i) => ({ label: v.variant, backgroundColor: palette[i % 8],
      data: vs[0].zones.map(z => (v.regressions.find(r => r.zone === z.id) ?? { mean: null }).mean) })) },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { title: { display: true, text: 'regressions per trajectory (mean)' } } } } });
  if (sim.sensitivity) {
    const s = sim.sensitivity; const base = s.base.zonesHandedOver;
    const rows = s.parameters.map(p => ({ label: p.label + ' (' + Number(p.low.toPrecision(4)) + ' / ' + Number(p.high.toPrecision(4)) + ')', lo: p.atLow.zonesHandedOver - base, hi: p.atHigh.zonesHandedOver - base }))
      .sort((a, b) => Math.max(Math.abs(b.lo), Math.abs(b.hi)) - Math.max(Math.abs(a.lo), Math.abs(a.hi)));
    new Chart(document.getElementById('tornado'), { type: 'bar',
      data: { labels: rows.map(r => r.label), datasets: [
        { label: 'parameter at its low value', data: rows.map(r => [0, r.lo]), backgroundColor: '#d62728' },
        { label: 'parameter at its high value', data: rows.map(r => [0, r.hi]), backgroundColor: '#1f77b4' } ] },
      options: { indexAxis: 'y', maintainAspectRatio: false, animation: false,
        scales: { x: { title: { display: true, text: 'change in zones handed over at the horizon (base ' + base + ')' } }, y: { stacked: true } } } });
  }
}
if (cal) cal.processes.forEach((p, i) => {
  const labels = p.weeks.map(w => w.from + (w.days < 7 ? ' (' + w.days + ' d)' : ''));
  line('cal' + i, labels, [
    { label: 'simulated 95%', data: p.weeks.map(w => w.p95), borderWidth: 0, backgroundColor: alpha('#1f77b4', 0.2), fill: '+1' },
    { label: 'simulated 5%', data: p.weeks.map(w => w.p05), borderWidth: 0, fill: false },
    { label: 'simulated median', data: p.weeks.map(w => w.p50), borderColor: '#1f77b4', borderDash: [4, 3] },
    { label: 'observed', data: p.weeks.map(w => w.observed), borderColor: '#d62728', backgroundColor: '#d62728', pointRadius: 4, showLine: false },
  ], 'events per week', { xTitle: 'week starting' });
});`;

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function day(x: number | null, days: number): string {
  return x === null ? `>${days}` : String(x);
}

function simulationSection(r: SimulationResult): string {
  const d = r.run.days;
  const rows = r.variants
    .map(
      (v) =>
        `<tr><td>${esc(v.variant)}</td><td>${pct(v.timeToFirstHandover.probability)}</td><td>${day(v.timeToFirstHandover.p50, d)}</td><td>${day(v.timeToAllHandedOver.p10, d)} / ${day(v.timeToAllHandedOver.p50, d)} / ${day(v.timeToAllHandedOver.p90, d)}</td><td>${pct(v.truceLapse.probability)}</td><td>${day(v.truceLapse.p50, d)}</td><td>${v.truceSuspensions.mean}</td><td>${v.overdueObligations.mean} (${v.overdueObligations.byParty.map((p) => `${esc(p.party)} ${p.mean}`).join(', ') || 'none'})</td><td>${(v.series.released[v.series.released.length - 1]!.mean / 1e6).toFixed(1)} million</td><td>${v.statementsPerTrajectory}</td></tr>`,
    )
    .join('\n');
  const stuck = r.variants.flatMap((v) =>
    v.stuck.map((s) => `<li>${esc(v.variant)}: ${esc(s.wait)} (${s.trajectories} trajectories)</li>`),
  );
  return `
<h2>Variants side by side</h2>
<p class="small">${r.run.runs} trajectories per variant over ${d} days from ${esc(r.run.start.slice(0, 10))} (day 0), seed ${r.run.seed}; agreement ${esc(r.run.agreementFile)}, dynamics ${esc(r.run.dynamicsFile)}${
    Object.keys(r.run.overrides).length
      ? `, with ${esc(
          Object.entries(r.run.overrides)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        )}`
      : ''
  }.</p>
<table><tr><th>variant</th><th>P(first handover)</th><th>median day of first handover</th><th>every zone handed over: day p10 / p50 / p90</th><th>P(truce lapses)</th><th>median lapse day</th><th>suspensions (mean)</th><th>overdue obligations (mean, by party)</th><th>escrow released at the horizon (${esc(r.run.currency)}, mean)</th><th>statements per trajectory</th></tr>
${rows}</table>
${stuck.length ? `<p>Waits the simulator could not act on (these parts were not simulated):</p><ul>${stuck.join('')}</ul>` : ''}
<h2>When the first zone is handed over</h2><div class="chart"><canvas id="firstHandover"></canvas></div>
<h2>Zones handed over over time</h2><div class="chart"><canvas id="handedOver"></canvas></div>
<h2>When every zone is handed over</h2><div class="chart"><canvas id="allHandedOver"></canvas></div>
<h2>Truce lapse</h2><div class="chart"><canvas id="truce"></canvas></div>
<h2>Load on the deploying force</h2><div class="chart"><canvas id="load"></canvas></div>
<h2>Overdue obligations</h2><div class="chart"><canvas id="overdue"></canvas></div>
<h2>Escrow released over time</h2><div class="chart"><canvas id="released"></canvas></div>
<h2>Regressions per zone</h2><div class="chart"><canvas id="regressions"></canvas></div>
${r.sensitivity ? `<h2>Sensitivity (${esc(r.sensitivity.variant)}, ${r.sensitivity.runs} trajectories per setting)</h2><p class="small">Each parameter alone moved to its low and high value (in brackets); the bars show the change in the mean number of zones handed over at the horizon.</p><div class="chart" style="height:${120 + 36 * r.sensitivity.parameters.length}px"><canvas id="tornado"></canvas></div>` : ''}`;
}

function calibrationSection(c: CalibrationReport): string {
  return `<h2>Calibration: observed events per week against the fitted processes</h2>
${c.processes
  .map((p, i) => {
    const outside = p.weeks.filter((w) => !w.inside);
    const e = p.fit.estimates;
    const ci = (x: { value: number; ci95: [number, number] | null }) =>
      `${x.value.toPrecision(3)}${x.ci95 ? ` (95% CI ${x.ci95[0].toPrecision(3)}–${x.ci95[1].toPrecision(3)})` : ' (no interval: at a boundary)'}`;
    return `<h3>${esc(p.actor)}: ${esc(p.file)}, ${p.window.from} to ${p.window.to} (${p.events} events)</h3>
<p>baseline ${ci(p.baseline)} per day; self-excitation ${ci(e.alpha[0]![0]!)} events per event; decay ${ci(e.beta[0]!)} per day. ${
      outside.length === 0
        ? 'Every observed week lies inside the simulated 90% band.'
        : `Outside the simulated 90% band: ${outside.map((w) => `week of ${w.from} (${w.observed} observed, band ${w.p05}–${w.p95})`).join('; ')}.`
    }</p><div class="chart"><canvas id="cal${i}"></canvas></div>`;
  })
  .join('\n')}`;
}

/** The HTML report of a simulation and/or a calibration. */
export function renderReportHtml(sim: SimulationResult | null, cal: CalibrationReport | null): string {
  const title = sim
    ? `Phaseline simulation — ${sim.variants.map((v) => v.variant).join(', ')}`
    : 'Phaseline calibration';
  const illustrative =
    (sim?.illustrative ?? true)
      ? '<p class="banner"><b>Illustrative.</b> The zones, amounts, site counts and most durations are invented; only the violation processes are fitted to real records. Read the numbers as the consequences of these assumptions, not as forecasts.</p>'
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1>${illustrative}
${sim ? simulationSection(sim) : ''}
${cal ? calibrationSection(cal) : ''}
<p class="small">Data: ${esc((sim?.attribution ?? []).join('; ') || 'UCDP GED 25.1 (CC BY 4.0); FPV-strike video catalogue (CC0)')}. Charts: Chart.js (MIT).</p>
<script type="application/json" id="simulation">${scriptText(JSON.stringify(sim))}</script>
<script type="application/json" id="calibration">${scriptText(JSON.stringify(cal))}</script>
<script>${scriptText(chartLibrary())}</script>
<script>${scriptText(PAGE_SCRIPT)}</script>
</body></html>
`;
}
