/**
 * The daily report as HTML: a fragment (the web page puts it in place and turns each citation
 * into a Verify button) or a whole document (`phaseline report daily --format html|pdf`). Every
 * value is escaped; the only markup is ours.
 */
import { ENGLISH_LABELS, type ReportLabels } from './labels.js';
import type { DailyReport, ReportFinding } from './model.js';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export interface HtmlOptions {
  labels?: ReportLabels;
  /** How a citation of log index N is written: a button the page wires to Verify, or plain text. */
  cite?: 'button' | 'text';
}

export function renderReportFragment(r: DailyReport, options: HtmlOptions = {}): string {
  const L = options.labels ?? ENGLISH_LABELS;
  const word = (t: string) => esc(L.term(t));
  const cites = (ns: number[]) =>
    ns
      .map((n) =>
        options.cite === 'button'
          ? `<button type="button" class="cite" data-index="${n}" aria-label="#${n}">#${n}</button>`
          : `<span class="cite">#${n}</span>`,
      )
      .join(' ');
  const table = (head: string[], rows: string[][]) =>
    rows.length === 0
      ? `<p class="none">${esc(L.none)}</p>`
      : `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((c) => `<td>${c}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
  const section = (id: string, title: string, body: string) =>
    `<section id="report-${id}" aria-labelledby="report-${id}-h"><h2 id="report-${id}-h">${esc(title)}</h2>${body}</section>`;
  const C = L.columns;
  const findingText = (f: ReportFinding | null) =>
    f === null
      ? ''
      : `${word(f.outcome)}${f.violator ? ` — ${word(f.violator)}` : ''}${f.severity ? ` (${word(f.severity)})` : ''} ${cites(f.cites)}`;
  const accounts = (f: ReportFinding | null) =>
    f === null
      ? ''
      : f.accounts
          .map(
            (x) =>
              `<div class="account"><strong>${esc(x.party)}</strong> ${word(x.position)}: ${esc(x.text)} ${cites([x.entry])}</div>`,
          )
          .join('');
  const counts = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `<li>${word(k)}: <span class="num">${esc(L.number(n))}</span></li>`)
      .join('');

  const parts: string[] = [];
  parts.push(
    `<header><h1>${esc(L.heading(r.title, r.date))}</h1><p class="notice">${esc(r.notice)}</p><p>${esc(L.clearance(r.clearance))} ${esc(L.verifyHint)}</p></header>`,
  );
  parts.push(
    section(
      'summary',
      L.sections.summary,
      `<ul class="summary">${(Object.keys(r.summary) as (keyof DailyReport['summary'])[])
        .map(
          (k) =>
            `<li data-count="${k}"><span class="num">${esc(L.number(r.summary[k]))}</span> ${esc(L.summary[k])}</li>`,
        )
        .join('')}</ul>`,
    ),
  );
  parts.push(
    section(
      'stages',
      L.sections.stageChanges,
      table(
        [C.zone!, C.from!, C.to!, C.at!, C.cites!],
        r.stageChanges.map((s) => [
          esc(s.zoneName),
          word(s.from),
          word(s.to),
          esc(L.date(s.at)),
          cites(s.cites),
        ]),
      ),
    ),
  );
  parts.push(
    section(
      'zones',
      L.sections.zones,
      table(
        [C.zone!, C.stage!, C.waits!, C.withdrawal!],
        r.zones.map((z) => [
          `${esc(z.name)}${z.illustrative ? ' <span class="illustrative">(illustrative)</span>' : ''}`,
          word(z.stage),
          z.next === null ? '—' : `${word(z.next)}: ${z.waitingFor.map(esc).join('; ')}`,
          word(z.withdrawal),
        ]),
      ),
    ),
  );
  parts.push(
    section(
      'incidents',
      L.sections.incidents,
      `<div class="by"><div><h3>${esc(C.byType!)}</h3><ul>${counts(r.incidentsBy.type)}</ul></div><div><h3>${esc(C.byZone!)}</h3><ul>${counts(r.incidentsBy.zone)}</ul></div><div><h3>${esc(C.byActor!)}</h3><ul>${counts(r.incidentsBy.actor)}</ul></div></div>` +
        table(
          [
            C.incident!,
            C.type!,
            C.zone!,
            C.actor!,
            C.happened!,
            C.grade!,
            C.deaths!,
            C.response!,
            C.finding!,
            C.accounts!,
          ],
          r.incidents.map((i) => [
            `${esc(i.id)} ${cites([i.entry])}`,
            word(i.type),
            esc(i.zone ?? ''),
            esc(i.actor ?? ''),
            esc(L.date(i.date_start)),
            esc(i.source_grade),
            esc(L.number(i.deaths_best)),
            i.response ? word(i.response) : '',
            findingText(i.finding),
            accounts(i.finding),
          ]),
        ),
    ),
  );
  parts.push(
    section(
      'strikes',
      L.sections.strikes,
      table(
        [C.by!, C.zone!, C.class!, C.finding!, C.accounts!],
        r.strikes.map((s) => [
          `${esc(s.by)} ${cites([s.entry])}`,
          esc(s.zone ?? ''),
          `${word(s.classification)}<div class="why">${esc(s.reason)}</div>`,
          findingText(s.finding),
          accounts(s.finding),
        ]),
      ),
    ),
  );
  parts.push(
    section(
      'findings',
      L.sections.findings,
      table(
        [C.subject!, C.finding!, C.at!, C.accounts!],
        r.findings.map((f) => [esc(f.subject), findingText(f), esc(L.date(f.at)), accounts(f)]),
      ),
    ),
  );
  parts.push(
    section(
      'contested',
      L.sections.contested,
      table(
        [C.subject!, C.status!, C.sides!],
        r.contested.map((c) => [
          esc(c.subject),
          esc(c.what),
          c.sides.map((s) => `${esc(s.party)}: ${word(s.position)} ${cites([s.entry])}`).join('<br>'),
        ]),
      ),
    ),
  );
  parts.push(
    section(
      'overdue',
      L.sections.overdue,
      table(
        [C.zone!, C.waits!],
        r.overdue.map((o) => [esc(o.zone), esc(o.text)]),
      ),
    ),
  );
  parts.push(
    section(
      'truce',
      L.sections.truce,
      `<dl class="truce"><dt>${esc(C.status!)}</dt><dd>${word(r.truce.status)}${r.truce.warning ? ' ⚠' : ''}</dd><dt>${esc(C.expires!)}</dt><dd>${esc(L.date(r.truce.expires))}</dd><dt>${esc(C.remaining!)}</dt><dd>${esc(L.duration(r.truce.remaining_ms))}</dd></dl>` +
        `<ul>${r.truce.waitingFor.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` +
        `<h3>${esc(C.extensions!)}</h3>` +
        table(
          [C.rule!, C.zone!, C.remaining!, C.at!, C.cites!],
          r.truce.extensions.map((e) => [
            word(e.benchmark),
            esc(e.key),
            esc(L.duration(e.extend_ms)),
            esc(L.date(e.at)),
            cites(e.cites),
          ]),
        ),
    ),
  );
  const cur = r.escrow.currency;
  parts.push(
    section(
      'escrow',
      L.sections.escrow,
      `<dl class="escrow"><dt>${esc(C.available!)}</dt><dd>${esc(L.money(r.escrow.available, cur))}</dd><dt>${esc(C.held!)}</dt><dd>${esc(L.money(r.escrow.held, cur))}</dd><dt>${esc(C.pending!)}</dt><dd>${esc(L.money(r.escrow.pending, cur))}</dd></dl>` +
        table(
          [C.transfer!, C.from!, C.to!, C.amount!, C.rule!, C.status!, C.cites!],
          r.escrow.transfers.map((t) => [
            esc(t.id),
            esc(t.debit),
            esc(t.credit),
            esc(L.money(t.amount, cur)),
            word(t.rule),
            word(t.status),
            cites(t.cites),
          ]),
        ),
    ),
  );
  parts.push(
    section(
      'checkpoint',
      L.sections.checkpoint,
      `<p>${esc(L.madeFrom(r.log.folded, r.log.size, L.date(r.asOf)))}</p><pre class="checkpoint">${esc(r.log.checkpoint ?? '')}</pre>`,
    ),
  );
  return `<article class="daily-report" lang="${esc(L.lang)}" dir="${L.dir}">${parts.join('')}</article>`;
}

const DOCUMENT_CSS = `
body{font:14px/1.45 system-ui,"Noto Sans","Noto Sans Arabic","Noto Sans Hebrew",sans-serif;color:#1a1a1a;margin:2em auto;max-width:60em;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.6em}h3{font-size:1em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #999;padding:.25em .4em;text-align:start;vertical-align:top}
th{background:#e8eef5}.notice{background:#fff4ce;padding:.4em .6em}.cite{font-family:ui-monospace,monospace;color:#1f4e79}
.by{display:flex;gap:2em}.why{color:#444;font-size:.9em}.account{font-size:.9em;border-inline-start:3px solid #999;padding-inline-start:.4em;margin:.2em 0}
pre.checkpoint{background:#f3f3f3;padding:.6em;white-space:pre-wrap;word-break:break-all}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dd{margin:0}
@media print{body{margin:0}section{break-inside:avoid-page}}`;

/** A whole HTML document, for files and PDF. */
export function renderReportDocument(r: DailyReport, options: HtmlOptions = {}): string {
  const L = options.labels ?? ENGLISH_LABELS;
  return `<!doctype html><html lang="${esc(L.lang)}" dir="${L.dir}"><head><meta charset="utf-8"><title>${esc(L.heading(r.title, r.date))}</title><style>${DOCUMENT_CSS}</style></head><body>${renderReportFragment(r, { ...options, labels: L })}</body></html>\n`;
}
