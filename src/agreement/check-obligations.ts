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
    const { party, role } = d.owedBy;
    if ((party === undefined) === (role === undefined))
      push([...at, 'owedBy'], 'name exactly one of "party" or "role"');
    else if (party !== undefined && !partyIds.has(party))
      push([...at, 'owedBy', 'party'], `unknown party "${party}" (known: ${list(partyIds)})`);
    else if (role !== undefined && !roles.has(role))
      push([...at, 'owedBy', 'role'], `no party holds role "${role}", so nobody would owe the step`);
    if (d.within_ms === 0) push([...at, 'within_ms'], 'a deadline of 0 ms is overdue the moment it starts');
    if (d.holdEscrow !== undefined && a.escrow === undefined)
      push([...at, 'holdEscrow'], 'the agreement has no escrow to hold funds from');
  });
  return out;
}
