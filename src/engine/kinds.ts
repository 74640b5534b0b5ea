/**
 * Statement kinds: what each kind's body holds, which roles may say it by default, and what its
 * subject names. The effect of each kind on state is in `evolve.ts`; the door checks in `admit.ts`.
 *
 * Field names of `incident.report` follow UCDP GED (and ACLED where they agree) so real datasets
 * import without loss: `date_start`, `date_end`, `latitude`, `longitude`, `where_prec`,
 * `deaths_low` / `deaths_best` / `deaths_high`.
 */
import { z } from 'zod';
import { ROLES, type Role, SeveritySchema, type StatementKind } from '../agreement/model.js';
import { parseRfc3339 } from '../statement/time.js';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256 of an evidence file');
const EvidenceSchema = z
  .array(Sha256Schema)
  .max(256)
  .default([])
  .describe('SHA-256 of evidence files, never the files.');
const TimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'RFC 3339 UTC, e.g. 2026-06-26T09:00:00.000Z')
  .refine((s) => parseRfc3339(s) !== undefined, 'a time that exists (hours 00–23, a day of its month)');
const Id = z.string().min(1).max(128);
const Note = z.string().max(4000).optional();

/** Incident types (DESIGN.md, "Incident"). */
export const INCIDENT_TYPES = [
  'air-strike',
  'artillery',
  'drone-incursion',
  'rocket-or-missile-launch',
  'armed-presence',
  'weapons-transfer',
  'tunnel-activity',
  'demolition',
  'harm-to-civilians',
  'obstruction-of-monitors',
  'freedom-of-movement-denial',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

const SiteBody = z
  .object({
    category: Id.describe('Weapon category id.'),
    count: z.number().int().positive().max(1_000_000),
    evidence: EvidenceSchema,
    note: Note,
  })
  .strict();

/** Body schemas per kind. Every key of {@link StatementKind} must appear (the compiler checks). */
export const BODY_SCHEMAS = {
  'key.register': z.object({ key: z.string().min(1), note: Note }).strict(),
  'key.revoke': z.object({ key: z.string().min(1), reason: Note }).strict(),
  'zone.stage.sign': z.object({ stage: Id, note: Note, evidence: EvidenceSchema }).strict(),
  'withdrawal.claim': z.object({ note: Note, evidence: EvidenceSchema }).strict(),
  'withdrawal.deny': z.object({ note: Note, evidence: EvidenceSchema }).strict(),
  'withdrawal.observe': z
    .object({ observed: z.enum(['withdrawn', 'partial', 'present']), evidence: EvidenceSchema, note: Note })
    .strict(),
  'site.declare': SiteBody,
  'site.find': SiteBody,
  'site.neutralize': SiteBody,
  'site.verify': SiteBody,
  'unit.register': z
    .object({
      name: z.string().min(1).max(200),
      strength: z.number().int().positive().max(1_000_000).describe('Personnel.'),
      training: Note,
    })
    .strict(),
  'unit.vet': z.object({ outcome: z.enum(['vetted', 'rejected']), note: Note }).strict(),
  'unit.deploy': z
    .object({ zone: Id.nullable().describe('Zone id, or null to return to reserve.') })
    .strict(),
  'incident.report': z
    .object({
      date_start: TimeSchema,
      date_end: TimeSchema,
      zone: Id.optional().describe('Zone id when the incident is in a zone.'),
      latitude: z.number().min(-90).max(90).optional(),
      longitude: z.number().min(-180).max(180).optional(),
      where_prec: z
        .number()
        .int()
        .min(1)
        .max(7)
        .default(1)
        .describe('UCDP GED location precision, 1 = exact.'),
      date_prec: z
        .number()
        .int()
        .min(1)
        .max(5)
        .default(1)
        .describe('UCDP GED date precision: 1 = the day is known … 5 = only the year.'),
      type: z.enum(INCIDENT_TYPES),
      actor: Id.optional().describe('Attributed actor or party, as claimed by the reporter.'),
      deaths_low: z.number().int().nonnegative().default(0),
      deaths_best: z.number().int().nonnegative().default(0),
      deaths_high: z.number().int().nonnegative().default(0),
      source_grade: z
        .string()
        .regex(/^[A-F][1-6]$/, 'an Admiralty code: reliability A–F then credibility 1–6, e.g. B2'),
      evidence: EvidenceSchema,
      note: Note,
    })
    .strict(),
  'incident.notify': z.object({ threat: z.string().min(1).max(2000), evidence: EvidenceSchema }).strict(),
  'incident.response': z
    .object({ action: z.enum(['acted', 'unable', 'no-threat-found']), note: Note, evidence: EvidenceSchema })
    .strict(),
  'strike.declare': z
    .object({
      zone: Id.optional(),
      latitude: z.number().min(-90).max(90).optional(),
      longitude: z.number().min(-180).max(180).optional(),
      target: z.string().min(1).max(2000),
      respondsTo: Id.optional().describe('Incident id of the notified threat this strike acts on.'),
      imminentThreat: z.boolean().default(false),
      evidence: EvidenceSchema,
    })
    .strict(),
  'strike.justify': z
    .object({ justification: z.string().min(1).max(8000), evidence: EvidenceSchema })
    .strict(),
  'finding.issue': z
    .object({
      outcome: z.enum(['confirmed-violation', 'not-a-violation', 'unfounded', 'inconclusive']),
      violator: Id.optional().describe('Party or actor id; required for a confirmed violation.'),
      severity: SeveritySchema.optional().describe('Required for a confirmed violation.'),
      zone: Id.optional().describe('Default: the zone of the incident or strike.'),
      reasoning: Note,
      evidence: EvidenceSchema,
    })
    .strict(),
  'account.attach': z
    .object({
      position: z.enum(['accepts', 'partially-accepts', 'disputes', 'no-position']),
      text: z.string().min(1).max(16000),
      evidence: EvidenceSchema,
    })
    .strict(),
  'escrow.pledge': z
    .object({ amount: z.number().int().positive().describe('Minor units received.') })
    .strict(),
  'escrow.settle': z.object({ action: z.enum(['post', 'void', 'release-hold']), note: Note }).strict(),
  'benchmark.attest': z.object({ note: Note, evidence: EvidenceSchema }).strict(),
  'truce.resume': z.object({ note: Note }).strict(),
} satisfies Record<StatementKind, z.ZodType>;

/** The parsed body of each kind. */
export type Bodies = { [K in StatementKind]: z.output<(typeof BODY_SCHEMAS)[K]> };

/** A statement narrowed by kind: `switch (s.kind)` narrows `s.body`. */
export type KindedStatement = { [K in StatementKind]: { kind: K; body: Bodies[K] } }[StatementKind];

const ALL: Role[] = [...ROLES];
const SIGNERS: Role[] = [
  'sovereign',
  'withdrawing-force',
  'deploying-force',
  'guarantor',
  'monitor',
  'adjudicator',
];

/**
 * Who may say what, unless the agreement's `permissions` table overrides a kind. A party may
 * say a kind when any of its roles is listed; every co-signer must qualify too.
 */
export const DEFAULT_PERMISSIONS: Record<StatementKind, Role[]> = {
  'key.register': ALL,
  'key.revoke': ALL,
  'zone.stage.sign': SIGNERS,
  'withdrawal.claim': ['sovereign', 'withdrawing-force', 'deploying-force', 'guarantor', 'monitor'],
  'withdrawal.deny': ['sovereign', 'withdrawing-force', 'deploying-force', 'guarantor', 'monitor'],
  'withdrawal.observe': ['monitor'],
  'site.declare': ['sovereign', 'withdrawing-force', 'deploying-force', 'guarantor', 'monitor'],
  'site.find': ['deploying-force', 'monitor'],
  'site.neutralize': ['deploying-force'],
  'site.verify': ['monitor'],
  'unit.register': ['deploying-force'],
  'unit.vet': ['guarantor'],
  'unit.deploy': ['deploying-force'],
  'incident.report': [
    'sovereign',
    'withdrawing-force',
    'deploying-force',
    'guarantor',
    'monitor',
    'adjudicator',
    'observer',
  ],
  'incident.notify': ['withdrawing-force', 'guarantor', 'monitor'],
  'incident.response': ['deploying-force'],
  'strike.declare': ['withdrawing-force'],
  'strike.justify': ['withdrawing-force'],
  'finding.issue': ['adjudicator'],
  'account.attach': SIGNERS,
  'escrow.pledge': ['trustee'],
  'escrow.settle': ['trustee'],
  'benchmark.attest': ['guarantor', 'monitor', 'adjudicator'],
  'truce.resume': ['guarantor', 'adjudicator'],
};

/** What the `subject` of each kind names; `admit` checks it exists (or, for `new-*`, that it does not). */
export const SUBJECTS: Record<StatementKind, SubjectKind> = {
  'key.register': 'issuer',
  'key.revoke': 'issuer',
  'zone.stage.sign': 'zone',
  'withdrawal.claim': 'zone',
  'withdrawal.deny': 'zone',
  'withdrawal.observe': 'zone',
  'site.declare': 'zone',
  'site.find': 'zone',
  'site.neutralize': 'zone',
  'site.verify': 'zone',
  'unit.register': 'new-unit',
  'unit.vet': 'unit',
  'unit.deploy': 'unit',
  'incident.report': 'new-incident',
  'incident.notify': 'incident',
  'incident.response': 'incident',
  'strike.declare': 'new-strike',
  'strike.justify': 'strike',
  'finding.issue': 'incident-or-strike',
  'account.attach': 'incident-or-strike',
  'escrow.pledge': 'donor',
  'escrow.settle': 'transfer-or-hold',
  'benchmark.attest': 'benchmark',
  'truce.resume': 'agreement',
};
export type SubjectKind =
  | 'issuer'
  | 'zone'
  | 'unit'
  | 'new-unit'
  | 'incident'
  | 'new-incident'
  | 'strike'
  | 'new-strike'
  | 'incident-or-strike'
  | 'donor'
  | 'transfer-or-hold'
  | 'benchmark'
  | 'agreement';

/** Fails to compile when a kind is not handled: the `default` branch of every exhaustive switch. */
export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
