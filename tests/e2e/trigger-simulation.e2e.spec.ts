import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { waitUntilAtRest } from '../support/at-rest';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

/**
 * What-if before saving a trigger change: `POST /api/v2/triggers/simulate.json` replays the ticket
 * updates of a past window through the engine with and without the change. Mails come in over
 * SMTP with the standard triggers on; simulating "Notify all agents of received request" turned
 * off reports, for each ticket's creation, exactly the agent emails that went out, and nothing
 * else; the simulation itself sends nothing and writes nothing.
 */
type Json = Record<string, any>;

const AVERY = 'avery@mailroom.test';
const BLAKE = 'blake@mailroom.test';
const ALL_AGENTS = [ADMIN_EMAIL, AVERY, BLAKE].sort();
const NOTIFY_ALL_AGENTS = 'Notify all agents of received request';

describe('trigger simulation: what a change would have done, without doing anything', () => {
  let sys: System;
  const auth = (email: string) => `Basic ${Buffer.from(`${email}/token:${ADMIN_TOKEN}`).toString('base64')}`;
  const as = async (email: string, method: string, path: string, body?: unknown) => {
    const r = await sys.api(path, { method, body, auth: auth(email) });
    if (r.status >= 300) throw new Error(`${method} ${path} as ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ to: 'support@mailroom.test', ...mail });
  const logRows = async () => Number((await sys.database.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`))[0].n);
  const simulate = (body: unknown, email = ADMIN_EMAIL) => sys.api('/triggers/simulate.json', { method: 'POST', body, auth: auth(email) });

  let window: { from: string; to: string };
  let notifyAllAgents: Json;
  /** Ticket id → the agents the relay received its "all agents" email for. */
  const agentMailsOf = new Map<number, string[]>();

  beforeAll(async () => {
    sys = await startSystem();
    for (const [name, email] of [['Avery Agent', AVERY], ['Blake Agent', BLAKE]]) await as(ADMIN_EMAIL, 'POST', '/users.json', { user: { name, email, role: 'agent' } });
    notifyAllAgents = (await as(ADMIN_EMAIL, 'GET', '/triggers.json')).triggers.find((t: Json) => t.title === NOTIFY_ALL_AGENTS);
    expect(notifyAllAgents.active).toBe(true);
    await waitUntilAtRest(sys);
    const from = new Date(Date.now() - 1000);
    const subjects = ['Simulated: the printer is blank', 'Simulated: the scanner is jammed'];
    await send({ from: 'Alice Archer <alice@customer.test>', subject: subjects[0], text: 'Every page is blank.' });
    await send({ from: 'Dana Diaz <dana@customer.test>', subject: subjects[1], text: 'The scanner eats paper.' });
    // Per ticket: one acknowledgement to the requester, one email to each of the three agents.
    await eventually(() => sys.relay.messages.length >= 8, '8 notifications', 30000);
    await waitUntilAtRest(sys);
    window = { from: from.toISOString(), to: new Date(Date.now() + 1000).toISOString() };
    const tickets = (await as(ADMIN_EMAIL, 'GET', '/tickets.json')).tickets as Json[];
    for (const subject of subjects) {
      const ticket = tickets.find((t) => t.subject === subject)!;
      const agentMails = sys.relay.messages.filter((m) => m.subject.includes(subject)).flatMap((m) => m.envelope.to).filter((to) => ALL_AGENTS.includes(to));
      agentMailsOf.set(ticket.id, agentMails.sort());
    }
  });
  afterAll(async () => sys?.close());

  it('deactivating "Notify all agents of received request" reports exactly the agent emails that would not have been sent, and sends and changes nothing', async () => {
    const relayBefore = sys.relay.messages.length;
    const rowsBefore = await logRows();
    const r = await simulate({ simulation: { changes: { deactivate: [notifyAllAgents.id] }, window } });
    expect(r.status).toBe(200);
    const s = r.body.simulation;
    expect(s.truncated).toBe(false);
    expect(s.progress.replayed).toBe(s.progress.total);
    expect(s.updates_replayed).toBeGreaterThanOrEqual(2);
    expect(s.tickets.map((t: Json) => t.ticket_id).sort()).toEqual([...agentMailsOf.keys()].sort());
    for (const t of s.tickets) {
      expect(agentMailsOf.get(t.ticket_id)).toEqual(ALL_AGENTS);
      // Only the creation differs: the trigger would not fire, no field would change, and the
      // emails not sent are exactly the ones the agents received.
      expect(t.updates).toHaveLength(1);
      const [u] = t.updates;
      const audits = (await as(ADMIN_EMAIL, 'GET', `/tickets/${t.ticket_id}/audits.json`)).audits as Json[];
      expect(Date.parse(u.at)).toBeGreaterThanOrEqual(Date.parse(window.from));
      expect(Date.parse(u.at)).toBeLessThanOrEqual(Date.parse(audits[0].created_at) + 1000);
      expect(u.triggers).toEqual({ would_fire: [], would_not_fire: [{ id: notifyAllAgents.id, title: NOTIFY_ALL_AGENTS }] });
      expect(u.changes).toEqual({});
      expect(u.notifications.added).toEqual([]);
      expect(u.notifications.removed).toHaveLength(1);
      expect(u.notifications.removed[0].trigger).toEqual({ id: notifyAllAgents.id, title: NOTIFY_ALL_AGENTS });
      expect(u.notifications.removed[0].recipients.map((p: Json) => p.email).sort()).toEqual(agentMailsOf.get(t.ticket_id));
    }
    // Read-only: nothing sent, nothing written, the trigger untouched.
    await new Promise((done) => setTimeout(done, 1500));
    expect(sys.relay.messages.length).toBe(relayBefore);
    expect(await logRows()).toBe(rowsBefore);
    expect((await as(ADMIN_EMAIL, 'GET', `/triggers/${notifyAllAgents.id}.json`)).trigger.active).toBe(true);
  });

  it('a window with no ticket updates reports nothing', async () => {
    const r = await simulate({ simulation: { changes: { deactivate: [notifyAllAgents.id] }, window: { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } } });
    expect(r.status).toBe(200);
    expect(r.body.simulation).toEqual({ updates_replayed: 0, tickets: [], truncated: false, progress: { replayed: 0, total: 0 } });
  });

  it('max_updates bounds the replay and says it was truncated', async () => {
    const r = await simulate({ simulation: { changes: { deactivate: [notifyAllAgents.id] }, window, max_updates: 1 } });
    expect(r.status).toBe(200);
    expect(r.body.simulation.truncated).toBe(true);
    expect(r.body.simulation.progress.replayed).toBe(1);
    expect(r.body.simulation.progress.total).toBeGreaterThan(1);
  });

  it('an invalid proposed trigger is refused as Zendesk refuses it (422 RecordInvalid), as is an unknown id', async () => {
    const bad = await simulate({ simulation: { changes: { create: [{ title: 'No conditions', conditions: { all: [], any: [] }, actions: [{ field: 'status', value: 'open' }] }] }, window } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('RecordInvalid');
    expect(bad.body.details.base[0].description).toContain('at least one condition');
    const unknown = await simulate({ simulation: { changes: { deactivate: ['no-such-trigger'] }, window } });
    expect(unknown.status).toBe(422);
  });

  it('agents may not simulate (403), and a request without a window is a 400', async () => {
    expect((await simulate({ simulation: { changes: { deactivate: [notifyAllAgents.id] }, window } }, AVERY)).status).toBe(403);
    expect((await simulate({ simulation: { changes: {} } })).status).toBe(400);
  });
});
