import { readApiLimitSettings } from '@mailroom/config';
import type { Actor, NewMessage, Via } from '@mailroom/contracts';
import { mergeVersionedRow } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { ApiError, ApiLimits, Authenticator, AuthLog, startApiHost, type ApiUser, type RunningApiHost } from '@mailroom/http';
import { STANDARD_AUTOMATION_IDS } from '@mailroom/scheduler-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { seedStandardAutomations } from '../automations/automation-store';
import { SchedulerHttpModule } from './scheduler-http-module';

const TOKEN = 'simulation-test-token-0123456789';
const auth = (email: string) => 'Basic ' + Buffer.from(`${email}/token:${TOKEN}`).toString('base64');
const ADMIN = 'admin@mailroom.test';
const AGENT = 'avery@mailroom.test';

/**
 * The API host's users for this test: an admin and an agent with the token. Users and API tokens
 * are the ticket context's (its TicketAuthenticator); the scheduler's endpoints only need the role.
 */
class TestAuthenticator extends Authenticator {
  private readonly users: Record<string, ApiUser> = {
    [auth(ADMIN)]: { id: 1, name: 'Admin', email: ADMIN, role: 'admin', active: true },
    [auth(AGENT)]: { id: 2, name: 'Avery Agent', email: AGENT, role: 'agent', active: true },
  };

  async authenticate(header: string | undefined): Promise<ApiUser> {
    const user = header === undefined ? undefined : this.users[header];
    if (!user) throw new ApiError(401, { error: "Couldn't authenticate you" });
    return user;
  }
}

const HOUR = 3_600_000;
/** The window: one day of hourly cycles from W0. */
const W0 = new Date('2026-03-02T00:00:00Z');
const h = (n: number): string => new Date(W0.getTime() + n * HOUR).toISOString();
const WINDOW = { from: h(0), to: h(24) };

const ALICE = { id: 1001, name: 'Alice Customer', email: 'alice@customer.test', role: 'end_user' };
const CAROL = { id: 1002, name: 'Carol Colleague', email: 'carol@customer.test', role: 'end_user' };
const SMITH = { id: 1003, name: 'Agent Smith', email: 'smith@support.test', role: 'agent' };

const EMAIL: Via = { channel: 'email', source: { from: { address: ALICE.email }, to: { address: 'support@mailroom.test' }, rel: null } };
const API: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const BY_AUTOMATION: Via = { channel: 'rule', source: { from: { id: STANDARD_AUTOMATION_IDS.closeSolved }, to: {}, rel: 'automation' } };
const AGENT_ACTOR: Actor = { userId: SMITH.id, role: 'agent' };
const SYSTEM: Actor = { userId: null, role: 'system' };

const CLOSE = { id: STANDARD_AUTOMATION_IDS.closeSolved, title: 'Close ticket 4 days after status is set to solved' };

type Json = Record<string, any>;

/**
 * The automations' what-if through the API, on an API host serving the scheduler's HTTP module
 * alone over real PostgreSQL: the tickets' histories are written to the log as the ticket service
 * writes them (past instants in their metadata), and the simulation replays the window's hourly
 * cycles over them (it reads the log and the scheduler's tables, no ticket read model). It must
 * find exactly the tickets the change would spare, name the recipients of a new automation's
 * emails, and leave the log, the scheduler's tables and the automations as they were.
 */
describe('POST /api/v2/automations/simulate.json', () => {
  let t: TestDatabase;
  let host: RunningApiHost;
  const store = new EventStore();

  const append = (ticketId: number, at: string, events: { type: string; data: Record<string, unknown> }[], meta: { actor?: Actor; via?: Via; updateId?: string } = {}) =>
    t.db.transaction((tx) =>
      store.append(tx, `ticket-${ticketId}`, 'ticket', 'any', events.map((e) => ({ type: e.type, data: { ticketId, ...e.data } })) as NewMessage[], {
        actor: meta.actor ?? AGENT_ACTOR,
        via: meta.via ?? API,
        occurredAt: at,
        ...(meta.updateId ? { updateId: meta.updateId } : {}),
      }),
    );
  const createTicket = (id: number, at: string, status: 'open' | 'new' = 'open', ccIds: number[] = []) =>
    append(id, at, [
      {
        type: 'ticket.created',
        data: { subject: `Ticket ${id}`, requesterId: ALICE.id, submitterId: ALICE.id, recipient: 'support@mailroom.test', status, priority: null, type: null, groupId: null, assigneeId: SMITH.id, tags: [], ccIds, externalId: null, via: EMAIL, mail: null, createdAt: at },
      },
    ], { actor: { userId: ALICE.id, role: 'end_user' }, via: EMAIL });
  const setStatus = (id: number, at: string, from: string, to: string, meta: { actor?: Actor; via?: Via; updateId?: string } = {}) => append(id, at, [{ type: 'ticket.status_changed', data: { from, to } }], meta);

  /** Solved tickets, by how long before the window they were solved. */
  const SOLVED_200H = 201; // closed by both: long past four days and a week
  const SOLVED_100H = 202; // four days passed at the window's start: closed at once, not within a week
  const SOLVED_90H = 203; // four days pass 7 hours into the window
  const SOLVED_50H = 204; // four days pass only after the window
  const OPEN = 205;
  const REOPENED = 206; // solved 90 hours before, reopened by the requester 3 hours into the window
  const CLOSED_BY_SCHEDULER = 207; // solved 100 hours before; the real scheduler closed it in the window
  const CLOSED_BEFORE = 208; // closed before the window: not looked at
  const CREATED_AFTER = 209; // created after the window: not looked at
  const PENDING_20H = 210; // pending since 20 hours before the window, Carol on CC
  const PENDING_10H = 211;
  const PENDING_40H = 212;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedStandardAutomations(t.db, h(-2000));
    for (const p of [ALICE, CAROL, SMITH]) await mergeVersionedRow(t.db, 'scheduler.users', p.id, 1, { name: p.name, email: p.email, role: p.role });
    for (const [id, solvedAt] of [[SOLVED_200H, -200], [SOLVED_100H, -100], [SOLVED_90H, -90], [SOLVED_50H, -50], [REOPENED, -90], [CLOSED_BY_SCHEDULER, -100], [CLOSED_BEFORE, -200]] as const) {
      await createTicket(id, h(solvedAt - 24));
      await setStatus(id, h(solvedAt), 'open', 'solved');
    }
    await createTicket(OPEN, h(-300));
    await setStatus(REOPENED, h(3), 'solved', 'open', { actor: { userId: ALICE.id, role: 'end_user' }, via: EMAIL });
    await setStatus(CLOSED_BY_SCHEDULER, new Date(W0.getTime() + 36_000).toISOString(), 'solved', 'closed', { actor: SYSTEM, via: BY_AUTOMATION, updateId: '00000000-0000-4000-8000-000000000207' });
    await setStatus(CLOSED_BEFORE, h(-10), 'solved', 'closed', { actor: SYSTEM, via: BY_AUTOMATION });
    await createTicket(CREATED_AFTER, h(30));
    for (const [id, since, ccs] of [[PENDING_20H, -20, [CAROL.id]], [PENDING_10H, -10, []], [PENDING_40H, -40, []]] as const) {
      await createTicket(id, h(since - 5), 'open', [...ccs]);
      await setStatus(id, h(since), 'open', 'pending');
    }

    const apiLimits = readApiLimitSettings({});
    host = await startApiHost({
      modules: [SchedulerHttpModule.register({ db: t.db, baseUrl: 'http://127.0.0.1:3000' })],
      shared: {
        db: t.db,
        authenticator: new TestAuthenticator(),
        limits: new ApiLimits(t.db, apiLimits, 'ticket.rate_counters'),
        authLog: new AuthLog(() => undefined),
        ready: async () => true,
      },
      cfg: { httpPort: 0, httpHost: '127.0.0.1', apiLimits },
      log: { error: () => undefined },
    });
  });
  afterAll(async () => {
    await host?.close();
    await t?.drop();
  });

  async function api(path: string, method = 'GET', body?: unknown, as = ADMIN): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/v2${path}`, {
      method,
      headers: { authorization: auth(as), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
  const simulate = (simulation: unknown, as = ADMIN) => api('/automations/simulate.json', 'POST', { simulation }, as);

  /** Every table the what-if could touch if it wrote: the log, the scheduler's read models, the automations. */
  const snapshot = async () =>
    (
      await t.db.query<Json>(
        `SELECT (SELECT count(*) FROM mailroom_events.messages) AS messages,
                (SELECT max(global_position) FROM mailroom_events.messages) AS last_position,
                (SELECT count(*) FROM mailroom_events.streams) AS streams,
                (SELECT count(*) FROM scheduler.tickets) AS scheduler_tickets,
                (SELECT count(*) FROM scheduler.cycles) AS cycles,
                (SELECT md5(string_agg(id || active::text || data::text, ',' ORDER BY id)) FROM scheduler.automations) AS automations`,
      )
    )[0];

  const closeAfterAWeek = { id: CLOSE.id, conditions: { all: [{ field: 'status', operator: 'is', value: 'solved' }, { field: 'SOLVED', operator: 'greater_than', value: '168' }], any: [] } };

  it('moving the close from four days to a week: exactly the tickets it would not close, when, and nothing written', async () => {
    const before = await snapshot();
    const r = await simulate({ changes: { update: [closeAfterAWeek] }, window: WINDOW });
    expect(r.status).toBe(200);
    const s = r.body.simulation;
    // Twelve tickets in the log; the one closed before the window and the one created after it are not looked at.
    expect({ truncated: s.truncated, progress: s.progress, tickets_replayed: s.tickets_replayed, cycles: s.cycles }).toEqual({ truncated: false, progress: { replayed: 10, total: 10 }, tickets_replayed: 10, cycles: 24 });
    const wouldNotClose = (at: string) => ({
      at,
      automations: { would_fire: [], would_not_fire: [CLOSE] },
      changes: { status: { current: 'closed', proposed: null } },
      notifications: { added: [], removed: [] },
    });
    expect(s.tickets).toEqual([
      { ticket_id: SOLVED_100H, cycles: [wouldNotClose(h(0))], at_end: { status: { current: 'closed', proposed: 'solved' } } },
      { ticket_id: SOLVED_90H, cycles: [wouldNotClose(h(7))], at_end: { status: { current: 'closed', proposed: 'solved' } } },
      // The scheduler's own close in the window is decided again, not replayed.
      { ticket_id: CLOSED_BY_SCHEDULER, cycles: [wouldNotClose(h(0))], at_end: { status: { current: 'closed', proposed: 'solved' } } },
    ]);
    // Read-only: the log, the scheduler's tables and the automation as they were.
    expect(await snapshot()).toEqual(before);
    const stored = await api(`/automations/${CLOSE.id}.json`);
    expect(stored.body.automation.conditions.all[1]).toEqual({ field: 'SOLVED', operator: 'greater_than', value: '96' });
  });

  it('a new pending reminder: which tickets would get its email, when, and who would receive it', async () => {
    const before = await snapshot();
    const reminder = {
      title: 'Remind after a day pending',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'PENDING', operator: 'is', value: '24' }], any: [] },
      actions: [{ field: 'notification_user', value: ['requester_and_ccs', 'Still waiting for your answer', 'We cannot go on without it.'] }],
    };
    const r = await simulate({ changes: { create: [reminder] }, window: WINDOW });
    expect(r.status).toBe(200);
    const ref = { id: 'proposed-1', title: reminder.title };
    const person = (p: typeof ALICE) => ({ id: p.id, email: p.email, name: p.name });
    const reminded = (at: string, recipients: Json[]) => ({
      at,
      automations: { would_fire: [ref], would_not_fire: [] },
      changes: {},
      notifications: { added: [{ automation: ref, subject: 'Still waiting for your answer', recipients }], removed: [] },
    });
    const tickets = r.body.simulation.tickets as Json[];
    expect(tickets.map((x) => x.ticket_id)).toEqual([PENDING_20H, PENDING_10H]);
    expect(tickets[0].cycles).toEqual([reminded(h(4), expect.arrayContaining([person(ALICE), person(CAROL)]))]);
    expect(tickets[0].cycles[0].notifications.added[0].recipients).toHaveLength(2);
    expect(tickets[1].cycles).toEqual([reminded(h(14), [person(ALICE)])]);
    expect(tickets.every((x) => Object.keys(x.at_end).length === 0)).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect((await api('/automations.json')).body.count).toBe(3);
  });

  it("a new automation emailing a group: its agents as the rules' groups have them, as the real cycle would", async () => {
    await t.db.query(`INSERT INTO rules.groups (id, version, members) VALUES (9, 1, $1) ON CONFLICT (id) DO UPDATE SET members = EXCLUDED.members`, [[SMITH.id]]);
    const tellGroup = {
      title: 'Tell group 9 after a day pending',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'PENDING', operator: 'is', value: '24' }], any: [] },
      actions: [{ field: 'notification_group', value: ['9', 'A day pending', 'Have a look.'] }],
    };
    const r = await simulate({ changes: { create: [tellGroup] }, window: WINDOW });
    expect(r.status).toBe(200);
    const tickets = r.body.simulation.tickets as Json[];
    expect(tickets.map((x) => [x.ticket_id, x.cycles.map((c: Json) => [c.at, c.notifications.added.map((n: Json) => n.recipients)])])).toEqual([
      [PENDING_20H, [[h(4), [[{ id: SMITH.id, email: SMITH.email, name: SMITH.name }]]]]],
      [PENDING_10H, [[h(14), [[{ id: SMITH.id, email: SMITH.email, name: SMITH.name }]]]]],
    ]);
  });

  it('max_tickets bounds the replay and says it was truncated', async () => {
    const r = await simulate({ changes: { update: [closeAfterAWeek] }, window: WINDOW, max_tickets: 2 });
    expect(r.status).toBe(200);
    expect(r.body.simulation).toMatchObject({ truncated: true, tickets_replayed: 2, progress: { replayed: 2, total: 10 } });
    expect(r.body.simulation.tickets.map((x: Json) => x.ticket_id)).toEqual([SOLVED_100H]);
  });

  it('refuses what saving would refuse (422 in Zendesk’s shape): the standard close turned off, an invalid automation, an unknown id', async () => {
    const off = await simulate({ changes: { deactivate: [CLOSE.id] }, window: WINDOW });
    expect(off.status).toBe(422);
    expect(off.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: `"${CLOSE.title}" cannot be deactivated`, error: 'InvalidValue', field: 'changes.deactivate[0]' }] },
    });
    const noTime = await simulate({ changes: { create: [{ title: 'x', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }], any: [] }, actions: [{ field: 'status', value: 'pending' }] }] }, window: WINDOW });
    expect(noTime.status).toBe(422);
    expect(noTime.body.details.base[0].description).toContain('time condition');
    expect((await simulate({ changes: { deactivate: ['no-such-automation'] }, window: WINDOW })).status).toBe(422);
  });

  it('admins only (403 for an agent); a request without a window, or a window over 31 days, is a 400', async () => {
    expect((await simulate({ changes: {}, window: WINDOW }, AGENT)).status).toBe(403);
    expect((await simulate({ changes: {} })).status).toBe(400);
    expect((await simulate({ changes: {}, window: { from: h(0), to: h(32 * 24) } })).status).toBe(400);
    expect((await simulate({ changes: {}, window: WINDOW, max_tickets: 0 })).status).toBe(400);
  });
});
