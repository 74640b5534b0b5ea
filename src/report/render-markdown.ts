/** The daily report as Markdown (GitHub-flavoured tables), for `phaseline report daily --format md`. */
import { ENGLISH_LABELS, type ReportLabels } from './labels.js';
import type { DailyReport, ReportFinding } from './model.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReportMarkdown(r: DailyReport, labels: ReportLabels = ENGLISH_LABELS): string {
  const L = labels;
  const C = L.columns;
  const word = L.term;
  const cites = (ns: number[]) => ns.map((n) => `#${n}`).join(' ');
  const table = (head: string[], rows: string[][]) =>
    rows.length === 0
      ? `${L.none}\n`
      : `| ${head.map(cell).join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|\n${rows
          .map((row) => `| ${row.map(cell).join(' | ')} |`)
          .join('\n')}\n`;
  const finding = (f: ReportFinding | null) =>
    f === null
      ? ''
      : `${word(f.outcome)}${f.violator ? ` — ${word(f.violator)}` : ''}${f.severity ? ` (${word(f.severity)})` : ''} ${cites(f.cites)}`;
  const accounts = (f: ReportFinding | null) =>
    f === null
      ? ''
      : f.accounts.map((x) => `${x.party} ${word(x.position)}: ${x.text} ${cites([x.entry])}`).join('; ');
  const counts = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${word(k)} ${L.number(n)}`)
      .join(', ') || L.none;
  const out: string[] = [];
  const h2 = (t: string) => out.push(`\n## ${t}\n`);
  out.push(
    `# ${L.heading(r.title, r.date)}\n`,
    `> ${r.notice}\n`,
    `${L.clearance(r.clearance)} ${L.verifyHint}\n`,
  );
  h2(L.sections.summary);
  for (const k of Object.keys(r.summary) as (keyof DailyReport['summary'])[])
    out.push(`- ${L.number(r.summary[k])} ${L.summary[k]}`);
  h2(L.sections.stageChanges);
  out.push(
    table(
      [C.zone!, C.from!, C.to!, C.at!, C.cites!],
      r.stageChanges.map((s) => [s.zoneName, word(s.from), word(s.to), L.date(s.at), cites(s.cites)]),
    ),
  );
  h2(L.sections.zones);
  out.push(
    table(
      [C.zone!, C.stage!, C.waits!, C.withdrawal!],
      r.zones.map((z) => [
        `${z.name}${z.illustrative ? ' (illustrative)' : ''}`,
        word(z.stage),
        z.next === null ? '—' : `${word(z.next)}: ${z.waitingFor.join('; ')}`,
        word(z.withdrawal),
      ]),
    ),
  );
  h2(L.sections.incidents);
  out.push(
    `${C.byType}: ${counts(r.incidentsBy.type)}\n\n${C.byZone}: ${counts(r.incidentsBy.zone)}\n\n${C.byActor}: ${counts(r.incidentsBy.actor)}\n`,
  );
  out.push(
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
        `${i.id} ${cites([i.entry])}`,
        word(i.type),
        i.zone ?? '',
        i.actor ?? '',
        L.date(i.date_start),
        i.source_grade,
        L.number(i.deaths_best),
        i.response ? word(i.response) : '',
        finding(i.finding),
        accounts(i.finding),
      ]),
    ),
  );
  h2(L.sections.strikes);
  out.push(
    table(
      [C.by!, C.zone!, C.class!, C.finding!, C.accounts!],
      r.strikes.map((s) => [
        `${s.by} ${cites([s.entry])}`,
        s.zone ?? '',
        `${word(s.classification)}: ${s.reason}`,
        finding(s.finding),
        accounts(s.finding),
      ]),
    ),
  );
  h2(L.sections.findings);
  out.push(
    table(
      [C.subject!, C.finding!, C.at!, C.accounts!],
      r.findings.map((f) => [f.subject, finding(f), L.date(f.at), accounts(f)]),
    ),
  );
  h2(L.sections.contested);
  out.push(
    table(
      [C.subject!, C.status!, C.sides!],
      r.contested.map((c) => [
        c.subject,
        c.what,
        c.sides.map((s) => `${s.party}: ${word(s.position)} ${cites([s.entry])}`).join('; '),
      ]),
    ),
  );
  h2(L.sections.overdue);
  out.push(
    table(
      [C.zone!, C.waits!],
      r.overdue.map((o) => [o.zone, o.text]),
    ),
  );
  h2(L.sections.truce);
  out.push(
    `${C.status}: ${word(r.truce.status)}${r.truce.warning ? ' ⚠' : ''}; ${C.expires}: ${L.date(r.truce.expires)}; ${C.remaining}: ${L.duration(r.truce.remaining_ms)}\n`,
  );
  for (const w of r.truce.waitingFor) out.push(`- ${w}`);
  out.push(`\n${C.extensions}:\n`);
  out.push(
    table(
      [C.rule!, C.zone!, C.remaining!, C.at!, C.cites!],
      r.truce.extensions.map((e) => [
        word(e.benchmark),
        e.key,
        L.duration(e.extend_ms),
        L.date(e.at),
        cites(e.cites),
      ]),
    ),
  );
  h2(L.sections.escrow);
  const cur = r.escrow.currency;
  out.push(
    `${C.available}: ${L.money(r.escrow.available, cur)}; ${C.held}: ${L.money(r.escrow.held, cur)}; ${C.pending}: ${L.money(r.escrow.pending, cur)}\n`,
  );
  out.push(
    table(
      [C.transfer!, C.from!, C.to!, C.amount!, C.rule!, C.status!, C.cites!],
      r.escrow.transfers.map((t) => [
        t.id,
        t.debit,
        t.credit,
        L.money(t.amount, cur),
        word(t.rule),
        word(t.status),
        cites(t.cites),
      ]),
    ),
  );
  h2(L.sections.checkpoint);
  out.push(
    `${L.madeFrom(r.log.folded, r.log.size, L.date(r.asOf))}\n\n\`\`\`\n${r.log.checkpoint ?? ''}\`\`\``,
  );
  return `${out.join('\n')}\n`;
}
