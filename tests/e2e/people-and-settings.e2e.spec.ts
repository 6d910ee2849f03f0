import { createClient, type ZendeskClient } from 'node-zendesk';
import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

/**
 * The people rules address and the account settings, through the Zendesk v2 API with an existing
 * Zendesk client (node-zendesk) pointed at Mailroom: groups, memberships, organizations whose
 * domains map new users (and their tickets) when they first write in by email, and the account
 * email template, whose change shows in the next acknowledgement the relay receives.
 */
type Json = Record<string, any>;

/** What node-zendesk throws for an error answer: the HTTP status and Zendesk's body. */
const failure = async (call: Promise<unknown>): Promise<{ statusCode: number; result: Json }> => {
  try {
    await call;
  } catch (err) {
    return err as { statusCode: number; result: Json };
  }
  throw new Error('the call succeeded');
};

describe('people and account settings through the Zendesk API', () => {
  let sys: System;
  let zd: ZendeskClient;
  let agentZd: ZendeskClient;
  let agentId: number;

  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ to: 'support@mailroom.test', ...mail });

  const client = (username: string) => createClient({ username, token: ADMIN_TOKEN, endpointUri: sys.apiBase, throwOriginalException: true, logger: { debug: () => undefined } as never });

  beforeAll(async () => {
    sys = await startSystem();
    zd = client(ADMIN_EMAIL);
    const { result } = (await zd.users.create({ user: { name: 'Avery Agent', email: 'avery@mailroom.test', role: 'agent' } })) as { result: Json };
    agentId = result.id;
    agentZd = client('avery@mailroom.test');
  });
  afterAll(async () => sys?.close());

  describe('groups', () => {
    it('creates, shows, lists and updates groups; the first one is the default', async () => {
      const billing = ((await zd.groups.create({ group: { name: 'Billing', description: 'Invoices and refunds' } })) as { result: Json }).result;
      expect(billing).toMatchObject({ name: 'Billing', description: 'Invoices and refunds', default: true, deleted: false, url: `http://127.0.0.1:3000/api/v2/groups/${billing.id}.json` });
      const tier2 = ((await zd.groups.create({ group: { name: 'Tier 2' } })) as { result: Json }).result;
      expect(tier2).toMatchObject({ name: 'Tier 2', description: '', default: false });

      expect(((await zd.groups.show(billing.id)) as { result: Json }).result.name).toBe('Billing');
      const all = (await zd.groups.list()) as Json[];
      expect(all.map((g) => g.name)).toEqual(['Billing', 'Tier 2']);

      const renamed = ((await zd.groups.update(tier2.id, { group: { name: 'Second line', default: true } })) as { result: Json }).result;
      expect(renamed).toMatchObject({ id: tier2.id, name: 'Second line', default: true });
      // One default: Billing gave it up.
      expect(((await zd.groups.show(billing.id)) as { result: Json }).result.default).toBe(false);
    });

    it('refuses a duplicate or blank name with Zendesk’s 422 and lets only admins change groups', async () => {
      const dup = await failure(zd.groups.create({ group: { name: 'billing' } }));
      expect(dup.statusCode).toBe(422);
      expect(dup.result).toEqual({ error: 'RecordInvalid', description: 'Record validation errors', details: { name: [{ description: 'Name: billing has already been taken', error: 'InvalidValue' }] } });
      const blank = await failure(zd.groups.create({ group: { name: '  ' } }));
      expect(blank.result.details.name[0].description).toBe('Name: cannot be blank');

      expect((await failure(agentZd.groups.create({ group: { name: 'Agents only' } }))).statusCode).toBe(403);
      expect(((await agentZd.groups.list()) as Json[]).length).toBe(2);
    });

    it('adds agents to groups, lists memberships every way, and refuses end users and duplicates', async () => {
      const groups = (await zd.groups.list()) as Json[];
      const billing = groups.find((g) => g.name === 'Billing')!;
      const second = groups.find((g) => g.name === 'Second line')!;
      const m1 = ((await zd.groupmemberships.create({ group_membership: { user_id: agentId, group_id: billing.id } })) as { result: Json }).result;
      expect(m1).toMatchObject({ user_id: agentId, group_id: billing.id, default: true, url: `http://127.0.0.1:3000/api/v2/group_memberships/${m1.id}.json` });
      const m2 = ((await zd.groupmemberships.createByUser(agentId, { group_membership: { group_id: second.id } })) as { result: Json }).result;
      expect(m2).toMatchObject({ user_id: agentId, group_id: second.id, default: false });

      expect(((await zd.groupmemberships.listByGroup(billing.id)) as Json[]).map((m) => m.user_id)).toEqual([agentId]);
      expect(((await zd.groupmemberships.listByUser(agentId)) as Json[]).map((m) => m.group_id)).toEqual([billing.id, second.id]);
      expect(((await zd.groupmemberships.list()) as Json[]).length).toBe(2);

      const dup = await failure(zd.groupmemberships.create({ group_membership: { user_id: agentId, group_id: billing.id } }));
      expect(dup.statusCode).toBe(422);
      expect(dup.result.details.user_id[0].description).toBe('User: is already a member of this group');

      const endUser = ((await zd.users.create({ user: { name: 'Eve End', email: 'eve@customer.test' } })) as { result: Json }).result;
      const refused = await failure(zd.groupmemberships.create({ group_membership: { user_id: endUser.id, group_id: billing.id } }));
      expect(refused.statusCode).toBe(422);
      expect(refused.result.details).toHaveProperty('user_id');
      const noGroup = await failure(zd.groupmemberships.create({ group_membership: { user_id: agentId, group_id: 999999 } }));
      expect(noGroup.result.details.group_id[0].description).toBe('Group: does not exist');

      await zd.groupmemberships.delete(m2.id);
      expect(((await zd.groupmemberships.listByUser(agentId)) as Json[]).map((m) => m.id)).toEqual([m1.id]);
      expect((await failure(zd.groupmemberships.show(m2.id))).statusCode).toBe(404);
    });

    it('soft-deletes a group: gone from the list, shown as deleted, its memberships ended', async () => {
      const temp = ((await zd.groups.create({ group: { name: 'Temporary' } })) as { result: Json }).result;
      await zd.groupmemberships.create({ group_membership: { user_id: agentId, group_id: temp.id } });
      await zd.groups.delete(temp.id);
      expect(((await zd.groups.list()) as Json[]).map((g) => g.name)).not.toContain('Temporary');
      expect(((await zd.groups.show(temp.id)) as { result: Json }).result).toMatchObject({ id: temp.id, deleted: true });
      expect(((await zd.groupmemberships.listByUser(agentId)) as Json[]).map((m) => m.group_id)).not.toContain(temp.id);
      // The name is free again.
      expect(((await zd.groups.create({ group: { name: 'Temporary' } })) as { result: Json }).result.id).not.toBe(temp.id);
    });

    it('takes an agent who becomes an end user out of their groups', async () => {
      const casey = ((await zd.users.create({ user: { name: 'Casey', email: 'casey@mailroom.test', role: 'agent' } })) as { result: Json }).result;
      const billing = ((await zd.groups.list()) as Json[]).find((g) => g.name === 'Billing')!;
      await zd.groupmemberships.create({ group_membership: { user_id: casey.id, group_id: billing.id } });
      const demoted = ((await zd.users.update(casey.id, { user: { role: 'end-user' } })) as { result: Json }).result;
      expect(demoted.role).toBe('end_user');
      expect((await zd.groupmemberships.listByUser(casey.id)) as Json[]).toEqual([]);
    });
  });

  describe('organizations', () => {
    let acme: Json;

    it('creates an organization with domain names and refuses a domain another one has', async () => {
      acme = ((await zd.organizations.create({ organization: { name: 'Acme Corp', domain_names: ['Acme-Corp.test'], tags: ['vip'], notes: 'Key account' } })) as { result: Json }).result;
      expect(acme).toMatchObject({
        name: 'Acme Corp',
        domain_names: ['acme-corp.test'],
        tags: ['vip'],
        notes: 'Key account',
        details: '',
        shared_tickets: false,
        url: `http://127.0.0.1:3000/api/v2/organizations/${acme.id}.json`,
      });
      const taken = await failure(zd.organizations.create({ organization: { name: 'Copycat', domain_names: ['acme-corp.test'] } }));
      expect(taken.statusCode).toBe(422);
      expect(taken.result).toEqual({
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { domain_names: [{ description: 'Domain names: acme-corp.test already belongs to another organization', error: 'InvalidValue' }] },
      });
      const bad = await failure(zd.organizations.create({ organization: { name: 'Bad', domain_names: ['not a domain'] } }));
      expect(bad.result.details).toHaveProperty('domain_names');
      expect(((await zd.organizations.list()) as Json[]).map((o) => o.name)).toEqual(['Acme Corp']);
    });

    it('maps a customer who first writes in by email to the organization of their domain, and their ticket too', async () => {
      await send({ from: 'Jane Doe <jane@acme-corp.test>', subject: 'Invoice question', text: 'Where is my invoice?' });
      const ticket = await eventually(async () => {
        const r = await sys.api('/tickets.json');
        return r.body.tickets.find((t: Json) => t.subject === 'Invoice question');
      }, 'the ticket from jane');
      expect(ticket.organization_id).toBe(acme.id);
      const jane = ((await zd.users.show(ticket.requester_id)) as { result: Json }).result;
      expect(jane).toMatchObject({ email: 'jane@acme-corp.test', organization_id: acme.id });
      const members = (await sys.api(`/organizations/${acme.id}/users.json`)).body;
      expect(members.users.map((u: Json) => u.email)).toEqual(['jane@acme-corp.test']);

      // A sender from elsewhere belongs to no organization.
      await send({ from: 'Olga <olga@elsewhere.test>', subject: 'Unrelated', text: 'Hello' });
      const other = await eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: Json) => t.subject === 'Unrelated'), 'the other ticket');
      expect(other.organization_id).toBeNull();
    });

    it('updates domains for later users, and moves a user between organizations with PUT /users', async () => {
      const updated = ((await zd.organizations.update(acme.id, { organization: { domain_names: ['acme-corp.test', 'acme.example'] } })) as { result: Json }).result;
      expect(updated.domain_names).toEqual(['acme-corp.test', 'acme.example']);
      const sam = ((await zd.users.create({ user: { name: 'Sam', email: 'sam@acme.example' } })) as { result: Json }).result;
      expect(sam.organization_id).toBe(acme.id);

      const globex = ((await zd.organizations.create({ organization: { name: 'Globex' } })) as { result: Json }).result;
      const moved = ((await zd.users.update(sam.id, { user: { organization_id: globex.id } })) as { result: Json }).result;
      expect(moved.organization_id).toBe(globex.id);
      const nowhere = await failure(zd.users.update(sam.id, { user: { organization_id: 999999 } }));
      expect(nowhere.statusCode).toBe(422);
      expect(nowhere.result.details.organization_id[0].description).toBe('Organization: does not exist');

      // Deleting an organization leaves its users without one.
      await zd.organizations.delete(globex.id);
      expect((await failure(zd.organizations.show(globex.id))).statusCode).toBe(404);
      expect(((await zd.users.show(sam.id)) as { result: Json }).result.organization_id).toBeNull();
    });
  });

  describe('account settings', () => {
    it('shows the default email template in Zendesk’s names', async () => {
      const { result } = (await zd.accountsettings.show()) as { result: Json };
      expect(result.email).toMatchObject({ mail_delimiter: '##- Please type your reply above this line -##', no_mail_delimiter: false, simplified_email_threading: true });
      expect(result.email.html_mail_template).toContain('{{content}}');
      expect(result.tickets).toEqual({
        suppress_placeholders_on_creation: false,
        email_comments_public_by_default: true,
        cc_end_user_email_comments_public: true,
        email_cc_blocklist: '',
      });
    });

    it('refuses a template without {{content}} with a Zendesk 422, and lets only admins change settings', async () => {
      const r = await failure(zd.accountsettings.update({ settings: { email: { text_mail_template: 'Only {{footer}}' } } }));
      expect(r.statusCode).toBe(422);
      expect(r.result).toEqual({
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { 'email.text_mail_template': [{ description: 'text_mail_template must contain {{content}}', error: 'InvalidValue' }] },
      });
      expect((await failure(agentZd.accountsettings.update({ settings: { email: { no_mail_delimiter: true } } }))).statusCode).toBe(403);
      expect(((await zd.accountsettings.show()) as { result: Json }).result.email.text_mail_template).not.toBe('Only {{footer}}');
    });

    it('wraps the next acknowledgement in the new template and delimiter', async () => {
      const { result } = (await zd.accountsettings.update({
        settings: {
          email: {
            text_mail_template: 'ACME TEXT FRAME\n{{delimiter}}\n{{content}}\n-- {{footer}}',
            html_mail_template: '<html><body><h1>ACME HTML FRAME</h1><p>{{delimiter}}</p><div>{{content}}</div><small>{{footer}}</small></body></html>',
            mail_delimiter: '--- Reply above, please ---',
          },
        },
      })) as { result: Json };
      expect(result.email).toMatchObject({ mail_delimiter: '--- Reply above, please ---', text_mail_template: 'ACME TEXT FRAME\n{{delimiter}}\n{{content}}\n-- {{footer}}' });
      // Stored, as every replica reads it.
      expect(((await zd.accountsettings.show()) as { result: Json }).result.email.mail_delimiter).toBe('--- Reply above, please ---');

      await send({ from: 'Pat <pat@framed.test>', subject: 'Framed question', text: 'Is this framed?' });
      const ack = await sys.relay.waitFor((m) => m.envelope.to.includes('pat@framed.test'), 20000);
      expect(ack.text).toMatch(/^ACME TEXT FRAME\n--- Reply above, please ---\n/);
      expect(ack.text).toContain('Is this framed?');
      expect(ack.text).not.toContain('##- Please type your reply above this line -##');
      expect(ack.html).toContain('<h1>ACME HTML FRAME</h1>');
      expect(ack.html).toContain('--- Reply above, please ---');
    });

    it('leaves the customer’s text out of the acknowledgement once placeholder suppression is on', async () => {
      const { result } = (await zd.accountsettings.update({ settings: { tickets: { suppress_placeholders_on_creation: true } } })) as { result: Json };
      expect(result.tickets.suppress_placeholders_on_creation).toBe(true);
      await send({ from: 'Spammer <spam@relay.test>', subject: 'Cheap watches', text: 'Buy cheap watches at spam.example' });
      const ack = await sys.relay.waitFor((m) => m.envelope.to.includes('spam@relay.test'), 20000);
      expect(ack.text).toMatch(/^ACME TEXT FRAME/);
      expect(ack.text).not.toContain('Buy cheap watches');
      expect(ack.html).not.toContain('Buy cheap watches');
    });

    it('makes CCed end users’ and agents’ email comments private when set so, and keeps blocklisted addresses off the CCs', async () => {
      const bad = await failure(zd.accountsettings.update({ settings: { tickets: { email_cc_blocklist: 'fine.test not-an-address', email_comments_public_by_default: 'no' } } }));
      expect(bad.statusCode).toBe(422);
      expect(Object.keys(bad.result.details).sort()).toEqual(['tickets.email_cc_blocklist', 'tickets.email_comments_public_by_default']);

      const { result } = (await zd.accountsettings.update({
        settings: { tickets: { cc_end_user_email_comments_public: false, email_comments_public_by_default: false, email_cc_blocklist: 'noreply.test, Boss@Partner.test' } },
      })) as { result: Json };
      expect(result.tickets).toMatchObject({ cc_end_user_email_comments_public: false, email_comments_public_by_default: false, email_cc_blocklist: 'noreply.test boss@partner.test' });

      // A new ticket by mail: of the three people copied, only the one not on the blocklist becomes a CC.
      await send({ from: 'Dana <dana@visible.test>', cc: ['Carl <carl@visible.test>', 'boss@partner.test', 'robot@noreply.test'], subject: 'Visibility question', text: 'Who sees this?' });
      const ticket = await eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: Json) => t.subject === 'Visibility question'), 'the ticket from dana');
      const carl = await eventually(async () => (await sys.api('/users.json?role=end_user')).body.users.find((u: Json) => u.email === 'carl@visible.test'), 'carl');
      expect(ticket.email_cc_ids).toEqual([carl.id]);
      const carlsCopy = await sys.relay.waitFor((m) => m.envelope.to.includes('carl@visible.test'), 20000);

      const commentsOf = (n: number) =>
        eventually(async () => {
          const list = (await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments;
          return list.length >= n ? list : undefined;
        }, `${n} comments`);
      const reply = (from: string, text: string) => send({ from, subject: `Re: ${carlsCopy.subject}`, text, inReplyTo: carlsCopy.messageId!, references: [carlsCopy.messageId!] });

      // Carl answers support alone: with the setting off, a CC's comment is private.
      await reply('carl@visible.test', 'Carl here, only to support.');
      expect((await commentsOf(2))[1]).toMatchObject({ body: 'Carl here, only to support.', public: false, author_id: carl.id });
      // An agent's reply by email is private too while agent email comments are not public by default.
      await reply('avery@mailroom.test', 'Looking into it.');
      expect((await commentsOf(3))[2]).toMatchObject({ body: 'Looking into it.', public: false, author_id: agentId });

      // Back to Zendesk's defaults: the same replies are public.
      await zd.accountsettings.update({ settings: { tickets: { cc_end_user_email_comments_public: true, email_comments_public_by_default: true, email_cc_blocklist: '' } } });
      await reply('carl@visible.test', 'Carl again.');
      expect((await commentsOf(4))[3]).toMatchObject({ body: 'Carl again.', public: true });
      await reply('avery@mailroom.test', 'Fixed now.');
      expect((await commentsOf(5))[4]).toMatchObject({ body: 'Fixed now.', public: true });
    });
  });
});
