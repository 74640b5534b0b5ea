/**
 * Escalation (issue 17 §3): how confirmed violations add up. The agreement's escalation rules
 * say that N confirmed violations of a kind — unjustified strikes (violations found on strikes),
 * violations found on incidents, overdue steps — within a window suspend the truce or bring its
 * expiry nearer, and who may resume it. Each trigger uses the violations it counted, so the
 * next trigger needs N new ones. A finding later overturned leaves the window, and a trigger it
 * was part of is undone from that time on (see overturn.ts).
 */
import type { Escalation, Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { attributedTo } from './escrow.js';
import { iso, SEVERITY_RANK } from './state.js';

export interface ViolationEvent {
  subject: string;
  kind: 'strike' | 'incident' | 'overdue';
  severity: Severity;
  violator: string | null;
}

function counts(ctx: Ctx, rule: Escalation, ev: ViolationEvent): boolean {
  return (
    (rule.of.kinds === undefined || rule.of.kinds.includes(ev.kind)) &&
    SEVERITY_RANK[ev.severity] >= SEVERITY_RANK[rule.of.severityAtLeast] &&
    attributedTo(ctx.rules, ev.violator, rule.of.violators)
  );
}

/** A confirmed violation (or an overdue step) enters the windows of the rules it counts for. */
export function escalate(ctx: Ctx, ev: ViolationEvent): void {
  for (const rule of ctx.rules.agreement.truce.escalation) {
    if (!counts(ctx, rule, ev)) continue;
    ctx.state.truce.escalation[rule.id]!.events.push({
      subject: ev.subject,
      kind: ev.kind,
      atMs: ctx.nowMs,
      consumedBy: null,
    });
    check(ctx, rule);
  }
}

/** Triggers `rule` when its window holds enough unused violations. */
function check(ctx: Ctx, rule: Escalation): void {
  const t = ctx.state.truce;
  const st = t.escalation[rule.id]!;
  const live = st.events.filter((e) => e.consumedBy === null && e.atMs > ctx.nowMs - rule.within_ms);
  if (live.length < rule.count) return;
  const trigger = st.triggers.length;
  for (const e of live) e.consumedBy = trigger;
  const cites = ctx.index >= 0 ? [ctx.index] : [];
  let suspended = false;
  let shortened = 0;
  if (rule.suspend && t.status === 'in-force') {
    t.status = 'suspended';
    t.suspendedBy = ctx.index;
    t.suspension = { rule: rule.id, subjects: live.map((e) => e.subject), cites };
    t.history.push({ status: 'suspended', at: ctx.at, cites });
    suspended = true;
  }
  if (rule.shorten_ms !== undefined && t.status !== 'lapsed') {
    const to = Math.max(ctx.nowMs, t.expiresMs - rule.shorten_ms);
    shortened = Math.max(0, t.expiresMs - to);
    t.expiresMs = to;
  }
  st.triggers.push({
    at: ctx.at,
    subjects: live.map((e) => e.subject),
    cites,
    suspended,
    shortened_ms: shortened,
    undone: null,
  });
}

/**
 * `subject`'s violation is overturned: it leaves every window; a trigger it was part of is
 * undone (the suspension it caused lifted, the expiry it shortened given back, a lapse that
 * shortening caused reversed while the restored expiry is still ahead) and the violations that
 * trigger used count again.
 */
export function unescalate(ctx: Ctx, subject: string): void {
  const t = ctx.state.truce;
  for (const rule of ctx.rules.agreement.truce.escalation) {
    const st = t.escalation[rule.id]!;
    if (!st.events.some((e) => e.subject === subject)) continue;
    st.triggers.forEach((tr, i) => {
      if (tr.undone !== null || !tr.subjects.includes(subject)) return;
      st.triggers[i] = { ...tr, undone: ctx.at };
      for (const e of st.events) if (e.consumedBy === i) e.consumedBy = null;
      if (tr.suspended && t.status === 'suspended' && t.suspension?.rule === rule.id) {
        t.status = 'in-force';
        t.suspendedBy = null;
        t.suspension = null;
        t.history.push({ status: 'in-force', at: ctx.at, cites: ctx.index >= 0 ? [ctx.index] : [] });
      }
      if (tr.shortened_ms > 0) {
        t.expiresMs += tr.shortened_ms;
        if (t.status === 'lapsed' && t.expiresMs > ctx.nowMs) {
          t.status = 'in-force';
          t.history.push({ status: 'in-force', at: ctx.at, cites: ctx.index >= 0 ? [ctx.index] : [] });
        }
      }
    });
    st.events = st.events.filter((e) => e.subject !== subject);
    check(ctx, rule);
  }
}

/** A sentence for each escalation rule: how many more violations within its window trigger it. */
export function escalationWaits(
  ctx: Pick<Ctx, 'rules' | 'state'>,
  atMs: number,
): { text: string; data: Record<string, unknown> }[] {
  const out: { text: string; data: Record<string, unknown> }[] = [];
  for (const rule of ctx.rules.agreement.truce.escalation) {
    const st = ctx.state.truce.escalation[rule.id]!;
    const live = st.events.filter((e) => e.consumedBy === null && e.atMs > atMs - rule.within_ms);
    if (live.length === 0) continue;
    const effect = rule.suspend
      ? 'suspend the truce'
      : `bring its expiry ${Math.round((rule.shorten_ms ?? 0) / 86_400_000)} days nearer`;
    const oldest = Math.min(...live.map((e) => e.atMs));
    out.push({
      text: `${rule.count - live.length} more confirmed ${(rule.of.kinds ?? ['strike', 'incident', 'overdue']).join(' or ')} violation(s) before ${iso(oldest + rule.within_ms)} would ${effect} (${rule.label})`,
      data: { escalation: rule.id, counted: live.map((e) => e.subject), need: rule.count },
    });
  }
  return out;
}
