/**
 * Semantic checks of what the agreement attaches to time and conduct: deadlines, the truce's
 * escalation rules, the sponsor track and the arrangements in force before the agreement. Run by
 * `checkAgreement` after the schema; each problem carries the path of the offending value.
 */
import type { DocPath } from './errors.js';
import type { Agreement } from './model.js';
import type { PathProblem } from './zod-issues.js';

export function checkObligations(a: Agreement): PathProblem[] {
  const out: PathProblem[] = [];
  const push = (path: DocPath, message: string) => out.push({ path, message });
  const stageRank = new Map(a.stages.map((s, i) => [s.id, i]));
  const zoneIds = new Set(a.zones.map((z) => z.id));
  const partyIds = new Set(a.parties.map((p) => p.id));
  const roles = new Set(a.parties.flatMap((p) => p.roles));
  const list = (xs: Iterable<string>) => [...xs].join(', ') || 'none declared';

  const actorIds = new Set((a.actors ?? []).map((x) => x.id));
  const partyOrRole = (at: DocPath, x: { party?: string; role?: string }) => {
    if ((x.party === undefined) === (x.role === undefined)) push(at, 'name exactly one of "party" or "role"');
    else if (x.party !== undefined && !partyIds.has(x.party))
      push([...at, 'party'], `unknown party "${x.party}" (known: ${list(partyIds)})`);
    else if (x.role !== undefined && !roles.has(x.role as never))
      push([...at, 'role'], `no party holds role "${x.role}"`);
  };
  const seen = new Set<string>();
  // `?? []`: the loader also runs these checks, best effort, on a value whose shape failed.
  (a.deadlines ?? []).forEach((d, i) => {
    const at: DocPath = ['deadlines', i];
    if (seen.has(d.id)) push([...at, 'id'], `duplicate id "${d.id}"`);
    seen.add(d.id);
    const after = stageRank.get(d.after);
    const stage = stageRank.get(d.stage);
    if (after === undefined)
      push([...at, 'after'], `unknown stage "${d.after}" (known: ${list(stageRank.keys())})`);
    if (stage === undefined)
      push([...at, 'stage'], `unknown stage "${d.stage}" (known: ${list(stageRank.keys())})`);
    if (after !== undefined && stage !== undefined && stage <= after)
      push(
        [...at, 'stage'],
        `the step owed ("${d.stage}") must come after the stage that starts the clock ("${d.after}")`,
      );
    d.zones?.forEach((z, j) => {
      if (!zoneIds.has(z)) push([...at, 'zones', j], `unknown zone "${z}" (known: ${list(zoneIds)})`);
    });
    partyOrRole([...at, 'owedBy'], d.owedBy);
    if (d.within_ms === 0) push([...at, 'within_ms'], 'a deadline of 0 ms is overdue the moment it starts');
    if (d.holdEscrow !== undefined && a.escrow === undefined)
      push([...at, 'holdEscrow'], 'the agreement has no escrow to hold funds from');
  });

  a.truce?.suspendOn?.resumeBy?.forEach((x, j) => {
    partyOrRole(['truce', 'suspendOn', 'resumeBy', j], x);
  });
  const ruleIds = new Set<string>();
  (a.truce?.escalation ?? []).forEach((e, i) => {
    const at: DocPath = ['truce', 'escalation', i];
    if (ruleIds.has(e.id) || e.id === 'suspendOn') push([...at, 'id'], `duplicate or reserved id "${e.id}"`);
    ruleIds.add(e.id);
    if (e.within_ms === 0) push([...at, 'within_ms'], 'a window of 0 ms counts nothing');
    if (e.suspend === (e.shorten_ms !== undefined))
      push(at, 'give exactly one effect: "suspend: true" or "shorten_ms"');
    if (e.shorten_ms === 0) push([...at, 'shorten_ms'], 'shortening by 0 ms changes nothing');
    if (e.resumeBy !== undefined && !e.suspend)
      push([...at, 'resumeBy'], 'only a rule that suspends the truce can say who resumes it');
    e.resumeBy?.forEach((x, j) => {
      partyOrRole([...at, 'resumeBy', j], x);
    });
    e.of.violators?.forEach((v, j) => {
      if (!partyIds.has(v) && !actorIds.has(v))
        push([...at, 'of', 'violators', j], `unknown party or actor "${v}"`);
    });
  });

  const prior = a.priorArrangements ?? [];
  const signedMs = a.signedAt === undefined ? Infinity : Date.parse(a.signedAt);
  prior.forEach((x, i) => {
    const at: DocPath = ['priorArrangements', i];
    const from = Date.parse(x.from);
    if (Number.isNaN(from)) push([...at, 'from'], `"${x.from}" is not a real date and time`);
    if (x.until !== undefined && !(Date.parse(x.until) > from))
      push([...at, 'until'], `expires (${x.until}) before it takes effect (${x.from})`);
    if (x.agreedAt !== undefined && Date.parse(x.agreedAt) > from)
      push([...at, 'agreedAt'], `agreed (${x.agreedAt}) after it took effect (${x.from})`);
    if (from >= signedMs)
      push([...at, 'from'], `takes effect (${x.from}) after this agreement is signed (${a.signedAt})`);
    if (i > 0 && from < Date.parse(prior[i - 1]!.from))
      push([...at, 'from'], 'list prior arrangements in the order they took effect');
  });
  return out;
}
