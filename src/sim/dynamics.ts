/**
 * Loading a dynamics file: YAML with positions (the agreement loader's source helpers), the zod
 * model, then checks of meaning — against the file alone, and against each agreement it is run
 * with. Every problem is reported at once as `file:line:column: path: message`; no partially
 * valid dynamics is ever returned.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import {
  type AgreementIssue,
  type DocPath,
  formatIssue,
  issues_listed_max,
  sortIssues,
} from '../agreement/errors.js';
import { nodeIo } from '../agreement/load.js';
import type { Agreement } from '../agreement/model.js';
import { type ANode, issueInTree, parseYamlSource, toPlain } from '../agreement/source.js';
import { describeZodIssues } from '../agreement/zod-issues.js';
import { type Dynamics, DynamicsSchema } from './dynamics-model.js';

/** Thrown when a dynamics file cannot be used; `.issues` lists every problem. */
export class DynamicsError extends Error {
  override readonly name = 'DynamicsError';
  readonly issues: readonly AgreementIssue[];
  constructor(issues: readonly AgreementIssue[]) {
    const head =
      issues.length === 1 ? 'dynamics file has 1 problem' : `dynamics file has ${issues.length} problems`;
    const listed = issues.slice(0, issues_listed_max).map((i) => `  ${formatIssue(i)}`);
    const more =
      issues.length > issues_listed_max ? [`  … and ${issues.length - issues_listed_max} more`] : [];
    super([`${head}:`, ...listed, ...more].join('\n'));
    this.issues = issues;
  }
}

/** A checked dynamics file, with what is needed to point at its lines later. */
export interface LoadedDynamics {
  dynamics: Dynamics;
  /** The file as shown in errors. */
  file: string;
  /** Its directory: event files resolve against it. */
  dir: string;
  /** Issue at a path of the file (for checks against an agreement). */
  issueAt(path: DocPath, message: string): AgreementIssue;
}

/** The dynamics file beside a scenario's agreement. */
export function scenarioDynamicsPath(agreementPath: string): string {
  return nodePath.join(nodePath.dirname(agreementPath), 'dynamics.yaml');
}

/** Loads and checks a dynamics file; throws {@link DynamicsError} listing every problem. */
export function loadDynamics(path: string): LoadedDynamics {
  const abs = nodePath.resolve(path);
  const shown = nodeIo.display(abs);
  if (!existsSync(abs))
    throw new DynamicsError([
      { file: shown, line: 0, column: 0, path: '', message: 'dynamics file not found' },
    ]);
  return parseDynamicsText(readFileSync(abs, 'utf8'), shown, nodePath.dirname(abs));
}

/** Parses and checks dynamics text; `file` is shown in errors, `dir` anchors event files. */
export function parseDynamicsText(text: string, file: string, dir: string): LoadedDynamics {
  const parsed = parseYamlSource(text, file, dir);
  if (parsed.tree === undefined) throw new DynamicsError(sortIssues(parsed.issues));
  const tree: ANode = parsed.tree;
  const plain = toPlain(tree);
  const result = DynamicsSchema.safeParse(plain);
  const issueAt = (path: DocPath, message: string) => issueInTree(tree, path, message);
  if (!result.success) {
    const problems = describeZodIssues(result.error.issues, plain);
    throw new DynamicsError(
      sortIssues(problems.map((p) => issueInTree(tree, p.path, p.message, p.key ?? false))),
    );
  }
  const loaded: LoadedDynamics = { dynamics: result.data, file, dir, issueAt };
  const issues = checkDynamics(loaded);
  if (issues.length > 0) throw new DynamicsError(sortIssues(issues));
  return loaded;
}

/** Checks that need no agreement: shares that sum to 1, whole numbers where counts are meant, files that exist. */
function checkDynamics(l: LoadedDynamics): AgreementIssue[] {
  const d = l.dynamics;
  const out: AgreementIssue[] = [];
  const whole = (path: DocPath, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) out.push(l.issueAt(path, `must be a whole number ≥ ${min}`));
  };
  whole(['horizon', 'value'], d.horizon.value, 1);
  whole(['force', 'units', 'value'], d.force.units.value, 0);
  whole(['force', 'strength', 'value'], d.force.strength.value, 1);
  whole(['force', 'zonesAtOnce', 'value'], d.force.zonesAtOnce.value, 1);
  whole(['escrow', 'settlementEvery', 'value'], d.escrow.settlementEvery.value, 1);
  const actors = new Set<string>();
  d.violations.processes.forEach((p, i) => {
    const s = p.severity;
    if (Math.abs(s.minor + s.serious + s.grave - 1) > 1e-9)
      out.push(
        l.issueAt(
          ['violations', 'processes', i, 'severity'],
          `minor + serious + grave must be 1 (they are ${s.minor + s.serious + s.grave})`,
        ),
      );
    if (actors.has(p.actor))
      out.push(
        l.issueAt(['violations', 'processes', i, 'actor'], `a second process for ${p.actor}; one per actor`),
      );
    actors.add(p.actor);
    const f = nodePath.resolve(l.dir, p.events.file);
    if (!existsSync(f))
      out.push(
        l.issueAt(
          ['violations', 'processes', i, 'events', 'file'],
          `events file not found (looked for ${nodeIo.display(f)})`,
        ),
      );
    if (p.window.from > p.window.to)
      out.push(
        l.issueAt(
          ['violations', 'processes', i, 'window'],
          `from ${p.window.from} is after to ${p.window.to}`,
        ),
      );
    p.window.regimes.forEach((r, k) => {
      if (r.from < p.window.from || r.from > p.window.to)
        out.push(
          l.issueAt(
            ['violations', 'processes', i, 'window', 'regimes', k, 'from'],
            `${r.from} is outside the window`,
          ),
        );
    });
  });
  d.violations.crossExcitation.forEach((c, i) => {
    for (const end of ['from', 'to'] as const)
      if (!actors.has(c[end]))
        out.push(
          l.issueAt(
            ['violations', 'crossExcitation', i, end],
            `no violation process for "${c[end]}" (processes: ${[...actors].join(', ')})`,
          ),
        );
  });
  if (!d.violations.processes.some((p) => p.actor === d.armedGroupReturn.actor && p.acts === 'incident'))
    out.push(
      l.issueAt(
        ['armedGroupReturn', 'actor'],
        `"${d.armedGroupReturn.actor}" needs a violation process with acts: incident (its returns are reported like its other incidents)`,
      ),
    );
  return out;
}

/**
 * Checks the dynamics against an agreement it will run with: the actors and parties it names
 * exist and may do what the dynamics make them do. Returns the issues (empty when it fits).
 */
export function dynamicsIssuesFor(l: LoadedDynamics, agreement: Agreement): AgreementIssue[] {
  const d = l.dynamics;
  const out: AgreementIssue[] = [];
  const parties = new Map(agreement.parties.map((p) => [p.id, p]));
  const actorIds = new Set(agreement.actors.map((a) => a.id));
  const known = [...parties.keys(), ...actorIds].join(', ');
  d.violations.processes.forEach((p, i) => {
    const party = parties.get(p.actor);
    if (p.acts === 'strike') {
      if (party === undefined || !party.roles.includes('withdrawing-force'))
        out.push(
          l.issueAt(
            ['violations', 'processes', i, 'actor'],
            `"${p.actor}" declares strikes, so it must be a party with the withdrawing-force role in agreement ${agreement.id}`,
          ),
        );
    } else if (party === undefined && !actorIds.has(p.actor))
      out.push(
        l.issueAt(
          ['violations', 'processes', i, 'actor'],
          `unknown party or actor "${p.actor}" in agreement ${agreement.id} (known: ${known})`,
        ),
      );
  });
  if (!actorIds.has(d.armedGroupReturn.actor) && !parties.has(d.armedGroupReturn.actor))
    out.push(
      l.issueAt(
        ['armedGroupReturn', 'actor'],
        `unknown party or actor "${d.armedGroupReturn.actor}" in agreement ${agreement.id} (known: ${known})`,
      ),
    );
  const donors = new Set((agreement.escrow?.pledges ?? []).map((p) => p.donor));
  d.escrow.pledges.forEach((p, i) => {
    if (!donors.has(p.donor))
      out.push(
        l.issueAt(
          ['escrow', 'pledges', i, 'donor'],
          `agreement ${agreement.id} has no pledge by "${p.donor}" (donors: ${[...donors].join(', ') || 'none'})`,
        ),
      );
  });
  const roles = new Set(agreement.parties.flatMap((p) => p.roles));
  for (const need of ['monitor', 'adjudicator', 'deploying-force', 'guarantor'] as const)
    if (!roles.has(need))
      out.push(
        l.issueAt([], `agreement ${agreement.id} has no party with role ${need}, which the simulation needs`),
      );
  return out;
}

/** Throws {@link DynamicsError} when the dynamics do not fit the agreement. */
export function assertDynamicsFit(l: LoadedDynamics, agreement: Agreement): void {
  const issues = dynamicsIssuesFor(l, agreement);
  if (issues.length > 0) throw new DynamicsError(sortIssues(issues));
}
