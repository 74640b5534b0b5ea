/**
 * Moving a log between back ends: e.g. an office that outgrew its SQLite file (or a data
 * directory seeded by `phaseline init --demo`) onto PostgreSQL for several nodes.
 *
 * The entries are re-appended in order through the ordinary log code with the same log key, so
 * the target holds the same tree (same tiles, same root at every size) with freshly signed
 * checkpoints; the copy's final checkpoint is checked to have the source's root. Restricted
 * entries keep their disclosures. Memory stays bounded: one page of entries at a time.
 */
import { parseCheckpoint } from '../../log/checkpoint.js';
import type { LogIdentity, PendingEntry } from '../../log/transparency-log.js';
import { statementId } from '../../statement/envelope.js';
import { decodeEntry } from '../../statement/log-entry.js';
import { type AsyncLogStore, appendEntries, checkpointSize } from '../async-log-store.js';
import { StoreError } from '../log-store.js';

/** Entries per appended batch while copying. */
export const copy_page_entries = 4096;

/** Copies every entry of `from` (at its latest checkpoint) into the empty store `to`. Returns the size. */
export async function copyLog(
  from: AsyncLogStore,
  to: AsyncLogStore,
  identity: LogIdentity,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const note = await from.checkpoint();
  const size = checkpointSize(note);
  if ((await to.size()) !== 0) throw new StoreError('copyLog: the target log is not empty');
  for (let start = 0; start < size; start += copy_page_entries) {
    const count = Math.min(copy_page_entries, size - start);
    const rows = await from.readEntries(start, count);
    const disclosures = await from.readDisclosures(start, count);
    if (rows.length !== count)
      throw new StoreError(`copyLog: entries ${start}…${start + count - 1} are missing`);
    const pending: PendingEntry[] = rows.map((bytes, k) => {
      const index = start + k;
      const e = decodeEntry(bytes, `entry ${index}`);
      const disclosure = disclosures.get(index) ?? null;
      let statement: Parameters<typeof statementId>[0];
      if ('envelope' in e) statement = e.envelope.statement;
      else if (disclosure !== null) statement = disclosure.envelope.statement;
      else throw new StoreError(`copyLog: entry ${index} is a commitment without its disclosure`);
      return { bytes, meta: { statementId: statementId(statement) }, disclosure };
    });
    // Each page is its own transaction: an interrupted copy leaves a valid prefix, and a rerun
    // refuses a non-empty target rather than guess where to resume.
    await to.sequence((tx) => appendEntries(tx, identity, pending));
    onProgress?.(start + count, size);
  }
  if (note !== undefined) {
    const want = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
    const copied = (await to.checkpoint())!;
    const got = parseCheckpoint(copied.slice(0, copied.indexOf('\n\n') + 1));
    if (got.size !== want.size || !got.root.equals(want.root)) {
      throw new StoreError(
        `copyLog: the copy's root differs from the source's at size ${size}; the source is damaged`,
      );
    }
  }
  return size;
}
