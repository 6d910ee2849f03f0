import { createClient } from 'node-zendesk';
import { createTransport } from 'nodemailer';
import { STANDARD_TRIGGERS } from '@mailroom/rules-domain';
import { eventually } from '@mailroom/testing';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

type ZendeskTrigger = { id: number | string; title: string; active: boolean; position: number; category_id: string | null; conditions: { all: unknown[]; any: unknown[] }; actions: unknown[]; url: string; default: boolean };
type Explained = { id: string | number; title: string; matched: boolean; fired: boolean; conditions: { field: string; operator: string; result: boolean; detail?: string }[]; actions: { field: string; outcome: string; recipients?: number[] }[] };

/**
 * The Triggers API on the running services, driven through the node-zendesk client: the standard
 * triggers in Zendesk's order, create/show/update/delete, update_many positions, categories,
 * validation errors in Zendesk's shape; a trigger created through the API fires on the very next
 * ticket update; turning off the acknowledgement warns and stops it; the explanation endpoint
 * says, condition by condition, why each trigger did or did not fire.
 */
describe('triggers through the API', () => {
  let sys: System;
  let client: ReturnType<typeof createClient>;
  let strictClient: ReturnType<typeof createClient>;

  beforeAll(async () => {
    sys = await startSystem();
    client = createClient({ username: ADMIN_EMAIL, token: ADMIN_TOKEN, endpointUri: sys.apiBase } as never);
    strictClient = createClient({ username: ADMIN_EMAIL, token: ADMIN_TOKEN, endpointUri: sys.apiBase, throwOriginalException: true } as never);
  });
  afterAll(async () => sys?.close());

  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', ...mail });
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: { subject: string }) => t.subject === subject), `the ticket "${subject}"`);
  const listTriggers = async () => (await client.triggers.list()) as unknown as ZendeskTrigger[];
  /** The explanation of the update that created a ticket (its first audit), once the rules have run. */
  const creationExplanation = async (ticketId: number) => {
    const audits = (await sys.api(`/tickets/${ticketId}/audits.json`)).body.audits as { id: number }[];
    return eventually(async () => {
      const r = await sys.api(`/tickets/${ticketId}/audits/${audits[0].id}/explanation.json`);
      return r.status === 200 ? r.body.explanation : undefined;
    }, `the explanation of ticket ${ticketId}'s first audit`);
  };

  it('lists the standard triggers under Zendesk titles, in Zendesk order, active as Zendesk ships them', async () => {
    const triggers = await listTriggers();
    expect(triggers.map((t) => t.title)).toEqual(STANDARD_TRIGGERS.map((t) => t.title));
    expect(triggers[0].title).toBe('Notify requester and CCs of received request');
    expect(triggers.map((t) => t.active)).toEqual([true, true, true, true, true, true, true, true, false, true]);
    expect(triggers.map((t) => t.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(triggers[0]).toMatchObject({ default: true, category_id: null, conditions: { all: expect.arrayContaining([{ field: 'update_type', operator: 'is', value: 'Create' }]), any: [] } });
    const active = (await client.triggers.listActive()) as unknown as ZendeskTrigger[];
    expect(active.map((t) => t.title)).not.toContain('Auto-assign to first email responding agent');
    expect(active).toHaveLength(9);
  });

  let refundId: number;

  it('creates, shows and updates a trigger; a trigger created through the API fires on the very next mail', async () => {
    const created = (
      await client.triggers.create({
        trigger: {
          title: 'Tag refund requests',
          conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'comment_includes_word', operator: 'includes', value: 'refund' }], any: [] },
          actions: [{ field: 'current_tags', value: 'refund_request' }],
        },
      })
    ).result as unknown as ZendeskTrigger;
    expect(created).toMatchObject({ id: expect.any(Number), title: 'Tag refund requests', active: true, position: 11, default: false, url: expect.stringMatching(/\/api\/v2\/triggers\/\d+\.json$/) });
    refundId = created.id as number;
    expect(((await client.triggers.show(refundId)).result as unknown as ZendeskTrigger).title).toBe('Tag refund requests');

    const updated = (await client.triggers.update(refundId, { trigger: { title: 'Tag refund and money-back requests', conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'comment_includes_word', operator: 'includes', value: 'refund "money back"' }], any: [] } } })).result as unknown as ZendeskTrigger;
    expect(updated).toMatchObject({ id: refundId, title: 'Tag refund and money-back requests', actions: [{ field: 'current_tags', value: 'refund_request' }] });

    await send({ subject: 'Broken kettle', text: 'I would like my money back for this kettle.', messageId: '<refund-1@customer.test>' });
    const ticket = await ticketWithSubject('Broken kettle');
    const tagged = await eventually(async () => {
      const t = (await sys.api(`/tickets/${ticket.id}.json`)).body.ticket;
      return t.tags.includes('refund_request') ? t : undefined;
    }, 'the refund tag on the new ticket');
    expect(tagged.tags).toContain('refund_request');

    // A mail that does not mention it is left alone.
    await send({ subject: 'Kettle works again', text: 'All good now, thanks.', messageId: '<refund-2@customer.test>' });
    const other = await ticketWithSubject('Kettle works again');
    const explanation = await creationExplanation(other.id);
    const refund = (explanation.triggers as Explained[]).find((t) => t.id === refundId)!;
    expect(refund).toMatchObject({ matched: false, fired: false });
    expect(refund.conditions.map((c) => [c.field, c.result])).toEqual([['update_type', true], ['comment_includes_word', false]]);
    expect((await sys.api(`/tickets/${other.id}.json`)).body.ticket.tags).not.toContain('refund_request');
  });

  it('explains, per trigger and condition, why the acknowledgement was sent and the proactive notice was not', async () => {
    const ticket = await ticketWithSubject('Broken kettle');
    const explanation = await creationExplanation(ticket.id);
    expect(explanation).toMatchObject({ ticket_id: ticket.id, passes: expect.any(Number), capped: false });
    const byTitle = new Map((explanation.triggers as Explained[]).map((t) => [t.title, t]));
    // Only active triggers are evaluated.
    expect(byTitle.has('Auto-assign to first email responding agent')).toBe(false);
    const ack = byTitle.get('Notify requester and CCs of received request')!;
    expect(ack).toMatchObject({ matched: true, fired: true });
    expect(ack.conditions.every((c) => c.result)).toBe(true);
    expect(ack.actions).toEqual([expect.objectContaining({ field: 'notification_user', outcome: 'notification', recipients: [ticket.requester_id] })]);
    const proactive = byTitle.get('Notify requester of new proactive ticket')!;
    expect(proactive).toMatchObject({ matched: false, fired: false });
    expect(proactive.conditions.find((c) => c.field === 'role')).toMatchObject({ operator: 'is', result: false, detail: expect.stringMatching(/end_user/) });
    const refund = byTitle.get('Tag refund and money-back requests')!;
    expect(refund).toMatchObject({ fired: true, actions: [{ field: 'current_tags', outcome: 'changed' }] });

    const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits;
    expect((await sys.api(`/tickets/${ticket.id + 1000}/audits/${audits[0].id}/explanation.json`)).status).toBe(404);
    // The audit lists the triggers that fired with their actions.
    const fired = audits.flatMap((a: { events: { type: string; via?: { source: { from: { title: string } } }; actions?: unknown[] }[] }) => a.events).filter((e: { type: string }) => e.type === 'TriggerFired');
    expect(fired.map((e: { via: { source: { from: { title: string } } } }) => e.via.source.from.title)).toEqual(expect.arrayContaining(['Notify requester and CCs of received request', 'Tag refund and money-back requests']));
  });

  it('moves triggers with update_many and lists them in their new order', async () => {
    const moved = (await client.triggers.updateMany([{ id: refundId, position: 0 }])).result as unknown as ZendeskTrigger[];
    expect(moved).toEqual([expect.objectContaining({ id: refundId, position: 0 })]);
    expect((await listTriggers())[0].id).toBe(refundId);
    await client.triggers.updateMany([{ id: refundId, position: 11 }]);
    expect((await listTriggers()).at(-1)!.id).toBe(refundId);
    // Unknown ids are refused, and nothing of the batch is applied.
    const r = await sys.api('/triggers/update_many.json', { method: 'PUT', body: { triggers: [{ id: refundId, position: 3 }, { id: 999999, position: 1 }] } });
    expect(r.status).toBe(422);
    expect(((await client.triggers.show(refundId)).result as unknown as ZendeskTrigger).position).toBe(11);
  });

  it('refuses invalid triggers with Zendesk validation errors', async () => {
    const attempt = (trigger: Record<string, unknown>) => strictClient.triggers.create({ trigger }).then(() => undefined, (err: { statusCode?: number; result?: unknown }) => err);
    const unknownField = await attempt({ title: 'Bad', conditions: { all: [{ field: 'mood', operator: 'is', value: 'grumpy' }], any: [] }, actions: [{ field: 'priority', value: 'high' }] });
    expect(unknownField?.statusCode).toBe(422);
    expect(unknownField?.result).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: 'Conditions (ALL #1): unknown condition field "mood"', error: 'InvalidValue', field: 'conditions.all[0]' }] },
    });
    const badOperator = await attempt({ title: 'Bad', conditions: { all: [{ field: 'status', operator: 'sounds_like', value: 'open' }], any: [] }, actions: [{ field: 'priority', value: 'high' }] });
    expect(badOperator?.statusCode).toBe(422);
    const badValue = await attempt({ title: 'Bad', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }], any: [] }, actions: [{ field: 'priority', value: 'extreme' }] });
    expect(badValue?.result).toMatchObject({ details: { base: [{ field: 'actions[0]', description: expect.stringMatching(/"extreme" is not a priority/) }] } });
    const noTitle = await attempt({ conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }], any: [] }, actions: [{ field: 'priority', value: 'high' }] });
    expect(noTitle?.result).toMatchObject({ details: { base: [{ field: 'title', description: 'Title: cannot be blank' }] } });
    expect((await listTriggers()).map((t) => t.title)).not.toContain('Bad');
    // Agents may read triggers; writing needs an admin (the only API user here is the admin).
    const missing = await strictClient.triggers.show(987654).then(() => undefined, (err: { statusCode?: number }) => err);
    expect(missing?.statusCode).toBe(404);
  });

  it('keeps trigger categories, runs and lists triggers by category, and refuses to delete a category that holds triggers', async () => {
    const first = await sys.api('/trigger_categories.json', { method: 'POST', body: { trigger_category: { name: 'Routing', position: 1 } } });
    expect(first.status).toBe(201);
    expect(first.body.trigger_category).toMatchObject({ id: expect.any(String), name: 'Routing', position: 1, created_at: expect.any(String), updated_at: expect.any(String) });
    const second = (await sys.api('/trigger_categories.json', { method: 'POST', body: { trigger_category: { name: 'Tagging' } } })).body.trigger_category;
    expect(second.position).toBe(2);
    expect((await sys.api('/trigger_categories.json')).body.trigger_categories.map((c: { name: string }) => c.name)).toEqual(['Routing', 'Tagging']);

    const inCategory = (await client.triggers.update(refundId, { trigger: { category_id: second.id } })).result as unknown as ZendeskTrigger;
    expect(inCategory.category_id).toBe(second.id);
    expect((await sys.api(`/triggers.json?category_id=${second.id}`)).body.triggers.map((t: ZendeskTrigger) => t.id)).toEqual([refundId]);
    const unknownCategory = await sys.api(`/triggers/${refundId}.json`, { method: 'PUT', body: { trigger: { category_id: '424242' } } });
    expect(unknownCategory.status).toBe(422);

    const renamed = await sys.api(`/trigger_categories/${second.id}.json`, { method: 'PATCH', body: { trigger_category: { name: 'Tags' } } });
    expect(renamed.body.trigger_category).toMatchObject({ id: second.id, name: 'Tags' });
    const job = await sys.api('/trigger_categories/jobs.json', { method: 'POST', body: { job: { action: 'patch', items: { trigger_categories: [{ id: second.id, position: 0 }] } } } });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ status: 'complete', results: { trigger_categories: [{ id: second.id, position: 0 }] } });
    expect((await sys.api('/trigger_categories.json')).body.trigger_categories.map((c: { name: string }) => c.name)).toEqual(['Tags', 'Routing']);

    const refused = await sys.api(`/trigger_categories/${second.id}.json`, { method: 'DELETE' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'RecordInvalid', details: { base: [{ description: expect.stringMatching(/still holds 1 trigger/) }] } });
    expect((await sys.api(`/trigger_categories/${first.body.trigger_category.id}.json`, { method: 'DELETE' })).status).toBe(204);
    expect((await sys.api(`/trigger_categories/${first.body.trigger_category.id}.json`)).status).toBe(404);
  });

  it('a trigger that copies someone adds them as CC on the ticket', async () => {
    const me = (await sys.api('/users/me.json')).body.user;
    const cc = (await client.triggers.create({ trigger: { title: 'Copy the admin on escalations', conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'subject_includes_word', operator: 'includes', value: 'escalate' }], any: [] }, actions: [{ field: 'cc', value: me.id }] } })).result as unknown as ZendeskTrigger;
    await send({ subject: 'Please escalate this', text: 'It is urgent.', messageId: '<cc-1@customer.test>' });
    const ticket = await ticketWithSubject('Please escalate this');
    const copied = await eventually(async () => {
      const t = (await sys.api(`/tickets/${ticket.id}.json`)).body.ticket;
      return t.email_cc_ids.includes(me.id) ? t : undefined;
    }, 'the admin as CC');
    expect(copied.email_cc_ids).toEqual([me.id]);
    await client.triggers.delete(cc.id as number);
  });

  it('a trigger that emails an end user named by id reaches them (the rules load the users triggers name)', async () => {
    const partner = (await sys.api('/users.json', { method: 'POST', body: { user: { name: 'Pat Partner', email: 'pat@partner.test', role: 'end_user' } } })).body.user;
    const notify = (await client.triggers.create({
      trigger: {
        title: 'Tell the partner about outages',
        conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'subject_includes_word', operator: 'includes', value: 'outage' }], any: [] },
        actions: [{ field: 'notification_user', value: [String(partner.id), 'Outage reported: {{ticket.title}}', 'Ticket {{ticket.id}} reports an outage.'] }],
      },
    })).result as unknown as ZendeskTrigger;
    await send({ subject: 'Total outage in Lyon', text: 'Nothing works.', messageId: '<outage-1@customer.test>' });
    const mail = await sys.relay.waitFor((m) => m.envelope.to.includes('pat@partner.test'), 20000);
    expect(mail.subject).toBe('Outage reported: Total outage in Lyon');
    await client.triggers.delete(notify.id as number);
  });

  it('"Notify group of assignment" emails the members the rules learnt from group membership events', async () => {
    const me = (await sys.api('/users/me.json')).body.user;
    const group = await sys.api('/groups.json', { method: 'POST', body: { group: { name: 'Billing' } } });
    expect(group.status).toBe(201);
    const membership = await sys.api('/group_memberships.json', { method: 'POST', body: { group_membership: { user_id: me.id, group_id: group.body.group.id } } });
    expect(membership.status).toBe(201);
    const created = await sys.api('/tickets.json', { method: 'POST', body: { ticket: { subject: 'Invoice twice', group_id: group.body.group.id, comment: { body: 'I was billed twice.' }, requester: { email: 'payer@customer.test', name: 'Pat Payer' } } } });
    expect(created.status).toBe(201);
    const mail = await sys.relay.waitFor((m) => m.envelope.to.includes(ADMIN_EMAIL) && m.subject.includes('New for Billing: Invoice twice'), 20000);
    expect(mail.subject).toContain('Billing');
    const explanation = await creationExplanation(created.body.ticket.id);
    const notify = (explanation.triggers as Explained[]).find((t) => t.title === 'Notify group of assignment')!;
    expect(notify).toMatchObject({ fired: true, actions: [{ field: 'notification_group', outcome: 'notification', recipients: [me.id] }] });
  });

  it('deactivating the acknowledgement warns, is recorded, and the next new mail gets no acknowledgement', async () => {
    const ackTrigger = (await listTriggers()).find((t) => t.title === 'Notify requester and CCs of received request')!;
    const off = await sys.api(`/triggers/${ackTrigger.id}.json`, { method: 'PUT', body: { trigger: { active: false } } });
    expect(off.status).toBe(200);
    expect(off.body.trigger.active).toBe(false);
    expect(off.body.warning).toMatch(/sends email notifications/);
    const recorded = await sys.database.db.query<{ data: { warning?: string; changed: string[] } }>(`SELECT data FROM mailroom_events.messages WHERE stream_id = 'triggers' AND type = 'trigger.updated' AND data->>'triggerId' = $1`, [String(ackTrigger.id)]);
    expect(recorded.map((r) => r.data)).toEqual([expect.objectContaining({ changed: ['active'], warning: off.body.warning })]);
    // Turning on, or changing a trigger that sends nothing, gives no warning.
    const priority = (await listTriggers()).find((t) => t.title === 'Set tickets with no priority to normal')!;
    const quiet = await sys.api(`/triggers/${priority.id}.json`, { method: 'PUT', body: { trigger: { active: false } } });
    expect(quiet.body.warning).toBeUndefined();
    await sys.api(`/triggers/${priority.id}.json`, { method: 'PUT', body: { trigger: { active: true } } });

    await send({ subject: 'Quiet please', text: 'No need to answer this one.', messageId: '<quiet-1@customer.test>' });
    const ticket = await ticketWithSubject('Quiet please');
    const explanation = await creationExplanation(ticket.id);
    expect((explanation.triggers as Explained[]).map((t) => t.title)).not.toContain('Notify requester and CCs of received request');
    // The agents' notice of the same update does go out; the requester's acknowledgement does not.
    await sys.relay.waitFor((m) => m.envelope.to.includes(ADMIN_EMAIL) && m.subject.includes('Quiet please'), 20000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sys.relay.messages.filter((m) => m.envelope.to.includes('jane@customer.test') && m.inReplyTo === '<quiet-1@customer.test>')).toEqual([]);

    const on = (await client.triggers.updateMany([{ id: ackTrigger.id, active: true }])).result as unknown as ZendeskTrigger[];
    expect(on[0].active).toBe(true);
    await send({ subject: 'Loud again', text: 'Please confirm.', messageId: '<loud-1@customer.test>' });
    await sys.relay.waitFor((m) => m.envelope.to.includes('jane@customer.test') && m.inReplyTo === '<loud-1@customer.test>', 20000);
  });

  it('deletes triggers: a notification trigger with a warning, another without; deleted ones are gone', async () => {
    const notice = (await client.triggers.create({ trigger: { title: 'Tell the boss', conditions: { all: [{ field: 'priority', operator: 'is', value: 'urgent' }], any: [] }, actions: [{ field: 'notification_user', value: ['all_agents', 'Urgent: {{ticket.title}}', 'See ticket {{ticket.id}}'] }] } })).result as unknown as ZendeskTrigger;
    const del = await sys.api(`/triggers/${notice.id}.json`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body.warning).toMatch(/"Tell the boss" sends email notifications; after deleting it/);
    await client.triggers.delete(refundId);
    const gone = await strictClient.triggers.show(refundId).then(() => undefined, (err: { statusCode?: number }) => err);
    expect(gone?.statusCode).toBe(404);
    const events = await sys.database.db.query<{ type: string; data: { triggerId: string; warning?: string } }>(`SELECT type, data FROM mailroom_events.messages WHERE stream_id = 'triggers' AND type = 'trigger.deleted' ORDER BY global_position`);
    const warned = new Map(events.map((e) => [e.data.triggerId, e.data.warning !== undefined]));
    expect([warned.get(String(notice.id)), warned.get(String(refundId))]).toEqual([true, false]);
    expect((await listTriggers()).map((t) => t.title)).toEqual(STANDARD_TRIGGERS.map((t) => t.title));
  });
});
