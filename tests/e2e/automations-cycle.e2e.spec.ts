import { createTransport } from 'nodemailer';
import { CLOSE_SOLVED_AUTOMATION } from '@mailroom/scheduler-domain';
import { eventually } from '@mailroom/testing';
import { waitUntilAtRest } from '../support/at-rest';
import { startSystem, type System } from '../support/system';

const HOUR = 3_600_000;

/**
 * Automations run on the real services, driven by the clock endpoint: an agent sets a ticket
 * pending, hours pass (a cycle as of a later instant), and the requester receives the standard
 * reminder over SMTP, the audit naming the automation; the standard close closes a solved ticket
 * at its hour and not before, triggers running on its update; the system's 28-day close runs no
 * trigger; nothing touches a closed ticket; an automation emails a group's agents.
 */
describe('automations on the clock', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', ...mail });

  const newTicket = async (subject: string): Promise<number> => {
    await send({ subject, text: `About ${subject}.\nJane` });
    const ticket = await eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: { subject: string }) => t.subject === subject), `ticket ${subject}`);
    await sys.relay.waitFor((m) => m.subject.includes(subject), 20000); // the acknowledgement
    return ticket.id;
  };

  /** The scheduler's row once it shows what the test set (it follows the broker). */
  const schedulerRow = (id: number, status: string) =>
    eventually(async () => {
      const [row] = await sys.database.db.query<{ status: string; pending_at: Date | null; solved_at: Date | null; version: string }>(`SELECT status, pending_at, solved_at, version FROM scheduler.tickets WHERE id = $1`, [id]);
      return row?.status === status ? row : undefined;
    }, `ticket ${id} ${status} in the scheduler`);

  const cycle = async (at: Date) => {
    const r = await sys.api('/automations/cycle.json', { method: 'POST', body: { at: at.toISOString() } });
    expect(r.status).toBe(200);
    return r.body.cycle as { at: string; automations_run: number; tickets_matched: number; tickets_updated: number };
  };

  const adminId = async (): Promise<number> => (await sys.api('/users/me.json')).body.user.id;

  const audits = async (id: number) => (await sys.api(`/tickets/${id}/audits.json`)).body.audits as { events: Record<string, unknown>[] }[];

  it('reminds the requester over SMTP 24 hours after an agent set the ticket pending, the audit naming the automation', async () => {
    const id = await newTicket('Where is my parcel');
    expect((await sys.api(`/tickets/${id}.json`, { method: 'PUT', body: { ticket: { status: 'pending' } } })).status).toBe(200);
    const row = await schedulerRow(id, 'pending');

    const automations = (await sys.api('/automations.json')).body.automations as { id: string; title: string }[];
    const reminder = automations.find((a) => a.title === 'Pending notification 24 hours')!;
    expect((await sys.api(`/automations/${reminder.id}.json`, { method: 'PUT', body: { automation: { active: true } } })).status).toBe(200);

    // Hour 23 of pending: nothing yet.
    const early = await cycle(new Date(row.pending_at!.getTime() + 23.5 * HOUR));
    expect(early.tickets_updated).toBe(0);

    // Hour 24: the reminder goes out.
    const done = await cycle(new Date(row.pending_at!.getTime() + 24.5 * HOUR));
    expect(done).toMatchObject({ automations_run: 2, tickets_updated: 1 });
    expect(done.tickets_matched).toBeGreaterThanOrEqual(1);
    const mail = await sys.relay.waitFor((m) => m.envelope.to.includes('jane@customer.test') && m.subject.includes('Waiting for your reply'), 20000);
    expect(mail.subject).toContain('Where is my parcel');

    const audit = await eventually(async () => (await audits(id)).find((a) => a.events.some((e) => e.type === 'AutomationFired')), 'the automation in the audit');
    expect(audit.events.find((e) => e.type === 'AutomationFired')).toMatchObject({ via: { channel: 'rule', source: { from: { title: 'Pending notification 24 hours' }, rel: 'automation' } } });
    expect(audit.events.find((e) => e.type === 'Notification')).toMatchObject({ via: { source: { from: { title: 'Pending notification 24 hours' }, rel: 'automation' } } });

    // The same instant again: what it did, nothing sent twice.
    expect(await cycle(new Date(row.pending_at!.getTime() + 24.5 * HOUR))).toEqual(done);
    const [n] = await sys.database.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'ticket.trigger_fired' AND data->>'kind' = 'automation'`, [`ticket-${id}`]);
    expect(n.n).toBe('1');
  });

  it('closes a solved ticket 4 days after it was solved, not an hour before, made by the automation', async () => {
    const id = await newTicket('Broken hinge');
    expect((await sys.api(`/tickets/${id}.json`, { method: 'PUT', body: { ticket: { status: 'solved', assignee_id: await adminId() } } })).status).toBe(200);
    const row = await schedulerRow(id, 'solved');
    const solved = row.solved_at!.getTime();

    await cycle(new Date(solved + 96.5 * HOUR)); // "greater than 96": hour 96 is not enough
    expect((await sys.api(`/tickets/${id}.json`)).body.ticket.status).toBe('solved');

    const at = new Date(solved + 97.5 * HOUR);
    await cycle(at);
    await eventually(async () => ((await sys.api(`/tickets/${id}.json`)).body.ticket.status === 'closed' ? true : undefined), 'closed');
    // The update is the automation's, under the id the scheduler derived.
    const [closing] = await sys.database.db.query<{ via: unknown }>(`SELECT metadata->'via' AS via FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'ticket.status_changed' AND data->>'to' = 'closed'`, [`ticket-${id}`]);
    expect(closing.via).toMatchObject({ channel: 'rule', source: { from: { title: CLOSE_SOLVED_AUTOMATION.title }, rel: 'automation' } });

    // Closed: no automation touches it again.
    await schedulerRow(id, 'closed');
    const later = await cycle(new Date(solved + 200 * HOUR));
    expect(later.tickets_updated).toBe(0);
  });

  it('closes a ticket solved 28 days ago as the system, and no trigger runs on that update', async () => {
    const id = await newTicket('Old question');
    expect((await sys.api(`/tickets/${id}.json`, { method: 'PUT', body: { ticket: { status: 'solved', assignee_id: await adminId() } } })).status).toBe(200);
    const row = await schedulerRow(id, 'solved');
    await cycle(new Date(row.solved_at!.getTime() + (28 * 24 + 1) * HOUR));
    await eventually(async () => ((await sys.api(`/tickets/${id}.json`)).body.ticket.status === 'closed' ? true : undefined), 'closed');
    const [close] = await sys.database.db.query<{ update_id: string; via: { channel: string; source: { rel: string } }; version: string }>(
      `SELECT metadata->>'updateId' AS update_id, metadata->'via' AS via, stream_version AS version FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'ticket.status_changed' AND data->>'to' = 'closed'`,
      [`ticket-${id}`],
    );
    expect(close.via).toMatchObject({ channel: 'system', source: { rel: 'system_close' } });
    // The rules have seen the update (their projection is at its version) and ran no cycle on it.
    await eventually(async () => ((await sys.database.db.query<{ version: string }>(`SELECT version FROM rules.tickets WHERE id = $1`, [id]))[0]?.version === close.version ? true : undefined), 'rules saw the close');
    expect(await sys.database.db.query(`SELECT 1 FROM rules.evaluations WHERE update_id = $1`, [close.update_id])).toEqual([]);
  });

  it("emails the ticket's group over SMTP (notification_group): each of its agents, no other agent", async () => {
    const created = async (path: string, body: Record<string, unknown>) => {
      const r = await sys.api(path, { method: 'POST', body });
      expect(r.status).toBe(201);
      return r.body;
    };
    const agent = async (name: string) => (await created('/users.json', { user: { name, email: `${name.toLowerCase()}@mailroom.test`, role: 'agent' } })).user as { id: number };
    const [ann, bob] = [await agent('Ann'), await agent('Bob')];
    await agent('Carl');
    const group = (await created('/groups.json', { group: { name: 'Escalations' } })).group as { id: number };
    for (const u of [ann, bob]) await created('/group_memberships.json', { group_membership: { user_id: u.id, group_id: group.id } });
    // The scheduler's agents and the rules' members (which the cycle reads) follow the broker.
    await eventually(async () => {
      const [g] = await sys.database.db.query<{ members: string[] }>(`SELECT members FROM rules.groups WHERE id = $1`, [group.id]);
      const [n] = await sys.database.db.query<{ n: string }>(`SELECT count(*) AS n FROM scheduler.users WHERE id = ANY($1::bigint[])`, [[ann.id, bob.id]]);
      return g?.members.length === 2 && n.n === '2' ? true : undefined;
    }, 'the group and its agents projected');
    const automation = await created('/automations.json', {
      automation: {
        title: 'Tell the group about tickets open for two hours',
        conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'OPEN', operator: 'is', value: '2' }], any: [] },
        actions: [{ field: 'notification_group', value: ['group_id', 'Still open: {{ticket.title}}', 'Ticket {{ticket.id}} has waited two hours.'] }],
      },
    });
    expect(automation.automation.actions[0].field).toBe('notification_group');

    const id = await newTicket('Printer on fire');
    expect((await sys.api(`/tickets/${id}.json`, { method: 'PUT', body: { ticket: { status: 'open', group_id: group.id } } })).status).toBe(200);
    await schedulerRow(id, 'open');
    const [row] = await sys.database.db.query<{ open_at: Date }>(`SELECT open_at FROM scheduler.tickets WHERE id = $1`, [id]);

    expect(await cycle(new Date(row.open_at.getTime() + 2.5 * HOUR))).toMatchObject({ tickets_updated: 1 });
    const isReminder = (m: { subject: string }) => m.subject.includes('Still open: Printer on fire');
    const toAnn = await sys.relay.waitFor((m) => isReminder(m) && m.envelope.to.includes('ann@mailroom.test'), 20000);
    await sys.relay.waitFor((m) => isReminder(m) && m.envelope.to.includes('bob@mailroom.test'), 20000);
    expect(toAnn.text).toContain(`Ticket ${id} has waited two hours.`);
    await waitUntilAtRest(sys);
    expect(sys.relay.messages.filter(isReminder).flatMap((m) => m.envelope.to).sort()).toEqual(['ann@mailroom.test', 'bob@mailroom.test']);
  });

  it('refuses a cycle without a real instant, and to anyone but an admin', async () => {
    expect((await sys.api('/automations/cycle.json', { method: 'POST', body: { at: 'tomorrow' } })).status).toBe(400);
    expect((await sys.api('/automations/cycle.json', { method: 'POST', body: { at: '2026-13-45T99:00:00Z' } })).status).toBe(422);
    expect((await sys.api('/automations/cycle.json', { method: 'POST', body: { at: '2026-12-01T00:00:00Z' }, auth: null })).status).toBe(401);
  });
});
