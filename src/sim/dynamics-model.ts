/**
 * The dynamics file (`scenarios/<name>/dynamics.yaml`): how the world behaves around an agreement
 * — how fast zones are cleared, what the deploying force can carry, how long each party takes,
 * how violations arrive and excite each other — as data, so that a negotiator can change an
 * assumption without touching code. Published as `schema/dynamics.schema.json` (emitted from this
 * zod model by `npx tsx src/sim/dynamics-schema.ts --write`; a test keeps it up to date).
 *
 * Every parameter carries its unit and its source: a citation, `fitted: …` (written by
 * `phaseline calibrate`), or the word `assumed`.
 */
import { z } from 'zod';
import { RoleSchema } from '../agreement/model.js';

const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'an id in kebab case, e.g. `israel`')
  .describe('A party or actor id of the agreement.');

const Source = z
  .string()
  .min(1)
  .describe(
    'Where the value comes from: a citation, `fitted: …` (from `phaseline calibrate`), or `assumed`.',
  );
const Unit = z.string().min(1).describe('The unit of `value`, in words, e.g. `events per day`.');
const Note = z.string().optional().describe('Why this value, for a reader.');

/** A number with its unit and source. */
const Param = z
  .object({ value: z.number().nonnegative(), unit: Unit, source: Source, note: Note })
  .strict()
  .describe('A parameter: its value, unit and source.');
export type Param = z.infer<typeof Param>;

/** A probability with its source. */
const Probability = z
  .object({
    value: z.number().min(0).max(1),
    unit: z.literal('probability').describe('Always `probability`.'),
    source: Source,
    note: Note,
  })
  .strict()
  .describe('A probability in [0, 1] with its source.');
export type Probability = z.infer<typeof Probability>;

/** A random delay: gamma-distributed with this mean and standard deviation (exactly the mean when sd is 0). */
const Delay = z
  .object({
    mean: z.number().nonnegative(),
    sd: z.number().nonnegative(),
    unit: z.literal('days').describe('Always `days`.'),
    source: Source,
    note: Note,
  })
  .strict()
  .describe(
    'A random delay in days, gamma-distributed with this mean and standard deviation (fixed when sd is 0).',
  );
export type Delay = z.infer<typeof Delay>;

/** A fitted parameter may carry its 95% confidence interval. */
const Fitted = Param.extend({
  ci95: z.tuple([z.number(), z.number()]).optional().describe('95% confidence interval of a fitted value.'),
}).strict();
export type Fitted = z.infer<typeof Fitted>;

const SeverityShares = z
  .object({
    minor: z.number().min(0).max(1),
    serious: z.number().min(0).max(1),
    grave: z.number().min(0).max(1),
    source: Source,
    note: Note,
  })
  .strict()
  .describe('How often a confirmed violation is minor, serious or grave (shares summing to 1).');

const EventsFile = z
  .object({
    file: z.string().min(1).describe('Path relative to the dynamics file.'),
    format: z.enum(['ucdp-ged-csv', 'fpv-catalogue-csv']),
    /** UCDP `side_a` actor ids to keep (the catalogue is one actor's). */
    actor: Id.optional().describe(
      'Keep only events attributed to this actor (UCDP side_a); default: every event.',
    ),
  })
  .strict()
  .describe(
    'Real incident records of this actor: the calibration fits the process to them, and simulated events take their places from them.',
  );

const Regime = z
  .object({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD'),
    label: z.string().min(1),
  })
  .strict();

export const ProcessSchema = z
  .object({
    actor: Id.describe('Who commits these violations: a party (e.g. the withdrawing force) or an actor.'),
    acts: z
      .enum(['strike', 'incident'])
      .describe(
        '`strike`: the party declares strikes (`strike.declare`), classified by the response protocol; `incident`: the monitors report incidents attributed to the actor.',
      ),
    incidentType: z
      .enum(['air-strike', 'artillery', 'drone-incursion', 'rocket-or-missile-launch', 'armed-presence'])
      .default('drone-incursion')
      .describe('Type of the incidents reported (for `acts: incident`).'),
    events: EventsFile,
    window: z
      .object({
        from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        regimes: z
          .array(Regime)
          .default([])
          .describe('Days where the baseline changes (e.g. a ceasefire); the last one is simulated.'),
      })
      .strict()
      .describe('The days of the records the calibration fits, inclusive.'),
    baseline: Fitted.describe('Background events per day while the agreement runs.'),
    selfExcitation: Fitted.describe(
      'Events of this actor triggered by one of its own events (branching ratio).',
    ),
    decay: Fitted.describe('Decay of the excitation per day: 1/(1 − e^−decay) is the mean delay.'),
    baselineScale: Param.default({ value: 1, unit: 'factor', source: 'assumed' }).describe(
      'Multiplies the fitted baseline for the simulation (e.g. a regime the records do not cover).',
    ),
    severity: SeverityShares,
    imminentThreat: Probability.optional().describe(
      'Share of strikes declared as imminent-threat exceptions (`acts: strike`).',
    ),
    justified: Probability.optional().describe(
      'Share of imminent-threat strikes justified before the deadline.',
    ),
  })
  .strict();
export type Process = z.infer<typeof ProcessSchema>;

const Cross = z
  .object({ from: Id, to: Id, value: z.number().nonnegative(), unit: Unit, source: Source, note: Note })
  .strict()
  .describe('Events of `to` triggered by one event of `from`.');

export const DynamicsSchema = z
  .object({
    $schema: z.string().optional(),
    scenario: z.string().min(1).describe('The scenario these dynamics belong to.'),
    illustrative: z
      .boolean()
      .describe('True when values are invented for illustration; say so wherever results are shown.'),
    description: z.string().optional(),
    start: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'RFC 3339 UTC')
      .optional()
      .describe('Day 0 of every trajectory (default: the agreement’s signedAt).'),
    horizon: Param.describe('Default number of simulated days.'),
    signing: z
      .object({
        delay: Delay.describe('How long a party takes to sign what a zone waits for from it.'),
        byRole: z.partialRecord(RoleSchema, Delay).default({}).describe('Per-role overrides of `delay`.'),
      })
      .strict(),
    clearing: z
      .object({
        setup: Delay.describe('From committing to a zone to the first site neutralized.'),
        sitesPerDay: Param.describe('Sites the deploying force neutralizes per day in one zone.'),
        hiddenSitesPerKnown: Param.describe(
          'Sites found beyond the baseline estimate, per baseline site (Poisson mean).',
        ),
        undeclared: Probability.describe('Share of sites the host side does not declare up front.'),
        verification: Delay.describe('From a category neutralized to the monitors verifying it.'),
      })
      .strict(),
    force: z
      .object({
        units: Param.describe('Units of the deploying force available to hold zones.'),
        strength: Param.describe('Personnel per unit.'),
        vettingPerWeek: Param.describe('Units the guarantor vets per week.'),
        zonesAtOnce: Param.describe('Zones the deploying force can work on or hold at once.'),
        garrison: Param.describe('Days a unit stays in a handed-over zone before it can move on.'),
      })
      .strict(),
    withdrawal: z
      .object({
        delay: Delay.describe(
          'From the moment a zone waits for the withdrawal to the withdrawing force’s claim.',
        ),
        observation: Delay.describe('From the claim to the monitors’ observation.'),
      })
      .strict(),
    deployment: z
      .object({ delay: Delay.describe('From a zone waiting for units to their deployment.') })
      .strict(),
    violations: z
      .object({
        processes: z.array(ProcessSchema).min(1),
        crossExcitation: z.array(Cross).default([]),
      })
      .strict(),
    detection: z
      .object({
        probability: Probability.describe('Chance the monitors detect and report a violation.'),
        delay: Delay,
      })
      .strict(),
    adjudication: z
      .object({
        confirmed: Probability.describe(
          'Chance a reported violation (or a strike outside the protocol) is confirmed.',
        ),
        delay: Delay,
      })
      .strict(),
    protocol: z
      .object({
        notified: Probability.describe(
          'Share of reported armed-group incidents notified to the deploying force.',
        ),
        deployingForceActs: Probability.describe(
          'Chance the deploying force acts within the response window.',
        ),
        strikeAfterWindow: Probability.describe(
          'Chance the withdrawing force strikes after the window when nobody acted.',
        ),
      })
      .strict(),
    armedGroupReturn: z
      .object({
        actor: Id,
        hazard: Param.describe('Chance per 30 days that the armed group returns to a handed-over zone.'),
        severity: z.enum(['minor', 'serious', 'grave']),
        newSites: Param.describe('Sites it re-establishes on return (Poisson mean).'),
      })
      .strict(),
    truce: z
      .object({ resume: Delay.describe('From a suspension to the guarantor resuming the truce.') })
      .strict(),
    escrow: z
      .object({
        pledges: z
          .array(
            z
              .object({ donor: Id, paid: Probability, delay: Delay })
              .strict()
              .describe('Whether and when a donor’s pledge reaches the trustee.'),
          )
          .default([]),
        settlementEvery: Param.describe('Days between the trustee’s settlement rounds.'),
      })
      .strict(),
  })
  .strict()
  .describe('Phaseline dynamics: how the world behaves around an agreement, for the simulator.');

export type Dynamics = z.infer<typeof DynamicsSchema>;

/** The JSON Schema of dynamics files (input side: defaults optional). */
export function dynamicsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(DynamicsSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
