/**
 * The agreement as data (DESIGN.md, "Agreement"; issue 3 §1).
 *
 * These zod schemas are the single definition of an agreement file's shape: the loader
 * (`load.ts`) parses YAML into them, the engine (`src/engine/`) reads the inferred types, and
 * the published JSON Schema is emitted from them with `z.toJSONSchema`, so every `.describe()`
 * text below is what a negotiator sees in an editor. Cross-references (a party named in a
 * quorum, a stage named in a regression, a zone geometry that must not self-intersect) are
 * checked by the loader, not here: these schemas check shape only.
 *
 * Conventions: ids are kebab-case strings; durations are integer milliseconds named `*_ms`;
 * money is an integer number of minor units (cents for USD); times are RFC 3339 UTC.
 */
import { z } from 'zod';
import { WitnessesSchema } from './witnesses.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary shared by several sections
// ---------------------------------------------------------------------------------------------

/** Kebab-case identifier used for parties, actors, zones, stages, categories, benchmarks, indicators. */
export const IdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'an id is 1–64 lowercase letters, digits or hyphens, e.g. `buffer-strip`',
  )
  .describe('Identifier: lowercase letters, digits and hyphens, e.g. `buffer-strip`.');

/** RFC 3339 UTC timestamp with milliseconds or seconds, e.g. `2026-05-17T21:00:00.000Z`. */
export const TimestampSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/,
    'a time is RFC 3339 UTC, e.g. `2026-05-17T21:00:00.000Z`',
  )
  .describe('RFC 3339 UTC time, e.g. `2026-05-17T21:00:00.000Z`.');

/** A duration in milliseconds (non-negative integer). */
export const DurationMsSchema = z.number().int().nonnegative().describe('A duration in milliseconds.');

/** An amount of money in integer minor units (cents for USD). Never a float. */
export const MinorUnitsSchema = z
  .number()
  .int()
  .nonnegative()
  .describe('An amount of money in integer minor units of the escrow currency (cents for USD).');

/** The roles a party can hold (DESIGN.md, "Party"). */
export const ROLES = [
  'sovereign',
  'withdrawing-force',
  'deploying-force',
  'guarantor',
  'monitor',
  'adjudicator',
  'trustee',
  'observer',
] as const;
export const RoleSchema = z
  .enum(ROLES)
  .describe(
    'A role: sovereign, withdrawing-force, deploying-force, guarantor, monitor, adjudicator, trustee or observer.',
  );
export type Role = z.infer<typeof RoleSchema>;

/** Who may read a statement's content; a party's clearance is the highest level it may read. */
export const ClearanceSchema = z
  .enum(['public', 'parties', 'mechanism'])
  .describe('Highest classification the party may read: public < parties < mechanism.');

/** Finding severities, in increasing order. */
export const SEVERITIES = ['minor', 'serious', 'grave'] as const;
export const SeveritySchema = z
  .enum(SEVERITIES)
  .describe('Severity of a violation: minor < serious < grave.');
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * Every statement kind the engine understands. The agreement names kinds in quorums and in
 * the permissions table; their bodies and effects are defined in `src/engine/kinds.ts`.
 */
export const STATEMENT_KINDS = [
  'key.register',
  'key.revoke',
  'zone.stage.sign',
  'withdrawal.claim',
  'withdrawal.deny',
  'withdrawal.observe',
  'site.declare',
  'site.find',
  'site.neutralize',
  'site.verify',
  'unit.register',
  'unit.vet',
  'unit.deploy',
  'incident.report',
  'incident.notify',
  'incident.response',
  'strike.declare',
  'strike.justify',
  'finding.issue',
  'account.attach',
  'escrow.pledge',
  'escrow.settle',
  'benchmark.attest',
  'truce.resume',
] as const;
export const StatementKindSchema = z
  .enum(STATEMENT_KINDS)
  .describe('A statement kind, e.g. `zone.stage.sign`.');
export type StatementKind = z.infer<typeof StatementKindSchema>;

// ---------------------------------------------------------------------------------------------
// Parties and actors
// ---------------------------------------------------------------------------------------------

export const PartySchema = z
  .object({
    id: IdSchema,
    name: z.string().min(1).describe('Name shown to readers, e.g. `Lebanese Republic`.'),
    roles: z.array(RoleSchema).min(1).describe('What this party may do; see the permissions table.'),
    keys: z
      .array(z.string())
      .default([])
      .describe(
        'Signed-note verifier keys (`name+keyid+base64`) registered at signature. May be empty in a scenario file: `phaseline init` fills them. Later keys are added and revoked by `key.register` / `key.revoke` statements.',
      ),
    clearance: ClearanceSchema.default('parties'),
  })
  .strict()
  .describe('A signer of statements.');
export type Party = z.infer<typeof PartySchema>;

export const ActorSchema = z
  .object({
    id: IdSchema,
    name: z.string().min(1),
    sponsor: IdSchema.optional().describe(
      'Id of the actor that sponsors this one; violations attributed to this actor also roll up to the sponsor.',
    ),
  })
  .strict()
  .describe('Someone reported on who never signs: a non-state armed group, a state sponsor.');
export type Actor = z.infer<typeof ActorSchema>;

// ---------------------------------------------------------------------------------------------
// Geometry and zones
// ---------------------------------------------------------------------------------------------

const PositionSchema = z.array(z.number()).min(2).max(3).describe('[longitude, latitude] in WGS84 degrees.');
const LinearRingSchema = z
  .array(PositionSchema)
  .min(4)
  .describe('A closed ring: first position equals last.');

export const PolygonSchema = z
  .object({ type: z.literal('Polygon'), coordinates: z.array(LinearRingSchema).min(1) })
  .strict()
  .describe('GeoJSON Polygon (RFC 7946), WGS84.');
export const MultiPolygonSchema = z
  .object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(LinearRingSchema).min(1)).min(1) })
  .strict()
  .describe('GeoJSON MultiPolygon (RFC 7946), WGS84.');
export const ZoneGeometrySchema = z.discriminatedUnion('type', [PolygonSchema, MultiPolygonSchema]);
export type ZoneGeometry = z.infer<typeof ZoneGeometrySchema>;

export const GeometryRefSchema = z
  .object({
    file: z.string().min(1).describe('Path of a GeoJSON FeatureCollection, relative to the agreement file.'),
    feature: z.string().min(1).describe('The `properties.id` of the feature whose geometry is the zone.'),
  })
  .strict()
  .describe('A reference to a feature in a geometry file; the loader replaces it with the inline geometry.');

export const KnownSitesSchema = z
  .object({
    category: IdSchema.describe('A weapon category id.'),
    count: z.number().int().nonnegative(),
  })
  .strict()
  .describe('A baseline estimate of sites of one category in the zone, used by evidence coverage.');

export const ZoneSchema = z
  .object({
    id: IdSchema,
    name: z.string().min(1),
    illustrative: z
      .boolean()
      .default(false)
      .describe('True when the shape is not the real agreed one (shown wherever the zone is shown).'),
    note: z.string().optional(),
    geometry: ZoneGeometrySchema.optional().describe(
      'Inline polygon. Exactly one of `geometry` and `geometryRef`.',
    ),
    geometryRef: GeometryRefSchema.optional(),
    host: IdSchema.optional().describe(
      'Party id of the host state whose territory the zone is; defaults to the sovereign parties that are not a withdrawing force.',
    ),
    prerequisites: z
      .array(IdSchema)
      .default([])
      .describe('Zone ids that must be handed over (reach the final stage) before this zone may advance.'),
    initialStage: IdSchema.optional().describe('Stage the zone starts in; defaults to the first stage.'),
    knownSites: z.array(KnownSitesSchema).default([]),
  })
  .strict()
  .describe('A polygon with prerequisites and a current stage from the stage graph.');
export type Zone = z.infer<typeof ZoneSchema>;

// ---------------------------------------------------------------------------------------------
// Conditions: the small language of stage entry conditions
// ---------------------------------------------------------------------------------------------

/**
 * A stage entry condition. Leaves are evaluated for one zone, counting only statements made
 * since the zone's last regression (its current epoch):
 *
 * - `statement`: at least `count` distinct parties (issuer and co-signers) holding `role`
 *   (or being `party`) signed an affirming statement of that kind about the zone. For
 *   `zone.stage.sign` the signed stage must be the stage being entered, signed while the zone
 *   is in the stage before it (a premature signature counts for nothing); for
 *   `withdrawal.observe` the observation must be `withdrawn`; for `unit.vet` the outcome
 *   `vetted`; other kinds affirm by being made.
 * - `elapsedWithoutViolation`: `ms` have passed since the zone entered `sinceStage` and since
 *   the last confirmed violation in the zone of at least `severityAtLeast`.
 * - `evidenceCoverage`: verified sites ÷ known sites (the largest of declared, found and the
 *   baseline estimate) is at least `minRatio` over the listed (default: non-deferred) categories.
 * - `prerequisitesHandedOver`: every prerequisite zone has reached the final stage.
 * - `benchmark`: the named benchmark has been met (for country-wide conditions).
 * - `unitsDeployed`: vetted units deployed in the zone have at least `minStrength` personnel.
 */
export type Condition =
  | { allOf: Condition[] }
  | { anyOf: Condition[] }
  | { atLeast: { n: number; of: Condition[] } }
  | { statement: StatementKind; role?: Role; party?: string; count?: number }
  | { elapsedWithoutViolation: { sinceStage: string; ms: number; severityAtLeast: Severity } }
  | { evidenceCoverage: { minRatio: number; categories?: string[] } }
  | { prerequisitesHandedOver: true }
  | { benchmark: string }
  | { unitsDeployed: { minStrength: number } };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .object({ allOf: z.array(ConditionSchema).min(1) })
      .strict()
      .describe('Every sub-condition holds.'),
    z
      .object({ anyOf: z.array(ConditionSchema).min(1) })
      .strict()
      .describe('At least one sub-condition holds.'),
    z
      .object({
        atLeast: z.object({ n: z.number().int().positive(), of: z.array(ConditionSchema).min(1) }).strict(),
      })
      .strict()
      .describe('At least `n` of the sub-conditions hold.'),
    z
      .object({
        statement: StatementKindSchema,
        role: RoleSchema.optional(),
        party: IdSchema.optional(),
        count: z.number().int().positive().optional().describe('Distinct parties needed; default 1.'),
      })
      .strict()
      .describe(
        'Distinct parties with this role (or this party) signed an affirming statement of this kind about the zone.',
      ),
    z
      .object({
        elapsedWithoutViolation: z
          .object({ sinceStage: IdSchema, ms: DurationMsSchema, severityAtLeast: SeveritySchema })
          .strict(),
      })
      .strict()
      .describe('Time held since entering a stage without a confirmed violation of this severity or worse.'),
    z
      .object({
        evidenceCoverage: z
          .object({
            minRatio: z.number().min(0).max(1),
            categories: z.array(IdSchema).optional().describe('Default: every non-deferred category.'),
          })
          .strict(),
      })
      .strict()
      .describe('Share of the zone’s known sites that monitors have verified.'),
    z
      .object({ prerequisitesHandedOver: z.literal(true) })
      .strict()
      .describe('Every prerequisite zone has been handed over.'),
    z.object({ benchmark: IdSchema }).strict().describe('A benchmark (often country-wide) has been met.'),
    z
      .object({ unitsDeployed: z.object({ minStrength: z.number().int().nonnegative() }).strict() })
      .strict()
      .describe('Vetted deploying-force units in the zone total at least this many personnel.'),
  ]),
);

// ---------------------------------------------------------------------------------------------
// Stage graph, regressions, benchmarks
// ---------------------------------------------------------------------------------------------

export const StageSchema = z
  .object({
    id: IdSchema,
    label: z.string().optional(),
    description: z.string().optional(),
    next: IdSchema.optional().describe(
      'The stage that follows; default: the next stage in the list. Following `next` from the first stage must not revisit a stage.',
    ),
    entry: ConditionSchema.optional().describe(
      'What a zone needs to enter this stage; the first stage needs none.',
    ),
  })
  .strict()
  .describe('One stage of the zone stage graph.');
export type Stage = z.infer<typeof StageSchema>;

export const RegressionSchema = z
  .object({
    id: IdSchema,
    onConfirmedViolation: z
      .object({
        severityAtLeast: SeveritySchema,
        zoneAtOrAfter: IdSchema.describe('Applies when the zone is at this stage or a later one.'),
      })
      .strict(),
    to: IdSchema.describe('The stage the zone goes back to.'),
  })
  .strict()
  .describe('On a confirmed violation in a zone, send the zone back to an earlier stage.');
export type Regression = z.infer<typeof RegressionSchema>;

export const BenchmarkWhenSchema = z.union([
  z
    .object({
      zoneReachesStage: z
        .object({ stage: IdSchema, zones: z.array(IdSchema).optional().describe('Default: every zone.') })
        .strict(),
    })
    .strict()
    .describe('Met once for each zone that first reaches the stage (repeatable, one occurrence per zone).'),
  z
    .object({
      allZonesReachStage: z.object({ stage: IdSchema, zones: z.array(IdSchema).optional() }).strict(),
    })
    .strict()
    .describe('Met once, when every listed zone (default: all) has reached the stage.'),
  z
    .object({
      sitesVerified: z
        .object({
          minRatio: z.number().min(0).max(1).default(0).describe('Verified ÷ known sites, over the zones.'),
          minCount: z.number().int().nonnegative().default(0),
          categories: z.array(IdSchema).optional().describe('Default: every non-deferred category.'),
          zones: z.array(IdSchema).optional().describe('Default: every zone (country-wide).'),
        })
        .strict(),
    })
    .strict()
    .describe('Met once, when the verified inventory reaches the ratio and count.'),
  z
    .object({
      attested: z
        .object({
          roles: z
            .array(RoleSchema)
            .min(1)
            .describe('A `benchmark.attest` is needed from a party with each role.'),
        })
        .strict(),
    })
    .strict()
    .describe('Met once, when parties with every listed role have attested it (`benchmark.attest`).'),
  z
    .object({ allOfBenchmarks: z.array(IdSchema).min(1) })
    .strict()
    .describe('Met once, when every listed benchmark has been met.'),
]);
export type BenchmarkWhen = z.infer<typeof BenchmarkWhenSchema>;

export const BenchmarkSchema = z
  .object({ id: IdSchema, label: z.string().min(1), when: BenchmarkWhenSchema })
  .strict()
  .describe('A measurable result that extends the truce, releases escrow, or opens a stage.');
export type Benchmark = z.infer<typeof BenchmarkSchema>;

// ---------------------------------------------------------------------------------------------
// Weapons, response protocol, truce
// ---------------------------------------------------------------------------------------------

export const WeaponCategorySchema = z
  .object({
    id: IdSchema,
    label: z.string().min(1),
    priority: z.number().int().positive().describe('1 = cleared first.'),
    deferred: z
      .boolean()
      .default(false)
      .describe('Left to a longer national process (e.g. small arms); excluded from default coverage.'),
  })
  .strict();
export type WeaponCategory = z.infer<typeof WeaponCategorySchema>;

export const ResponseProtocolSchema = z
  .object({
    response_window_ms: DurationMsSchema.describe(
      'Time the deploying force has to act on a notified threat before the withdrawing force may.',
    ),
    withdrawingForceMayActAfterWindow: z.boolean(),
    scope: z
      .enum(['notified-zone', 'anywhere'])
      .default('notified-zone')
      .describe(
        'Where the withdrawing force may strike after the window: only the notified zone, or anywhere.',
      ),
    imminentThreatException: z
      .object({
        allowed: z.boolean().default(true),
        justification_deadline_ms: DurationMsSchema.describe(
          'Time to file `strike.justify` after the strike.',
        ),
      })
      .strict(),
  })
  .strict()
  .describe('The limits on the withdrawing force’s right to act.');
export type ResponseProtocol = z.infer<typeof ResponseProtocolSchema>;

/** One party, or every party holding a role (who owes a step, who may resume a truce). */
export const PartyOrRoleSchema = z
  .object({ party: IdSchema.optional(), role: RoleSchema.optional() })
  .strict()
  .describe('Exactly one of `party` (a party id) or `role` (every party holding it).');
export type PartyOrRole = z.infer<typeof PartyOrRoleSchema>;

export const EscalationSchema = z
  .object({
    id: IdSchema,
    label: z
      .string()
      .min(1)
      .describe('The rule in words, e.g. `Two unjustified strikes in 30 days suspend the truce`.'),
    count: z.number().int().positive().describe('Confirmed violations that trigger the rule…'),
    within_ms: DurationMsSchema.describe(
      '…within this window (each trigger uses the violations it counted).',
    ),
    of: z
      .object({
        kinds: z
          .array(z.enum(['strike', 'incident', 'overdue']))
          .min(1)
          .optional()
          .describe(
            'What counts: violations found on strikes (unjustified strikes), on incidents, overdue steps; default all.',
          ),
        severityAtLeast: SeveritySchema.default('minor'),
        violators: z
          .array(IdSchema)
          .optional()
          .describe('Only violations by these parties or actors (or actors they sponsor); default: anyone.'),
      })
      .strict(),
    suspend: z.boolean().default(false).describe('Suspend the truce until a `truce.resume`.'),
    shorten_ms: DurationMsSchema.optional().describe('Bring the expiry this much closer (never before now).'),
    resumeBy: z
      .array(PartyOrRoleSchema)
      .min(1)
      .optional()
      .describe('Who may resume a truce this rule suspended; default: whoever may sign `truce.resume`.'),
  })
  .strict()
  .describe('Escalation: N confirmed violations of a kind within a window suspend or shorten the truce.');
export type Escalation = z.infer<typeof EscalationSchema>;

export const TruceSchema = z
  .object({
    expires: TimestampSchema.describe('When the truce lapses unless extended.'),
    extensions: z
      .array(
        z
          .object({
            on: IdSchema.describe('Benchmark id; each occurrence extends the expiry.'),
            extend_ms: DurationMsSchema,
            maxTimes: z.number().int().positive().optional().describe('Default: unlimited.'),
          })
          .strict(),
      )
      .default([]),
    suspendOn: z
      .object({
        severityAtLeast: SeveritySchema,
        resumeBy: z
          .array(PartyOrRoleSchema)
          .min(1)
          .optional()
          .describe('Who may resume the truce; default: whoever may sign `truce.resume`.'),
      })
      .strict()
      .optional()
      .describe('A confirmed violation this severe suspends the truce until a `truce.resume`.'),
    escalation: z
      .array(EscalationSchema)
      .default([])
      .describe('How confirmed violations add up: N within a window suspend or shorten the truce.'),
    lapse: z
      .object({ warning_ms: DurationMsSchema.describe('How long before expiry readers are warned.') })
      .strict()
      .default({ warning_ms: 72 * 3600 * 1000 }),
  })
  .strict()
  .describe('The truce clock.');
export type Truce = z.infer<typeof TruceSchema>;

// ---------------------------------------------------------------------------------------------
// Escrow
// ---------------------------------------------------------------------------------------------

export const FixedIndicatorSchema = z
  .object({
    id: IdSchema,
    label: z.string().min(1),
    kind: z.literal('fixed'),
    on: IdSchema.describe('Benchmark id; each occurrence releases `amount`.'),
    amount: MinorUnitsSchema,
    maxOccurrences: z.number().int().positive().optional(),
    beneficiary: IdSchema.optional().describe('Party id; default: the escrow beneficiary.'),
  })
  .strict()
  .describe('Releases a fixed amount each time a benchmark is met.');

export const ScalableIndicatorSchema = z
  .object({
    id: IdSchema,
    label: z.string().min(1),
    kind: z.literal('scalable'),
    measure: z
      .enum(['sites-verified'])
      .describe(
        'What is counted: sites verified by monitors (`site.verify` counts, never more than was found or neutralized in the zone and category).',
      ),
    categories: z.array(IdSchema).optional().describe('Default: every non-deferred category.'),
    unitPrice: MinorUnitsSchema.describe('Released per counted unit.'),
    cap: MinorUnitsSchema.describe('Total this indicator may ever release.'),
    beneficiary: IdSchema.optional(),
    countsInStages: z
      .array(IdSchema)
      .min(1)
      .optional()
      .describe(
        'Verification counts only while the zone is in one of these stages (e.g. from `clearing` on); default: every stage.',
      ),
    withinBaseline: z
      .boolean()
      .default(false)
      .describe(
        'Units counted in a zone and category never exceed the zone’s `knownSites` baseline for that category.',
      ),
    capPerZone: MinorUnitsSchema.optional().describe('Most this indicator may release for one zone.'),
    capPerCategory: MinorUnitsSchema.optional().describe('Most this indicator may release for one category.'),
    capPerPeriod: z
      .object({
        period_ms: DurationMsSchema.describe('Length of a period, counted from the agreement’s `signedAt`.'),
        amount: MinorUnitsSchema,
      })
      .strict()
      .optional()
      .describe('Most this indicator may release in one period; what a period cannot pay is not earned.'),
  })
  .strict()
  .describe('Releases a unit price per verified unit, up to a cap.');

export const IndicatorSchema = z.discriminatedUnion('kind', [FixedIndicatorSchema, ScalableIndicatorSchema]);
export type Indicator = z.infer<typeof IndicatorSchema>;

export const EscrowSchema = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .describe('ISO 4217 code, e.g. `USD`.'),
    minorUnitsPerUnit: z.number().int().positive().default(100),
    beneficiary: IdSchema.describe('Party id that receives releases by default.'),
    pledges: z
      .array(z.object({ donor: IdSchema, name: z.string().optional(), amount: MinorUnitsSchema }).strict())
      .default([]),
    indicators: z.array(IndicatorSchema).default([]),
    holds: z
      .object({
        onConfirmedViolation: z
          .object({
            severityAtLeast: SeveritySchema,
            amount: MinorUnitsSchema.optional().describe('Fixed amount held per violation.'),
            ratio: z
              .number()
              .min(0)
              .max(1)
              .optional()
              .describe('Share of available funds held per violation.'),
            attributedTo: z
              .array(IdSchema)
              .optional()
              .describe('Only violations by these parties or actors (or actors they sponsor); default: any.'),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('Escrowed funds released against disbursement-linked indicators.');
export type Escrow = z.infer<typeof EscrowSchema>;

// ---------------------------------------------------------------------------------------------
// What held before the agreement
// ---------------------------------------------------------------------------------------------

export const PriorArrangementSchema = z
  .object({
    id: IdSchema,
    label: z
      .string()
      .min(1)
      .describe('What held, e.g. `Ten-day cessation of hostilities brokered by the United States`.'),
    kind: z
      .enum(['hostilities', 'truce'])
      .describe('`truce`: a truce or cessation of hostilities in force; `hostilities`: none in force.'),
    from: TimestampSchema.describe('When it took effect.'),
    until: TimestampSchema.optional().describe('When it expired unless a later arrangement took over first.'),
    agreedAt: TimestampSchema.optional().describe('When it was agreed, if before it took effect.'),
    source: z.string().min(1).describe('Where this is reported (press reports, with their dates).'),
    note: z.string().optional(),
  })
  .strict()
  .describe(
    'An arrangement in force before the agreement (a truce and its extensions, or open hostilities).',
  );
export type PriorArrangement = z.infer<typeof PriorArrangementSchema>;

// ---------------------------------------------------------------------------------------------
// Deadlines: steps owed within a time of another event
// ---------------------------------------------------------------------------------------------

export const DeadlineSchema = z
  .object({
    id: IdSchema,
    label: z
      .string()
      .min(1)
      .describe('The obligation in words, e.g. `Withdraw within 7 days of verified clear`.'),
    after: IdSchema.describe('The clock starts when a zone enters this stage.'),
    stage: IdSchema.describe('The step owed: the zone must reach this stage (a later stage than `after`).'),
    within_ms: DurationMsSchema.describe('Time allowed from entering `after`.'),
    zones: z.array(IdSchema).optional().describe('Default: every zone.'),
    owedBy: PartyOrRoleSchema.describe('Who owes the step.'),
    countsAs: z
      .object({ severity: SeveritySchema })
      .strict()
      .optional()
      .describe(
        'When overdue, counts as a violation of this severity by the party that owes the step (its violation count, the escalation rules).',
      ),
    holdEscrow: MinorUnitsSchema.optional().describe(
      'Held from the undisbursed funds while the step is overdue; returned when it is done.',
    ),
    blocksTruceExtension: z
      .boolean()
      .default(false)
      .describe('While the step is overdue, benchmarks extend the truce by nothing.'),
  })
  .strict()
  .describe('A step a party owes in a zone within a time of another event.');
export type Deadline = z.infer<typeof DeadlineSchema>;

// ---------------------------------------------------------------------------------------------
// The agreement
// ---------------------------------------------------------------------------------------------

export const AdjudicationSchema = z
  .object({
    adjudicatorRoles: z.array(RoleSchema).min(1).default(['adjudicator']),
    findingQuorum: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Distinct adjudicating parties that must sign the same ruling for it to take effect.'),
  })
  .strict();

export const TimeRulesSchema = z
  .object({
    backdating_window_ms: DurationMsSchema.describe('How far before admission a statement’s `at` may be.'),
    clock_skew_ms: DurationMsSchema.describe('How far after admission a statement’s `at` may be.'),
  })
  .strict();

export const AgreementSchema = z
  .object({
    id: IdSchema.describe('The agreement id every statement names in `agreement`.'),
    logOrigin: z
      .string()
      .min(1)
      .describe('The transparency log origin line, e.g. `phaseline.example/lebanon-2026`.'),
    title: z.string().min(1),
    illustrative: z.boolean().describe('True when the file illustrates rather than reproduces a real text.'),
    provenance: z.string().min(1).describe('Where the content comes from and what is invented.'),
    signedAt: TimestampSchema.optional(),
    parties: z.array(PartySchema).min(1),
    actors: z.array(ActorSchema).default([]),
    weaponCategories: z.array(WeaponCategorySchema).default([]),
    stages: z.array(StageSchema).min(2).describe('The stage graph in forward order.'),
    zones: z.array(ZoneSchema).min(1),
    regressions: z.array(RegressionSchema).default([]),
    benchmarks: z.array(BenchmarkSchema).default([]),
    responseProtocol: ResponseProtocolSchema,
    truce: TruceSchema,
    escrow: EscrowSchema.optional(),
    adjudication: AdjudicationSchema.default({ adjudicatorRoles: ['adjudicator'], findingQuorum: 1 }),
    priorArrangements: z
      .array(PriorArrangementSchema)
      .default([])
      .describe('What held before the agreement, in time order: `status --at` an earlier time shows it.'),
    deadlines: z
      .array(DeadlineSchema)
      .default([])
      .describe(
        'Steps owed within a time of another event; overdue steps are shown against whoever owes them.',
      ),
    time: TimeRulesSchema,
    permissions: z
      .partialRecord(StatementKindSchema, z.array(RoleSchema))
      .optional()
      .describe('Who may say what: overrides the engine’s default roles for the listed kinds.'),
    witnesses: WitnessesSchema.optional(),
  })
  .strict()
  .describe('A phased-ceasefire agreement: parties, zones, stages and rules as data.');

/** The agreement as the engine consumes it (after the loader resolved geometry references). */
export type Agreement = z.infer<typeof AgreementSchema>;
/** The agreement as written in a file, before defaults are applied. */
export type AgreementInput = z.input<typeof AgreementSchema>;

/** The JSON Schema an editor validates agreement files against. */
export function agreementJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(AgreementSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
