/**
 * Time-driven changes: a stage due after elapsed time, the truce starting or lapsing, an imminent-threat
 * justification deadline passing, an obligation falling overdue (deadlines.ts). `settle` applies each at its own due time, in time order,
 * before the next entry is folded, so state never depends on when someone looked. Protocol
 * clocks run on the log's admission time, the one time no party chooses.
 */
import type { Agreement } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { obligationDue, obligationOverdue } from './deadlines.js';
import { justificationDue, justificationMissed } from './protocol.js';
import { type EngineState, iso, rulesFor } from './state.js';
import { truceDue, truceDueMs } from './truce.js';
import { evaluateZone } from './zones.js';

/**
 * Applies every time-driven change due at or before `toMs`, each at its own due time and in
 * time order. Mutates `state`. Replay calls it before each entry and `stateAt` calls it at the end.
 */
export function settle(agreement: Agreement, state: EngineState, toMs: number): EngineState {
  const rules = rulesFor(agreement);
  for (;;) {
    let dueMs = Infinity;
    let which: 'zone' | 'truce' | 'strike' | 'obligation' | null = null;
    let id = '';
    for (const zid in state.zones) {
      const d = state.zones[zid]!.dueMs;
      if (d !== null && d < dueMs) {
        dueMs = d;
        which = 'zone';
        id = zid;
      }
    }
    const truceMs = truceDueMs(rules, state);
    if (truceMs < dueMs) {
      dueMs = truceMs;
      which = 'truce';
    }
    const j = justificationDue(state);
    if (j.dueMs < dueMs) {
      dueMs = j.dueMs;
      which = 'strike';
      id = j.strike;
    }
    const o = obligationDue(state);
    if (o.dueMs < dueMs) {
      dueMs = o.dueMs;
      which = 'obligation';
    }
    // The truce lapses at its expiry; a statement admitted at that very millisecond is too late.
    if (which === null || dueMs > toMs) break;
    const ctx: Ctx = { rules, state, nowMs: dueMs, at: iso(dueMs), index: -1, issuer: '', signers: [] };
    if (which === 'zone') {
      state.zones[id]!.dueMs = null;
      evaluateZone(ctx, id, dueMs);
    } else if (which === 'truce') truceDue(state, dueMs);
    else if (which === 'obligation') obligationOverdue(ctx, o.index);
    else justificationMissed(state, id, dueMs);
  }
  if (toMs > state.settledMs) state.settledMs = toMs;
  return state;
}
