import { deterministicUuid, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES, type Actor, type ApplyRuleActionsV1 } from '@mailroom/contracts';
import { automationConditionsHold, CLOSE_SOLVED_AUTOMATION, MAX_AUTOMATION_UPDATES, STANDARD_AUTOMATIONS, toSqlFilter, type Automation, type Condition, type Schedule } from '@mailroom/scheduler-domain';
// Update ids are the rules engine's (its own deterministicUuid: not the contracts' one, whose separator differs).
import { deterministicUuid as ruleUuid } from '@mailroom/rules-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { fromDbRow, SCHEDULER_TICKET_COLUMNS, upsertSchedulerTicket, type SchedulerTicketRow } from '../scheduler-consumer';
import { tick } from '../scheduler-service';
import { runCycle } from './automation-cycle';
import { AutomationStore, seedStandardAutomations } from './automation-store';

const HOUR = 3_600_000;
/** Not on a whole hour: the cut-offs of the filters fall between the clock's hours. */
const AT = new Date('2026-01-05T10:17:23.456Z');
const ADMIN: Actor = { userId: 10, role: 'admin' };
const before = (hours: number, at: Date = AT) => new Date(at.getTime() - hours * HOUR).toISOString();

/** A Park-Miller PRNG: the same tickets every run, so a failure can be replayed. */
const prng = (seed: number) => {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
};

const rowOf = (id: number, overrides: Partial<SchedulerTicketRow> = {}): SchedulerTicketRow => ({
  id,
  version: 1,
  status: 'open',
  type: null,
  priority: 'normal',
  group_id: 5,
  assignee_id: 10,
  requester_id: 1,
  organization_id: null,
  tags: [],
  satisfaction_score: 'unoffered',
  via: 'email',
  recipient: 'support@mailroom.test',
  subject: `Ticket ${id}`,
  has_public_comments: true,
  cc_ids: [],
  reopens: 0,
  replies: 0,
  created_at: before(300),
  updated_at: before(300),
  status_changed_at: before(300),
  open_at: before(300),
  pending_at: null,
  hold_at: null,
  solved_at: null,
  closed_at: null,
  assigned_at: before(300),
  requester_updated_at: before(300),
  assignee_updated_at: null,
  due_at: null,
  automation_updates: 0,
  ...overrides,
});

const automation = (id: string, all: Condition[], any: Condition[] = []): Automation => ({
  id,
  title: id,
  raw_title: id,
  active: true,
  position: 1,
  default: false,
  conditions: { all, any },
  actions: [{ field: 'priority', value: 'high' }],
  created_at: AT.toISOString(),
  updated_at: AT.toISOString(),
});

describe('the automation cycle over the real scheduler tables', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    await t.db.query(
      `TRUNCATE scheduler.tickets, scheduler.automations, scheduler.automation_seeds, scheduler.cycles, scheduler.clock, scheduler.users, rules.schedules, rules.groups, mailroom_events.messages, mailroom_events.streams`,
    );
  });

  const insert = async (rows: SchedulerTicketRow[]) => {
    for (const r of rows) await upsertSchedulerTicket(t.db, r);
  };
  const commands = () =>
    t.db.query<{ message_id: string; ticket_id: string; update_id: string; changes: Record<string, unknown> }>(
      `SELECT message_id, data->>'ticketId' AS ticket_id, data->>'updateId' AS update_id, data->'changes' AS changes FROM mailroom_events.messages WHERE type = 'ticket.apply_rule_actions' ORDER BY global_position`,
    );
  /** An automation made through the store (validated, placed last), as an admin would. */
  const createAutomation = async (title: string, all: Condition[], actions: Automation['actions']) => {
    const r = await t.db.transaction((tx) => new AutomationStore().create(tx, { title, conditions: { all, any: [] }, actions }, ADMIN, AT.toISOString()));
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    return r.value.automation.id;
  };
  /** An ordinary automation: open for 48 whole hours → high priority. */
  const createEscalation = () =>
    createAutomation(
      'Escalate tickets open for two days',
      [
        { field: 'status', operator: 'is', value: 'open' },
        { field: 'OPEN', operator: 'is', value: '48' },
      ],
      [{ field: 'priority', value: 'high' }],
    );
  /** A ticket's automation updates of one cycle are one command, named by the instant and the ticket. */
  const commandId = (at: Date, ticketId: number) => deterministicUuid('automation-cycle-command', at.toISOString(), ticketId);

  it('compiles conditions to SQL that selects exactly the tickets the in-memory evaluator accepts', async () => {
    const random = prng(20260105);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    // Each operator's cut-offs: whole hours n and n+1 from the tick, hit exactly and missed by a millisecond or a minute.
    const boundaries = [0, 1, 2, 23, 24, 25, 47, 48, 49, 96, 97, 98, 120, 121];
    const jitter = [-60_000, -1, 0, 1, 60_000];
    const past = () => (random() < 0.12 ? null : new Date(AT.getTime() - pick(boundaries) * HOUR + pick(jitter)).toISOString());
    const future = () => (random() < 0.2 ? null : new Date(AT.getTime() + (random() < 0.2 ? -1 : 1) * pick(boundaries) * HOUR + pick(jitter)).toISOString());
    const rows: SchedulerTicketRow[] = [];
    for (let id = 1; id <= 400; id++) {
      rows.push(
        rowOf(id, {
          status: pick(TICKET_STATUSES),
          type: pick([null, ...TICKET_TYPES]),
          priority: pick([null, ...TICKET_PRIORITIES]),
          group_id: pick([null, 5, 6]),
          assignee_id: pick([null, 1, 10, 11]),
          requester_id: pick([1, 2]),
          tags: pick([[], ['vip'], ['vip', 'billing']]),
          created_at: new Date(AT.getTime() - pick(boundaries) * HOUR + pick(jitter)).toISOString(),
          updated_at: new Date(AT.getTime() - pick(boundaries) * HOUR + pick(jitter)).toISOString(),
          open_at: past(),
          pending_at: past(),
          hold_at: past(),
          solved_at: past(),
          closed_at: past(),
          assigned_at: past(),
          requester_updated_at: past(),
          assignee_updated_at: past(),
          due_at: future(),
          automation_updates: pick([0, 1, 99, 100, 101]),
        }),
      );
    }
    await insert(rows);

    const timeFields = ['NEW', 'OPEN', 'PENDING', 'HOLD', 'SOLVED', 'CLOSED', 'assigned_at', 'updated_at', 'requester_updated_at', 'assignee_updated_at', 'due_date', 'until_due_date'];
    const automations: Automation[] = [
      ...STANDARD_AUTOMATIONS.map(({ permanent: _p, ...a }) => ({ ...a, position: 1, created_at: '', updated_at: '' })),
      ...timeFields.flatMap((field) =>
        (['is', 'less_than', 'greater_than'] as const).flatMap((operator) =>
          ['0', '1', '24', '48', '96'].map((value) => automation(`${field}-${operator}-${value}`, [{ field: 'status', operator: 'less_than', value: 'closed' }, { field, operator, value }])),
        ),
      ),
      automation('status-is-pending', [{ field: 'status', operator: 'is', value: 'pending' }]),
      automation('status-is-not-solved', [{ field: 'status', operator: 'is_not', value: 'solved' }]),
      automation('status-greater-than-open', [{ field: 'status', operator: 'greater_than', value: 'open' }]),
      automation('group-5', [{ field: 'group_id', operator: 'is', value: '5' }, { field: 'OPEN', operator: 'greater_than', value: '24' }]),
      automation('no-group', [{ field: 'group_id', operator: 'is', value: '' }]),
      automation('not-group-6', [{ field: 'group_id', operator: 'is_not', value: 6 }]),
      automation('unassigned', [{ field: 'assignee_id', operator: 'is', value: '' }, { field: 'NEW', operator: 'is', value: '24' }]),
      automation('assignee-is-requester', [{ field: 'assignee_id', operator: 'is', value: 'requester_id' }]),
      automation('assignee-not-10', [{ field: 'assignee_id', operator: 'is_not', value: '10' }]),
      automation('type-incident', [{ field: 'type', operator: 'is', value: 'incident' }]),
      automation('type-not-task', [{ field: 'type', operator: 'is_not', value: 'task' }, { field: 'until_due_date', operator: 'less_than', value: '24' }]),
      automation('priority-less-than-high', [{ field: 'priority', operator: 'less_than', value: 'high' }, { field: 'PENDING', operator: 'greater_than', value: '48' }]),
      automation('priority-greater-than-low', [{ field: 'priority', operator: 'greater_than', value: 'low' }]),
      automation('priority-none', [{ field: 'priority', operator: 'is', value: '' }]),
      automation('requester-2', [{ field: 'requester_id', operator: 'is', value: 2 }]),
      automation('any-time', [{ field: 'status', operator: 'less_than', value: 'solved' }], [
        { field: 'PENDING', operator: 'is', value: '24' },
        { field: 'HOLD', operator: 'greater_than', value: '96' },
        { field: 'priority', operator: 'is', value: 'urgent' },
      ]),
      automation('any-only', [], [
        { field: 'group_id', operator: 'is', value: '6' },
        { field: 'assignee_updated_at', operator: 'less_than', value: '2' },
      ]),
      // Left partly in memory: tags are not compiled, so the ANY stays out of the SQL whole.
      automation('any-with-residual', [{ field: 'status', operator: 'is', value: 'open' }], [
        { field: 'current_tags', operator: 'includes', value: 'vip' },
        { field: 'OPEN', operator: 'is', value: '1' },
      ]),
      automation('all-with-residual', [{ field: 'current_tags', operator: 'includes', value: 'billing' }, { field: 'SOLVED', operator: 'less_than', value: '25' }]),
    ];

    const stored = (await t.db.query<Record<string, unknown>>(`SELECT ${SCHEDULER_TICKET_COLUMNS.join(', ')} FROM scheduler.tickets ORDER BY id`)).map(fromDbRow);
    expect(stored).toHaveLength(400);
    const directory = { person: () => undefined, agents: () => [] };
    let residualChecked = 0;
    const disagreements: string[] = [];
    for (const a of automations) {
      const filter = toSqlFilter(a, AT);
      const sqlIds = (await t.db.query<{ id: string }>(`SELECT id FROM scheduler.tickets WHERE ${filter.where} ORDER BY id`, filter.params)).map((r) => Number(r.id));
      const holds = (row: SchedulerTicketRow) => automationConditionsHold(a, row, { now: AT, directory });
      const byId = new Map(stored.map((r) => [r.id, r]));
      // The SQL decides what it compiled; the residual (when any) is the evaluator's on the rows it returned.
      const matched = filter.residual.length ? sqlIds.filter((id) => holds(byId.get(id)!)) : sqlIds;
      if (filter.residual.length) residualChecked++;
      const expected = stored
        .filter((r) => r.status !== 'closed' && (a.id === CLOSE_SOLVED_AUTOMATION.id || r.automation_updates < MAX_AUTOMATION_UPDATES) && holds(r))
        .map((r) => r.id);
      if (JSON.stringify(matched) !== JSON.stringify(expected)) {
        disagreements.push(`${a.id}: SQL only ${matched.filter((id) => !expected.includes(id))}, evaluator only ${expected.filter((id) => !matched.includes(id))}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(residualChecked).toBe(2);
  });

  it('runs one of two cycles started at once for the same instant; the other waits and answers what it did, or is turned away', async () => {
    await createEscalation();
    // Enough tickets for several batches, so the two cycles overlap.
    await insert(Array.from({ length: 240 }, (_, i) => rowOf(i + 1, { open_at: before(48.5) })));

    const [waiting, other] = await Promise.all([runCycle(t.db, AT, { wait: true, batchSize: 20 }), runCycle(t.db, AT, { wait: true, batchSize: 20 })]);
    expect(waiting).toEqual(other);
    expect(waiting).toMatchObject({ ran: true, cycle: { tickets_matched: 240, tickets_updated: 240 }, updatesSent: 240 });
    const sent = await commands();
    expect(sent).toHaveLength(240);
    expect(new Set(sent.map((c) => c.message_id)).size).toBe(240);
    expect(sent.map((c) => c.message_id).sort()).toEqual(Array.from({ length: 240 }, (_, i) => commandId(AT, i + 1)).sort());

    // The tick does not wait: one runs, the other is busy (or, had the first already finished, answers the stored result).
    const later = new Date(AT.getTime() + HOUR);
    await t.db.query(`UPDATE scheduler.tickets SET open_at = $1`, [before(48.5, later)]);
    const outcomes = await Promise.all([runCycle(t.db, later, { batchSize: 20 }), runCycle(t.db, later, { batchSize: 20 })]);
    const ran = outcomes.filter((o) => o.ran);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes) if (!o.ran) expect(o).toEqual({ ran: false, reason: 'busy' });
    for (const o of ran) expect(o).toEqual(ran[0]);
    expect(ran[0]).toMatchObject({ updatesSent: 240 });
    expect(await commands()).toHaveLength(480);
  });

  it('finishes a cycle cut short by a crash at its own instant, sending nothing twice', async () => {
    await createEscalation();
    await insert(Array.from({ length: 50 }, (_, i) => rowOf(i + 1, { open_at: before(48.5) })));
    // The crash: the database refuses the command of ticket 35, in the fourth batch of ten.
    await t.db.query(`
      CREATE FUNCTION crash_on_ticket_35() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.type = 'ticket.apply_rule_actions' AND NEW.data->>'ticketId' = '35' THEN RAISE EXCEPTION 'the scheduler crashed'; END IF;
        RETURN NEW;
      END $$`);
    await t.db.query(`CREATE TRIGGER crash BEFORE INSERT ON mailroom_events.messages FOR EACH ROW EXECUTE FUNCTION crash_on_ticket_35()`);
    await expect(runCycle(t.db, AT, { wait: true, batchSize: 10 })).rejects.toThrow(/the scheduler crashed/);

    const beforeResume = await commands();
    expect(beforeResume.map((c) => Number(c.ticket_id))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await t.db.query(`SELECT at, finished_at FROM scheduler.cycles`)).toEqual([{ at: AT, finished_at: null }]);

    await t.db.query(`DROP TRIGGER crash ON mailroom_events.messages`);
    // The next tick, an hour on: the cut-short cycle first, at its own instant (OPEN is 48 no longer holds at the later one).
    const next = new Date(AT.getTime() + HOUR);
    const outcome = await runCycle(t.db, next, { wait: true, batchSize: 10 });
    expect(outcome).toMatchObject({ ran: true, resumed: [AT.toISOString()], updatesSent: 0 });

    const after = await commands();
    expect(after).toHaveLength(50);
    expect(after.slice(0, 30)).toEqual(beforeResume);
    expect(after.map((c) => c.message_id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => commandId(AT, i + 1)).sort());
    const [resumed] = await t.db.query<{ finished_at: Date | null; result: { updatesSent: number } }>(`SELECT finished_at, result FROM scheduler.cycles WHERE at = $1`, [AT]);
    expect(resumed.finished_at).not.toBeNull();
    // What the resumed run sent itself: the 20 the crash kept back.
    expect(resumed.result.updatesSent).toBe(20);
  });

  it('leaves a ticket automations updated 100 times to the standard close alone', async () => {
    await seedStandardAutomations(t.db, AT.toISOString());
    await createEscalation();
    await insert([
      rowOf(1, { status: 'solved', solved_at: before(97.5), automation_updates: 100 }),
      rowOf(2, { open_at: before(48.5), automation_updates: 100 }),
      rowOf(3, { open_at: before(48.5), automation_updates: 99 }),
    ]);
    const outcome = await runCycle(t.db, AT, { wait: true });
    expect(outcome).toMatchObject({ ran: true, cycle: { tickets_matched: 2, tickets_updated: 2 }, updatesSent: 2 });

    const sent = await commands();
    expect(sent.map((c) => [Number(c.ticket_id), c.changes])).toEqual([
      [1, { status: 'closed' }],
      [3, { priority: 'high' }],
    ]);
    // The seeded close is the domain's CLOSE_SOLVED_AUTOMATION: its update id is built from that id.
    const [seeded] = await t.db.query<{ id: string }>(`SELECT id FROM scheduler.automations WHERE data->>'title' = $1`, [CLOSE_SOLVED_AUTOMATION.title]);
    expect(seeded.id).toBe(CLOSE_SOLVED_AUTOMATION.id);
    expect(sent[0]).toMatchObject({
      message_id: commandId(AT, 1),
      update_id: ruleUuid('automation-update', 1, CLOSE_SOLVED_AUTOMATION.id, AT.toISOString()),
    });
    expect(sent[1].message_id).toBe(commandId(AT, 3));
  });

  it("sends a ticket's updates of one cycle as one command, in the order the automations fired", async () => {
    await createEscalation();
    // Each judged on the ticket the one before left: the escalation's priority makes the second hold, its priority the third.
    const openADay: Condition[] = [
      { field: 'status', operator: 'is', value: 'open' },
      { field: 'OPEN', operator: 'greater_than', value: '24' },
    ];
    await createAutomation('Tag and raise high tickets', [...openADay, { field: 'priority', operator: 'is', value: 'high' }, { field: 'current_tags', operator: 'not_includes', value: 'escalated' }], [
      { field: 'current_tags', value: 'escalated' },
      { field: 'priority', value: 'urgent' },
    ]);
    await createAutomation('Park urgent tickets', [...openADay, { field: 'priority', operator: 'is', value: 'urgent' }], [{ field: 'status', value: 'pending' }]);
    await insert([
      rowOf(1, { open_at: before(48.5) }),
      // One update short of the cap: the escalation only.
      rowOf(2, { open_at: before(48.5), automation_updates: 99 }),
      rowOf(3, { open_at: before(48.5), tags: ['escalated'] }),
    ]);
    const outcome = await runCycle(t.db, AT, { wait: true });
    expect(outcome).toMatchObject({ ran: true, cycle: { tickets_matched: 3, tickets_updated: 3 }, updatesSent: 5 });

    const sent = await t.db.query<{ message_id: string; data: ApplyRuleActionsV1 }>(`SELECT message_id, data FROM mailroom_events.messages WHERE type = 'ticket.apply_rule_actions' ORDER BY global_position`);
    expect(sent.map((c) => c.message_id)).toEqual([commandId(AT, 1), commandId(AT, 2), commandId(AT, 3)]);
    const updatesOf = (c: ApplyRuleActionsV1) => [c, ...(c.then ?? [])].map((u) => [u.fired[0].title, u.changes]);
    expect(updatesOf(sent[0].data)).toEqual([
      ['Escalate tickets open for two days', { priority: 'high' }],
      ['Tag and raise high tickets', { addTags: ['escalated'], priority: 'urgent' }],
      ['Park urgent tickets', { status: 'pending' }],
    ]);
    expect(updatesOf(sent[1].data)).toEqual([['Escalate tickets open for two days', { priority: 'high' }]]);
    expect(sent[1].data.then).toBeUndefined();
    expect(updatesOf(sent[2].data)).toEqual([['Escalate tickets open for two days', { priority: 'high' }]]);
    // Every update keeps its own id (the ticket service's once-only key) and the version the cycle read.
    const first = sent[0].data;
    expect(new Set([first.updateId, ...first.then!.map((u) => u.updateId)]).size).toBe(3);
    expect(first.basedOnVersion).toBe(1);
  });

  it('counts business hours by the schedules of the rules\' table, on the clock', async () => {
    // Monday 5 January 2026, 11:17 in Paris (UTC+1); Friday 2 January is a holiday.
    const paris = (local: string) => new Date(`${local}+01:00`).toISOString();
    const weekday = (day: number) => ({ start_time: day * 1440 + 9 * 60, end_time: day * 1440 + 17 * 60 });
    const escalation = await createAutomation(
      'Escalate after a business day open',
      [
        { field: 'status', operator: 'is', value: 'open' },
        { field: 'priority', operator: 'less_than', value: 'high' },
        { field: 'OPEN', operator: 'greater_than_business_hours', value: '8' },
      ],
      [{ field: 'priority', value: 'high' }],
    );
    await insert([
      rowOf(1, { open_at: paris('2026-01-01T10:00:00') }), // Thu 7 h, Fri none, Mon from 9:00
      rowOf(2, { open_at: paris('2026-01-01T14:00:00') }), // Thu 3 h: 14 h without the holiday
      rowOf(3, { open_at: paris('2026-01-03T12:00:00') }), // a Saturday: Monday's hours only, 48 calendar hours
      rowOf(4, { open_at: paris('2026-01-05T08:00:00') }), // before Monday's opening
      rowOf(5, { open_at: paris('2025-12-31T16:00:00') }), // Wed 1 h, Thu 8 h
    ]);

    // No schedule yet: a business-hours condition cannot be judged, nothing fires. The SQL bound (at
    // least 9 calendar hours) finds all but 4, opened three hours ago.
    expect(await tick(t.db, AT)).toMatchObject({ cycle: { tickets_matched: 4, tickets_updated: 0 } });
    expect(await commands()).toEqual([]);

    const schedule: Schedule = {
      id: 1,
      name: 'Paris office',
      time_zone: 'Europe/Paris',
      intervals: [1, 2, 3, 4, 5].map(weekday),
      holidays: [{ name: 'Bridge day', start_date: '2026-01-02', end_date: '2026-01-02' }],
    };
    await t.db.query(`INSERT INTO rules.schedules (id, data, created_at, updated_at) VALUES (1, $1, now(), now())`, [JSON.stringify(schedule)]);
    // An hour on, 12:17 in Paris: 1 has 7 + 3 = 10 business hours, 5 has 1 + 8 + 3 = 12; 2 has 6, 3 and 4 have 3.
    const later = new Date(AT.getTime() + HOUR);
    expect(await tick(t.db, later)).toMatchObject({ cycle: { tickets_matched: 4, tickets_updated: 2 } });
    const sent = await commands();
    expect(sent.map((c) => [Number(c.ticket_id), c.message_id, c.changes])).toEqual([
      [1, commandId(later, 1), { priority: 'high' }],
      [5, commandId(later, 5), { priority: 'high' }],
    ]);
    expect(sent[0].update_id).toBe(ruleUuid('automation-update', 1, escalation, later.toISOString()));
    // Read, never written: the schedule is as it was.
    expect(await t.db.query(`SELECT id, data FROM rules.schedules`)).toEqual([{ id: '1', data: schedule }]);
  });

  it("emails a group's agents (notification_group): the command's notification names its members, not the others", async () => {
    const user = (id: number, name: string, role: string, email: string | null = `${name.toLowerCase()}@mailroom.test`) =>
      t.db.query(`INSERT INTO scheduler.users (id, version, data) VALUES ($1, 1, $2)`, [id, JSON.stringify({ id, name, email, role })]);
    await user(1, 'Jane', 'end_user', 'jane@customer.test');
    await user(10, 'Admin', 'admin');
    await user(21, 'Ann', 'agent');
    await user(22, 'Bob', 'admin');
    await user(23, 'Carl', 'agent'); // an agent of group 7 only
    // The rules' view of the groups (their consumer keeps it from the group events): 29 is not projected by the scheduler yet.
    const group = (id: number, members: number[], deleted = false) =>
      t.db.query(`INSERT INTO rules.groups (id, version, deleted, members) VALUES ($1, 1, $2, $3)`, [id, deleted, members]);
    await group(5, [21, 22, 29]);
    await group(6, [], true);
    await group(7, [23]);
    const overdue = await createAutomation(
      'Tell the group about tickets open for two days',
      [
        { field: 'status', operator: 'is', value: 'open' },
        { field: 'OPEN', operator: 'is', value: '48' },
      ],
      [{ field: 'notification_group', value: ['group_id', 'Ticket {{ticket.id}} is waiting', 'Open for two days.'] }],
    );
    await insert([
      rowOf(1, { open_at: before(48.5) }), // group 5
      rowOf(2, { open_at: before(48.5), group_id: 6 }), // a deleted group: nobody to email
      rowOf(3, { open_at: before(48.5), group_id: null }), // no group
      rowOf(4, { open_at: before(47.5) }), // not yet
    ]);

    expect(await tick(t.db, AT)).toMatchObject({ cycle: { tickets_matched: 3, tickets_updated: 1 } });
    const sent = await t.db.query<{ message_id: string; data: ApplyRuleActionsV1 }>(`SELECT message_id, data FROM mailroom_events.messages WHERE type = 'ticket.apply_rule_actions' ORDER BY global_position`);
    expect(sent.map((c) => c.message_id)).toEqual([commandId(AT, 1)]);
    const command = sent[0].data;
    expect(command).toMatchObject({ ticketId: 1, updateId: ruleUuid('automation-update', 1, overdue, AT.toISOString()), changes: {} });
    expect(command.fired).toHaveLength(1);
    expect(command.fired[0].notifications).toEqual([
      expect.objectContaining({ recipientIds: [21, 22], suppressed: [], subject: 'Ticket {{ticket.id}} is waiting', body: 'Open for two days.' }),
    ]);

    // A group named by id: its agents whatever the ticket's group (or none).
    await t.db.query(`TRUNCATE scheduler.automations, mailroom_events.messages, mailroom_events.streams`);
    await createAutomation(
      'Tell group 7',
      [
        { field: 'status', operator: 'is', value: 'open' },
        { field: 'OPEN', operator: 'is', value: '49' },
      ],
      [{ field: 'notification_group', value: ['7', 'Still open', 'Open for two days.'] }],
    );
    const later = new Date(AT.getTime() + HOUR);
    expect(await tick(t.db, later)).toMatchObject({ cycle: { tickets_matched: 3, tickets_updated: 3 } });
    const recipients = (await t.db.query<{ data: ApplyRuleActionsV1 }>(`SELECT data FROM mailroom_events.messages WHERE type = 'ticket.apply_rule_actions' ORDER BY global_position`)).map((c) => [
      c.data.ticketId,
      c.data.fired[0].notifications.map((n) => n.recipientIds),
    ]);
    expect(recipients).toEqual([
      [1, [[23]]],
      [2, [[23]]],
      [3, [[23]]],
    ]);
    // Read, never written.
    expect(await t.db.query(`SELECT id, members FROM rules.groups ORDER BY id`)).toEqual([
      { id: '5', members: ['21', '22', '29'] },
      { id: '6', members: [] },
      { id: '7', members: ['23'] },
    ]);
  });

  it('never touches a closed ticket, whatever its times say', async () => {
    await seedStandardAutomations(t.db, AT.toISOString());
    await createEscalation();
    await insert([
      // Solved 100 hours and 30 days ago before it was closed: the close and the system close would both be due.
      rowOf(1, { status: 'closed', solved_at: before(97.5), closed_at: before(1) }),
      rowOf(2, { status: 'closed', solved_at: before(30 * 24), closed_at: before(2) }),
      rowOf(3, { status: 'closed', open_at: before(48.5), closed_at: before(3) }),
      rowOf(4, { status: 'open', open_at: before(48.5) }),
    ]);
    const outcome = await runCycle(t.db, AT, { wait: true });
    expect(outcome).toMatchObject({ ran: true, cycle: { tickets_matched: 1, tickets_updated: 1 }, updatesSent: 1 });
    expect((await commands()).map((c) => Number(c.ticket_id))).toEqual([4]);
  });
});
