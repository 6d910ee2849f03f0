import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { waitUntilAtRest } from '../support/at-rest';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

/**
 * The four routing examples of the README ("Routing examples"), each a trigger created through
 * /api/v2/triggers and a mail over SMTP: by the address written to, by the requester's
 * organization (users mapped by email domain), by keywords in the subject or body, and by
 * business hours (a schedule with a time zone and holidays). Each has its negative case.
 */
type Json = Record<string, any>;

const WEEK = 7 * 24 * 60;
const KOLKATA_OFFSET = 330; // Asia/Kolkata is UTC+05:30 all year: the test computes local time by hand.

/** Local minute of the week (from Sunday 00:00) and local date in Kolkata, `days` from now. */
const kolkata = (at: Date, days = 0) => {
  const local = new Date(at.getTime() + KOLKATA_OFFSET * 60000 + days * 86400000);
  return { weekMinute: local.getUTCDay() * 1440 + local.getUTCHours() * 60 + local.getUTCMinutes(), date: local.toISOString().slice(0, 10) };
};

describe('routing with triggers', () => {
  let sys: System;
  let billing: Json;
  let acmeSupport: Json;
  let onCall: Json;
  let bianca: Json;

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await sys.api(path, { method, body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const agentAuth = (email: string) => `Basic ${Buffer.from(`${email}/token:${ADMIN_TOKEN}`).toString('base64')}`;
  const trigger = async (t: Json) => (await api('POST', '/triggers.json', { trigger: t })).trigger;
  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', ...mail });
  /** The ticket of a subject once the rules have run on its creation (the standard priority trigger has set normal or better). */
  const routed = async (subject: string): Promise<Json> => {
    const t = await eventually(async () => (await api('GET', '/tickets.json')).tickets.find((x: Json) => x.subject === subject && x.priority !== null), `the routed ticket "${subject}"`);
    await waitUntilAtRest(sys);
    return (await api('GET', `/tickets/${t.id}.json`)).ticket;
  };

  beforeAll(async () => {
    sys = await startSystem({ supportAddresses: 'Acme Support <support@mailroom.test>, Acme Billing <billing@mailroom.test>' });
    bianca = (await api('POST', '/users.json', { user: { name: 'Bianca Billing', email: 'bianca@mailroom.test', role: 'agent' } })).user;
    billing = (await api('POST', '/groups.json', { group: { name: 'Billing' } })).group;
    acmeSupport = (await api('POST', '/groups.json', { group: { name: 'Acme support' } })).group;
    onCall = (await api('POST', '/groups.json', { group: { name: 'On-call' } })).group;
    await api('POST', '/group_memberships.json', { group_membership: { user_id: bianca.id, group_id: billing.id } });
  });
  afterAll(async () => sys?.close());

  it('by the address written to: mail to billing@ lands in Billing, whose agents are told; mail to support@ does not', async () => {
    await trigger({
      title: 'Route billing@ to Billing',
      conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'recipient', operator: 'is', value: 'billing@mailroom.test' }], any: [] },
      actions: [{ field: 'group_id', value: String(billing.id) }],
    });
    await send({ to: 'billing@mailroom.test', subject: 'Charged twice', text: 'My card was charged twice.' });
    const t = await routed('Charged twice');
    expect(t).toMatchObject({ recipient: 'billing@mailroom.test', group_id: billing.id });
    // The group's agent hears of it under the group's name, from the address written to.
    const notice = await sys.relay.waitFor((m) => m.envelope.to.includes('bianca@mailroom.test') && m.subject.includes('New for Billing'), 20000);
    expect(notice.subject).toBe('[Acme] New for Billing: Charged twice');
    expect(notice.from).toBe('billing@mailroom.test');
    // Bianca can see it as an agent too.
    expect((await sys.api(`/tickets/${t.id}.json`, { auth: agentAuth('bianca@mailroom.test') })).body.ticket.group_id).toBe(billing.id);

    await send({ subject: 'General question', text: 'Do you ship abroad?' });
    expect((await routed('General question')).group_id).toBeNull();
  });

  it('by organization: a requester mapped to Acme by email domain goes to Acme support, high priority, tagged vip', async () => {
    const acme = (await api('POST', '/organizations.json', { organization: { name: 'Acme Corp', domain_names: ['acme.example'] } })).organization;
    await trigger({
      title: 'Acme Corp to Acme support',
      conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'organization_id', operator: 'is', value: acme.id }], any: [] },
      actions: [
        { field: 'group_id', value: String(acmeSupport.id) },
        { field: 'priority', value: 'high' },
        { field: 'current_tags', value: 'vip' },
        { field: 'notification_user', value: ['requester_id', 'Welcome, {{ticket.organization.name}}', 'Your account team at {{ticket.organization.name}} has ticket {{ticket.id}}.'] },
      ],
    });
    await send({ from: 'Jo Buyer <jo@acme.example>', subject: 'Order 1001 missing', text: 'Where is order 1001?' });
    const t = await routed('Order 1001 missing');
    expect(t).toMatchObject({ organization_id: acme.id, group_id: acmeSupport.id, priority: 'high' });
    expect(t.tags).toContain('vip');
    expect((await api('GET', `/users/${t.requester_id}.json`)).user.organization_id).toBe(acme.id);
    // The trigger's own email names the organization: the notifier projects organization names.
    const welcome = await sys.relay.waitFor((m) => m.envelope.to.includes('jo@acme.example') && m.subject.startsWith('Welcome'), 20000);
    expect(welcome.subject).toBe('Welcome, Acme Corp');
    expect(welcome.text).toContain(`Your account team at Acme Corp has ticket ${t.id}.`);

    await send({ from: 'Sam <sam@elsewhere.test>', subject: 'Order 2002 missing', text: 'Where is order 2002?' });
    const other = await routed('Order 2002 missing');
    expect(other).toMatchObject({ organization_id: null, group_id: null, priority: 'normal' });
    expect(other.tags).not.toContain('vip');
  });

  it('by keyword: "refund" or "invoice" in the subject or the body goes to Billing as urgent, tagged refund', async () => {
    await trigger({
      title: 'Refunds and invoices to Billing',
      conditions: {
        all: [{ field: 'update_type', operator: 'is', value: 'Create' }],
        any: [
          { field: 'subject_includes_word', operator: 'includes', value: 'refund invoice' },
          { field: 'comment_includes_word', operator: 'includes', value: 'refund invoice' },
        ],
      },
      actions: [
        { field: 'group_id', value: String(billing.id) },
        { field: 'priority', value: 'urgent' },
        { field: 'current_tags', value: 'refund' },
      ],
    });
    await send({ subject: 'Refund for order 3003', text: 'I sent it back last week.' });
    await send({ subject: 'About my account', text: 'The invoice shows the wrong address.' });
    await send({ subject: 'Shipping times', text: 'How long does delivery take?' });
    for (const subject of ['Refund for order 3003', 'About my account']) {
      const t = await routed(subject);
      expect(t).toMatchObject({ group_id: billing.id, priority: 'urgent' });
      expect(t.tags).toContain('refund');
    }
    const other = await routed('Shipping times');
    expect(other).toMatchObject({ group_id: null, priority: 'normal' });
    expect(other.tags).not.toContain('refund');
  });

  describe('by business hours', () => {
    let schedule: Json;

    it('sets up a schedule in Asia/Kolkata whose hours are now, and the two triggers that ask', async () => {
      const { weekMinute } = kolkata(new Date());
      const start = Math.max(0, Math.floor((weekMinute - 120) / 15) * 15);
      const end = Math.min(WEEK, Math.ceil((weekMinute + 120) / 15) * 15);
      // Near the week's edges, the hours continue on the other side of Sunday 00:00.
      const intervals = [{ start_time: start, end_time: end }];
      if (end === WEEK) intervals.unshift({ start_time: 0, end_time: 120 });
      if (start === 0) intervals.push({ start_time: WEEK - 120, end_time: WEEK });
      schedule = (await api('POST', '/business_hours/schedules.json', { schedule: { name: 'Bengaluru office', time_zone: 'Asia/Kolkata' } })).schedule;
      expect(schedule.intervals).toHaveLength(5); // Zendesk's default: Monday to Friday, 09:00–17:00
      const { workweek } = await api('PUT', `/business_hours/schedules/${schedule.id}/workweek.json`, { workweek: { intervals } });
      expect(workweek.intervals).toEqual([...intervals].sort((a, b) => a.start_time - b.start_time));
      expect((await api('GET', '/business_hours/schedules.json')).schedules.map((s: Json) => s.name)).toEqual(['Bengaluru office']);
      const bad = await sys.api('/business_hours/schedules.json', { method: 'POST', body: { schedule: { name: 'Nowhere', time_zone: 'Mars/Olympus' } } });
      expect(bad.status).toBe(422);
      expect(bad.body.details.time_zone[0].description).toMatch(/not an IANA time zone/);
      const agent = await sys.api('/business_hours/schedules.json', { method: 'POST', body: { schedule: { name: 'X', time_zone: 'UTC' } }, auth: agentAuth('bianca@mailroom.test') });
      expect(agent.status).toBe(403);

      await trigger({
        title: 'Out of hours to On-call',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'in_business_hours', operator: 'is', value: 'false' }], any: [] },
        actions: [
          { field: 'group_id', value: String(onCall.id) },
          { field: 'current_tags', value: 'after_hours' },
        ],
      });
      await trigger({
        title: 'Tag tickets received in business hours',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'in_business_hours', operator: 'is', value: 'true' }], any: [] },
        actions: [{ field: 'current_tags', value: 'business_hours' }],
      });
    });

    it('within the hours: the ticket is tagged business_hours and stays out of On-call', async () => {
      await send({ subject: 'Printer jam (daytime)', text: 'Paper is stuck.' });
      const t = await routed('Printer jam (daytime)');
      expect(t.tags).toContain('business_hours');
      expect(t.tags).not.toContain('after_hours');
      expect(t.group_id).toBeNull();
    });

    it('on a holiday, even at those hours: the ticket goes to On-call, tagged after_hours', async () => {
      const now = new Date();
      const { holiday } = await api('POST', `/business_hours/schedules/${schedule.id}/holidays.json`, {
        holiday: { name: 'Office closed', start_date: kolkata(now, -1).date, end_date: kolkata(now, 1).date },
      });
      expect((await api('GET', `/business_hours/schedules/${schedule.id}/holidays.json`)).holidays).toEqual([expect.objectContaining({ id: holiday.id, name: 'Office closed' })]);
      await send({ subject: 'Printer jam (holiday)', text: 'Paper is stuck again.' });
      const t = await routed('Printer jam (holiday)');
      expect(t.tags).toContain('after_hours');
      expect(t.tags).not.toContain('business_hours');
      expect(t.group_id).toBe(onCall.id);
      await api('DELETE', `/business_hours/schedules/${schedule.id}/holidays/${holiday.id}.json`);
    });

    it('outside the weekly hours (hours half a week away): On-call again', async () => {
      const { weekMinute } = kolkata(new Date());
      const start = Math.floor(((weekMinute + WEEK / 2) % WEEK) / 15) * 15;
      await api('PUT', `/business_hours/schedules/${schedule.id}/workweek.json`, { workweek: { intervals: [{ start_time: start, end_time: Math.min(WEEK, start + 60) }] } });
      await send({ subject: 'Printer jam (night)', text: 'Still stuck.' });
      const t = await routed('Printer jam (night)');
      expect(t.tags).toContain('after_hours');
      expect(t.group_id).toBe(onCall.id);
    });
  });

  describe('by agent, with the system rules that keep assignee and group together', () => {
    beforeAll(async () => {
      // The business-hours triggers above would route every new ticket; they are done.
      for (const t of (await api('GET', '/triggers.json')).triggers as Json[]) {
        if (['Out of hours to On-call', 'Tag tickets received in business hours'].includes(t.title)) await api('PUT', `/triggers/${t.id}.json`, { trigger: { active: false } });
      }
    });

    it('an agent assigned by a trigger brings their default group to a ticket without one', async () => {
      await trigger({
        title: 'VAT questions to Bianca',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'subject_includes_word', operator: 'includes', value: 'vat' }], any: [] },
        actions: [{ field: 'assignee_id', value: String(bianca.id) }],
      });
      await send({ subject: 'VAT number on my account', text: 'Please add it.' });
      const t = await routed('VAT number on my account');
      expect(t).toMatchObject({ assignee_id: bianca.id, group_id: billing.id, status: 'open' });
      const audits = (await api('GET', `/tickets/${t.id}/audits.json`)).audits as Json[];
      const changes = audits.flatMap((a) => a.events).filter((e: Json) => e.type === 'Change').map((e: Json) => e.field_name);
      expect(changes).toEqual(expect.arrayContaining(['assignee_id', 'group_id', 'status']));
    });

    it('follows the agent’s default group when it is changed with make_default', async () => {
      const joined = (await api('POST', `/users/${bianca.id}/group_memberships.json`, { group_membership: { group_id: acmeSupport.id } })).group_membership;
      expect(joined.default).toBe(false);
      const { group_memberships } = await api('PUT', `/users/${bianca.id}/group_memberships/${joined.id}/make_default.json`);
      expect(group_memberships.map((m: Json) => [m.group_id, m.default])).toEqual([
        [billing.id, false],
        [acmeSupport.id, true],
      ]);
      await send({ subject: 'VAT id changed', text: 'New number attached.' });
      expect(await routed('VAT id changed')).toMatchObject({ assignee_id: bianca.id, group_id: acmeSupport.id });
      const refused = await sys.api(`/users/${bianca.id}/group_memberships/999999/make_default.json`, { method: 'PUT' });
      expect(refused.status).toBe(404);
    });

    it('a trigger that moves the ticket to a group its assignee is not in leaves it unassigned', async () => {
      await trigger({
        title: 'Outages to On-call',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'subject_includes_word', operator: 'includes', value: 'outage' }], any: [] },
        actions: [
          { field: 'assignee_id', value: String(bianca.id) },
          { field: 'group_id', value: String(onCall.id) },
        ],
      });
      await send({ subject: 'Outage in the billing portal', text: 'Nothing loads.' });
      const t = await routed('Outage in the billing portal');
      expect(t).toMatchObject({ group_id: onCall.id, assignee_id: null, status: 'new' });
    });
  });
});
