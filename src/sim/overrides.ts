/**
 * Changing one number of a dynamics file from the command line (`--set force.units.value=5`),
 * for what-if runs and the sensitivity chart, without editing the file.
 *
 * A path names a numeric leaf with dots; list items are named by their `actor` or `donor`
 * (`violations.processes.israel.baseline.value`) or by index. The changed dynamics are checked
 * again like a file, so a value the file could not hold is refused with the path that set it.
 */
import { DynamicsError, type LoadedDynamics } from './dynamics.js';
import { type Dynamics, DynamicsSchema } from './dynamics-model.js';

export type Overrides = Record<string, number>;

/** Parses `path=value` strings; throws naming the bad one. */
export function parseOverrides(items: readonly string[]): Overrides {
  const out: Overrides = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9_.$-]+)=(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(item);
    if (m === null)
      throw new Error(`--set ${JSON.stringify(item)}: expected PATH=NUMBER, e.g. force.units.value=5`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function step(
  node: unknown,
  seg: string,
): { parent: Record<string, unknown> | unknown[]; key: string | number } | null {
  if (Array.isArray(node)) {
    const i = /^\d+$/.test(seg)
      ? Number(seg)
      : node.findIndex(
          (x) =>
            x !== null &&
            typeof x === 'object' &&
            ((x as Record<string, unknown>).actor === seg || (x as Record<string, unknown>).donor === seg),
        );
    return i >= 0 && i < node.length ? { parent: node, key: i } : null;
  }
  if (node !== null && typeof node === 'object' && seg in (node as Record<string, unknown>))
    return { parent: node as Record<string, unknown>, key: seg };
  return null;
}

/** A copy of the dynamics with the overrides applied and checked; throws DynamicsError naming each bad path. */
export function applyOverrides(loaded: LoadedDynamics, overrides: Overrides): Dynamics {
  const copy = structuredClone(loaded.dynamics) as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [path, value] of Object.entries(overrides)) {
    let node: unknown = copy;
    let at: ReturnType<typeof step> = null;
    for (const seg of path.split('.')) {
      at = step(node, seg);
      if (at === null) break;
      node = (at.parent as Record<string | number, unknown>)[at.key];
    }
    if (at === null || typeof node !== 'number') {
      problems.push(
        `--set ${path}: no number at this path in ${loaded.file} (name a leaf such as force.units.value)`,
      );
      continue;
    }
    (at.parent as Record<string | number, unknown>)[at.key] = value;
  }
  const parsed = DynamicsSchema.safeParse(copy);
  if (!parsed.success)
    for (const i of parsed.error.issues) problems.push(`--set: ${i.path.join('.')}: ${i.message}`);
  if (problems.length > 0)
    throw new DynamicsError(
      problems.map((message) => ({ file: loaded.file, line: 0, column: 0, path: '', message })),
    );
  return parsed.data!;
}
