/**
 * The agreement's witnesses (DESIGN.md, "Tamper-evident by construction"): who runs a C2SP
 * tlog-witness for this log, where the log pushes its checkpoints, and how many cosignatures
 * make a checkpoint count. Optional: a log without witnesses still verifies, it just cannot show
 * that every party saw the same history.
 */
import { z } from 'zod';
import { ALG_COSIGNATURE_V1, KeyFormatError, parseVerifierKey } from '../statement/keys.js';
import type { DocPath } from './errors.js';

export const WitnessSchema = z
  .object({
    key: z
      .string()
      .min(1)
      .describe(
        'The witness’s cosignature/v1 verifier key, `name+keyid+base64(0x04 ‖ key)` (`phaseline witness key`).',
      ),
    url: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL')
      .describe('Its submission prefix: the log posts to `<url>/add-checkpoint` (c2sp.org/tlog-witness).'),
    party: z.string().min(1).optional().describe('The party that runs it.'),
  })
  .strict();

export const WitnessesSchema = z
  .object({
    quorum: z
      .number()
      .int()
      .positive()
      .describe('Distinct witnesses whose cosignatures a checkpoint needs before it counts.'),
    members: z.array(WitnessSchema).min(1),
  })
  .strict()
  .describe('Witnesses that cosign the log’s checkpoints (c2sp.org/tlog-witness, tlog-cosignature).');
export type Witnesses = z.infer<typeof WitnessesSchema>;

/** The semantic checks of the witnesses section, reported through `push` with their paths. */
export function checkWitnesses(
  w: Witnesses | undefined,
  partyIds: ReadonlySet<string>,
  push: (path: DocPath, message: string) => void,
): void {
  if (w === undefined) return;
  if (w.quorum > w.members.length)
    push(
      ['witnesses', 'quorum'],
      `a quorum of ${w.quorum} can never be met by ${w.members.length} witness(es)`,
    );
  const names = new Map<string, number>();
  const urls = new Map<string, number>();
  w.members.forEach((m, i) => {
    try {
      const name = parseVerifierKey(m.key, ALG_COSIGNATURE_V1).name;
      const first = names.get(name);
      if (first !== undefined)
        push(['witnesses', 'members', i, 'key'], `witness ${name} is already listed (members[${first}])`);
      else names.set(name, i);
    } catch (e) {
      if (!(e instanceof KeyFormatError)) throw e;
      push(
        ['witnesses', 'members', i, 'key'],
        `${e.message} (print a witness key with \`phaseline witness key\`)`,
      );
    }
    const u = m.url.replace(/\/+$/, '');
    const sameUrl = urls.get(u);
    if (sameUrl !== undefined)
      push(['witnesses', 'members', i, 'url'], `members[${sameUrl}] has the same address`);
    else urls.set(u, i);
    if (m.party !== undefined && !partyIds.has(m.party))
      push(['witnesses', 'members', i, 'party'], `unknown party "${m.party}"`);
  });
}
