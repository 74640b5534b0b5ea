/**
 * Variants as overlays: a variant file names its base with `extends:` and says only what differs.
 *
 * Merge rules (documented in scenarios/lebanon-2026/README.md; every rule keeps the origin of
 * each value, so an error in overlay content names the overlay file and line):
 *
 * 1. Maps deep-merge: each key of the overlay merges into the same key of the base; keys the
 *    base lacks are added.
 * 2. A list whose overlay items are all maps with an `id` merges by id into a base list whose
 *    items all have an `id`: an item with a known id deep-merges into that item (keeping its
 *    position), an item with a new id is appended, and `{id: x, $delete: true}` removes item x.
 * 3. Any other list, and every scalar, replaces the base value.
 * 4. `key: {$delete: true}` removes a map key; `key: {$replace: value}` replaces the base value
 *    wholesale without merging (e.g. `$replace: []` empties an id list).
 * 5. `$delete` / `$replace` aimed at something the base does not have is an error, as is any
 *    other key starting with `$`.
 */
import type { AgreementIssue } from './errors.js';
import { type ANode, issueAt } from './source.js';

/** Reserved overlay keys. */
const DELETE = '$delete';
const REPLACE = '$replace';

/** Merges `over` into `base`; returns the merged tree and every misuse of the directives. */
export function mergeOverlay(base: ANode, over: ANode): { tree: ANode; issues: AgreementIssue[] } {
  const issues: AgreementIssue[] = [];
  const tree = merge(base, over, issues);
  return { tree, issues };
}

function isDelete(node: ANode): boolean {
  if (node.kind !== 'map') return false;
  const d = node.entries.get(DELETE);
  return d !== undefined && d.kind === 'scalar' && d.value === true;
}

function idOf(node: ANode): string | undefined {
  if (node.kind !== 'map') return undefined;
  const id = node.entries.get('id');
  return id !== undefined && id.kind === 'scalar' && typeof id.value === 'string' ? id.value : undefined;
}

function isIdList(node: ANode): node is Extract<ANode, { kind: 'seq' }> {
  return node.kind === 'seq' && node.items.length > 0 && node.items.every((i) => idOf(i) !== undefined);
}

function merge(base: ANode, over: ANode, issues: AgreementIssue[]): ANode {
  if (over.kind === 'map' && over.entries.has(REPLACE)) {
    if (over.entries.size !== 1) {
      issues.push(issueAt(over.origin, [], `"${REPLACE}" must be the only key of its map`));
    }
    return checked(over.entries.get(REPLACE)!, issues);
  }
  if (base.kind === 'map' && over.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [k, v] of over.entries) {
      if (k === DELETE) {
        issues.push(
          issueAt(over.origin, [k], `"${DELETE}" applies to a list item with an id or to a map key's value`),
        );
        continue;
      }
      const b = entries.get(k);
      if (isDelete(v)) {
        if (v.kind === 'map' && v.entries.size !== 1) {
          issues.push(
            issueAt(
              v.origin,
              [],
              `a map key deletion is written "${k}: {${DELETE}: true}" with no other keys`,
            ),
          );
        }
        if (b === undefined)
          issues.push(issueAt(v.origin, [], `cannot delete "${k}": the base has no such key`));
        entries.delete(k);
        continue;
      }
      entries.set(k, b === undefined ? checked(v, issues) : merge(b, v, issues));
    }
    return { kind: 'map', entries, origin: base.origin };
  }
  if (base.kind === 'seq' && isIdList(base) && isIdList(over)) {
    const items = [...base.items];
    const known = () => items.map(idOf).join(', ');
    for (const item of over.items) {
      const id = idOf(item)!;
      const at = items.findIndex((b) => idOf(b) === id);
      if (isDelete(item)) {
        if (item.kind === 'map' && item.entries.size !== 2) {
          issues.push(
            issueAt(
              item.origin,
              [],
              `a deletion is written "{id: ${id}, ${DELETE}: true}" with no other keys`,
            ),
          );
        }
        if (at < 0)
          issues.push(
            issueAt(
              item.origin,
              ['id'],
              `cannot delete "${id}": no item with that id in the base (known: ${known()})`,
            ),
          );
        else items.splice(at, 1);
        continue;
      }
      if (at < 0) items.push(checked(item, issues));
      else items[at] = merge(items[at]!, item, issues);
    }
    return { kind: 'seq', items, origin: base.origin };
  }
  return checked(over, issues);
}

/** New content taken from an overlay must not carry merge directives: there is nothing for them to act on. */
function checked(node: ANode, issues: AgreementIssue[]): ANode {
  switch (node.kind) {
    case 'scalar':
    case 'json':
      return node;
    case 'seq':
      return { ...node, items: node.items.map((i) => checked(i, issues)) };
    case 'map': {
      const entries = new Map<string, ANode>();
      for (const [k, v] of node.entries) {
        if (k.startsWith('$')) {
          const what =
            k === DELETE || k === REPLACE
              ? `"${k}" has nothing to act on here: the base has no matching value`
              : `unknown directive "${k}" (known: ${DELETE}, ${REPLACE})`;
          issues.push(issueAt(v.origin, [], what, undefined, true));
          continue;
        }
        entries.set(k, checked(v, issues));
      }
      return { ...node, entries };
    }
    default: {
      const never: never = node;
      return never;
    }
  }
}
