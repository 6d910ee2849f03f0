import { groupIntoUpdates, type Message, type MessageMetadata, type RuleNotification, type Update } from '@mailroom/contracts';
import { diffRuleTickets, type RuleChanges } from '@mailroom/rules-domain';
import { CLOSE_SOLVED_AUTOMATION, orderAutomations, runTicketCycle, SYSTEM_CLOSE, toRuleTicket, type Automation, type AutomationTicketUpdate, type Directory } from '@mailroom/scheduler-domain';
import { foldSchedulerTicket, type SchedulerTicketRow } from '../scheduler-consumer';

/**
 * The pure half of the automations' what-if: one ticket's stream, a window, two automation sets;
 * out comes what the cycles of the window would do differently. No I/O: the caller reads the
 * stream and the people.
 *
 * The ticket's state at the start of the window is its stream folded with `foldSchedulerTicket`,
 * the scheduler's own projection (what the real cycle reads). From there two timelines run side by
 * side, one with the automations as they are and one with the proposed set. At each cycle instant
 * of the window, the updates people (and the triggers) made up to that instant are applied to both,
 * then `runTicketCycle` — the scheduler's cycle, not a copy — runs on each, and what it changes is
 * kept in that timeline, so a rule that would have fired once does not fire again an hour later.
 * The updates the automations and the 28-day close really made in the window (and the triggers'
 * answers to them) are left out: they are what the two timelines decide afresh. A recorded update
 * that reaches a timeline where the ticket is already closed is not applied there (a closed ticket
 * takes no updates; a reply would have made a follow-up).
 */

export const CYCLE_INTERVAL_MS = 3_600_000;

/** The scheduler's cycle instants in [from, to): whole multiples of the interval, as its wall clock picks them (`cycleSlot`). */
export const cycleInstants = (from: Date, to: Date, intervalMs = CYCLE_INTERVAL_MS): Date[] => {
  const out: Date[] = [];
  for (let t = Math.ceil(from.getTime() / intervalMs) * intervalMs; t < to.getTime(); t += intervalMs) out.push(new Date(t));
  return out;
};

export interface RuleRef {
  id: string;
  title: string;
}
export interface Recipient {
  id: number;
  email: string | null;
  name: string | null;
}
export interface NotificationDiff {
  automation: RuleRef;
  subject: string;
  recipients: Recipient[];
}
/** One cycle instant whose outcome differs. */
export interface CycleDiff {
  at: string;
  wouldFire: RuleRef[];
  wouldNotFire: RuleRef[];
  /** What the cycle would set now (current) and with the change (proposed), field by field; null where it sets nothing. */
  changes: Record<string, { current: unknown; proposed: unknown }>;
  added: NotificationDiff[];
  removed: NotificationDiff[];
}
export interface TicketDiff {
  ticketId: number;
  cycles: CycleDiff[];
  /** The ticket's fields at the end of the window that differ between the two timelines. */
  atEnd: Record<string, { current: unknown; proposed: unknown }>;
}

export interface ReplayInput {
  /** The ticket's stream in version order (it may go on past the window). */
  messages: readonly Message[];
  from: Date;
  to: Date;
  instants: readonly Date[];
  /** Both sets whole; only the active ones run, in position order. */
  current: readonly Automation[];
  proposed: readonly Automation[];
  directory: Directory;
}

/** The system close has no automation id; the what-if names it so. */
export const SYSTEM_CLOSE_REF: RuleRef = { id: 'system_close', title: SYSTEM_CLOSE.title };

const timeOf = (u: Update): number => Date.parse(u.events[0].metadata.occurredAt);

/** An update the cycle made: an automation's (via rule, rel automation) or the 28-day close (via system). */
const madeByCycle = (m: MessageMetadata): boolean =>
  (m.via?.channel === 'rule' && m.via.source.rel === 'automation') || (m.via?.channel === 'system' && m.via.source.rel === 'system_close');

const fold = (state: SchedulerTicketRow | null, u: Update): SchedulerTicketRow | null => foldSchedulerTicket(state, u.events);

interface CycleRun {
  updates: AutomationTicketUpdate[];
  changes: RuleChanges;
}

class Timeline {
  constructor(
    public state: SchedulerTicketRow | null,
    private readonly ordered: readonly Automation[],
  ) {}

  apply(u: Update): void {
    if (this.state?.status === 'closed') return;
    this.state = fold(this.state, u);
  }

  cycle(at: Date, directory: Directory): CycleRun {
    if (!this.state || this.state.status === 'closed') return { updates: [], changes: {} };
    const start = this.state;
    const result = runTicketCycle(start, this.ordered, { now: at, directory, closeAutomationId: CLOSE_SOLVED_AUTOMATION.id });
    if (result.updates.length === 0) return { updates: [], changes: {} };
    // The domain's ticket keeps every column of the row it was given (it spreads it).
    this.state = result.ticket as SchedulerTicketRow;
    return { updates: result.updates, changes: diffRuleTickets(toRuleTicket(start), toRuleTicket(result.ticket)) };
  }
}

const refOf = (u: AutomationTicketUpdate): RuleRef => (u.source.kind === 'automation' ? { id: u.source.automationId, title: u.source.title } : SYSTEM_CLOSE_REF);

const notificationsOf = (run: CycleRun): { automation: RuleRef; n: RuleNotification }[] =>
  run.updates.flatMap((u) => (u.fired?.notifications ?? []).map((n) => ({ automation: refOf(u), n })));

/** What tells one notification from another across the two runs. */
const notificationKey = (x: { automation: RuleRef; n: RuleNotification }): string =>
  JSON.stringify([x.automation.id, [...x.n.recipientIds].sort((a, b) => a - b), x.n.subject, x.n.body]);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** How two cycles at one instant differ; null when they do not. */
export const diffCycles = (at: Date, current: CycleRun, proposed: CycleRun, directory: Directory): CycleDiff | null => {
  const firedNow = new Map(current.updates.map((u) => [refOf(u).id, refOf(u)]));
  const firedThen = new Map(proposed.updates.map((u) => [refOf(u).id, refOf(u)]));
  const wouldFire = [...firedThen.values()].filter((r) => !firedNow.has(r.id));
  const wouldNotFire = [...firedNow.values()].filter((r) => !firedThen.has(r.id));
  const changes: CycleDiff['changes'] = {};
  const a = current.changes as Record<string, unknown>;
  const b = proposed.changes as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!same(a[key], b[key])) changes[key] = { current: a[key] ?? null, proposed: b[key] ?? null };
  }
  const recipient = (id: number): Recipient => {
    const p = directory.person(id);
    return { id, email: p?.email ?? null, name: p?.name ?? null };
  };
  const only = (xs: ReturnType<typeof notificationsOf>, ys: ReturnType<typeof notificationsOf>): NotificationDiff[] => {
    const other = new Map<string, number>();
    for (const y of ys) other.set(notificationKey(y), (other.get(notificationKey(y)) ?? 0) + 1);
    const out: NotificationDiff[] = [];
    for (const x of xs) {
      const k = notificationKey(x);
      const left = other.get(k) ?? 0;
      if (left > 0) other.set(k, left - 1);
      else out.push({ automation: x.automation, subject: x.n.subject, recipients: x.n.recipientIds.map(recipient) });
    }
    return out;
  };
  const removed = only(notificationsOf(current), notificationsOf(proposed));
  const added = only(notificationsOf(proposed), notificationsOf(current));
  if (!wouldFire.length && !wouldNotFire.length && !Object.keys(changes).length && !removed.length && !added.length) return null;
  return { at: at.toISOString(), wouldFire, wouldNotFire, changes, added, removed };
};

/** The fields an automation can change, compared at the end of the window. */
const END_FIELDS = ['status', 'priority', 'type', 'group_id', 'assignee_id', 'tags', 'cc_ids', 'satisfaction_score'] as const;

const endDiff = (a: SchedulerTicketRow | null, b: SchedulerTicketRow | null): TicketDiff['atEnd'] => {
  const out: TicketDiff['atEnd'] = {};
  if (!a || !b) return out;
  for (const f of END_FIELDS) {
    const x = f === 'tags' || f === 'cc_ids' ? [...(a[f] as unknown[])].sort() : a[f];
    const y = f === 'tags' || f === 'cc_ids' ? [...(b[f] as unknown[])].sort() : b[f];
    if (!same(x, y)) out[f] = { current: x ?? null, proposed: y ?? null };
  }
  return out;
};

/** Replays one ticket over the window with both sets; null when nothing would differ. */
export const replayTicket = (input: ReplayInput): TicketDiff | null => {
  const fromMs = input.from.getTime();
  const toMs = input.to.getTime();
  const updates = groupIntoUpdates(input.messages);
  let base: SchedulerTicketRow | null = null;
  let i = 0;
  for (; i < updates.length && timeOf(updates[i]) < fromMs; i++) base = fold(base, updates[i]);
  // The window's updates, less the cycle's own and what answered them (their causation is the cycle's update).
  const replaced = new Set<string>();
  const window = updates.slice(i).filter((u) => {
    if (timeOf(u) >= toMs) return false;
    const meta = u.events[0].metadata;
    if (madeByCycle(meta)) {
      replaced.add(u.updateId);
      return false;
    }
    return !(meta.causationId !== undefined && replaced.has(meta.causationId));
  });
  const current = new Timeline(base, orderAutomations(input.current));
  const proposed = new Timeline(base, orderAutomations(input.proposed));
  const cycles: CycleDiff[] = [];
  let next = 0;
  for (const at of input.instants) {
    for (; next < window.length && timeOf(window[next]) <= at.getTime(); next++) {
      current.apply(window[next]);
      proposed.apply(window[next]);
    }
    const diff = diffCycles(at, current.cycle(at, input.directory), proposed.cycle(at, input.directory), input.directory);
    if (diff) cycles.push(diff);
  }
  for (; next < window.length; next++) {
    current.apply(window[next]);
    proposed.apply(window[next]);
  }
  const atEnd = endDiff(current.state, proposed.state);
  const ticketId = current.state?.id ?? proposed.state?.id;
  if (ticketId === undefined || (!cycles.length && !Object.keys(atEnd).length)) return null;
  return { ticketId, cycles, atEnd };
};

/** Everyone a ticket's stream names as requester, assignee or CC: the people its notifications may go to. */
export const peopleNamedIn = (messages: readonly Message[]): number[] => {
  const ids = new Set<number>();
  const add = (v: unknown) => {
    if (typeof v === 'number') ids.add(v);
  };
  for (const m of messages) {
    const d = m.data as Record<string, unknown>;
    if (m.type === 'ticket.created') [d.requesterId, d.assigneeId, ...((d.ccIds as unknown[]) ?? [])].forEach(add);
    else if (m.type === 'ticket.requester_changed' || m.type === 'ticket.assignee_changed') add(d.to);
    else if (m.type === 'ticket.ccs_changed') ((d.ccIds as unknown[]) ?? []).forEach(add);
  }
  return [...ids];
};
