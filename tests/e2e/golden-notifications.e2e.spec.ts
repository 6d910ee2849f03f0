import { createTransport } from 'nodemailer';
import type { CaughtMail } from '@mailroom/mail-catcher';
import { eventually } from '@mailroom/testing';
import { waitUntilAtRest } from '../support/at-rest';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

/**
 * The seed's scenarios end to end, with the standard triggers as a new account has them: customers
 * write in over SMTP, agents work through the API (email/token auth with the account's token),
 * and the relay receives the notifications. Each scenario states every email that goes out and to
 * whom — the same outcome as the domain's golden scenarios (libs/rules/domain/src/standard-triggers/
 * golden-scenarios.spec.ts) — and, once the whole system is at rest, that nothing else was sent.
 */
type Json = Record<string, any>;

const ALICE = 'alice@customer.test'; // the requester
const CAROL = 'carol@customer.test'; // copied on the first mail, and on Alice's first reply
const ERIN = 'erin@customer.test'; // copied on the first mail only
const DANA = 'dana@customer.test'; // the customer an agent writes to first
const AVERY = 'avery@mailroom.test'; // agent in Support, the assignee
const BLAKE = 'blake@mailroom.test'; // agent in Support
const ALL_AGENTS = [ADMIN_EMAIL, AVERY, BLAKE];

/** Which standard trigger a mail came from, told by the trigger's own subject and body wording. */
const kindOf = (m: CaughtMail): string => {
  if (m.subject.startsWith('We have your request:')) return 'received';
  if (m.text.includes('We opened this ticket for you.')) return 'proactive';
  if (m.text.includes('There is news on your request')) return 'comment-update';
  if (m.text.includes('has a new comment.')) return 'assignee-comment';
  if (m.subject.includes('Assigned to you:')) return 'assignment';
  if (m.text.includes('was solved and is open again')) return 'reopened';
  if (m.subject.includes('New for ')) return 'group';
  if (m.text.includes('Nobody is assigned to it yet.')) return 'all-agents';
  return `unknown: ${m.subject}`;
};

describe('golden notifications: the seed scenarios over SMTP with the standard triggers', () => {
  let sys: System;
  let supportGroup: Json;
  let avery: Json;
  let ticketId: number;
  const TITLE = 'Golden: the printer prints blank pages';

  const auth = (email: string) => `Basic ${Buffer.from(`${email}/token:${ADMIN_TOKEN}`).toString('base64')}`;
  const as = async (email: string, method: string, path: string, body?: unknown) => {
    const r = await sys.api(path, { method, body, auth: auth(email) });
    if (r.status >= 300) throw new Error(`${method} ${path} as ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ to: 'support@mailroom.test', ...mail });

  /** Runs one scenario and answers every mail it caused, as "address kind" lines, sorted. */
  const scenario = async (expectedCount: number, act: () => Promise<unknown>): Promise<{ lines: string[]; mails: CaughtMail[] }> => {
    await waitUntilAtRest(sys);
    const from = sys.relay.messages.length;
    await act();
    await eventually(() => sys.relay.messages.length >= from + expectedCount, `${expectedCount} notifications`, 30000);
    await waitUntilAtRest(sys);
    const mails = sys.relay.messages.slice(from);
    return { mails, lines: mails.flatMap((m) => m.envelope.to.map((to) => `${to} ${kindOf(m)}`)).sort() };
  };
  const lines = (entries: [string[], string][]) => entries.flatMap(([to, kind]) => to.map((a) => `${a} ${kind}`)).sort();
  const lastMailTo = (address: string) => [...sys.relay.messages].reverse().find((m) => m.envelope.to.includes(address))!;
  /** Alice answers the latest notification she received, as a mail client does. */
  const aliceReplies = (text: string, cc: string[] = []) => {
    const last = lastMailTo(ALICE);
    return send({ from: `Alice Archer <${ALICE}>`, cc, subject: `Re: ${last.subject}`, text, inReplyTo: last.messageId!, references: [...last.references, last.messageId!] });
  };

  beforeAll(async () => {
    sys = await startSystem();
    avery = (await as(ADMIN_EMAIL, 'POST', '/users.json', { user: { name: 'Avery Agent', email: AVERY, role: 'agent' } })).user;
    const blake = (await as(ADMIN_EMAIL, 'POST', '/users.json', { user: { name: 'Blake Agent', email: BLAKE, role: 'agent' } })).user;
    supportGroup = (await as(ADMIN_EMAIL, 'POST', '/groups.json', { group: { name: 'Support' } })).group;
    for (const u of [avery, blake]) await as(ADMIN_EMAIL, 'POST', '/group_memberships.json', { group_membership: { user_id: u.id, group_id: supportGroup.id } });
  });
  afterAll(async () => sys?.close());

  it('1. a new request by email: the requester and both CCs are acknowledged, every agent hears of it', async () => {
    const { lines: got, mails } = await scenario(6, () =>
      send({ from: `Alice Archer <${ALICE}>`, cc: [CAROL, ERIN], subject: TITLE, text: 'Hello,\nevery page comes out blank.\nAlice', messageId: '<golden-1@customer.test>' }),
    );
    expect(got).toEqual(lines([[[ALICE, CAROL, ERIN], 'received'], [ALL_AGENTS, 'all-agents']]));
    for (const m of mails) expect(m.subject).toContain(TITLE);
    ticketId = (await as(AVERY, 'GET', '/tickets.json')).tickets.find((t: Json) => t.subject === TITLE).id;
    const ack = mails.find((m) => m.envelope.to.includes(ALICE))!;
    expect(ack.text).toContain(`ticket ${ticketId}`);
    expect(ack.text).toContain('every page comes out blank');
  });

  it('2. a group assigned by the admin: only the group’s agents are told, with the group’s name', async () => {
    const { lines: got, mails } = await scenario(2, () => as(ADMIN_EMAIL, 'PUT', `/tickets/${ticketId}.json`, { ticket: { group_id: supportGroup.id } }));
    expect(got).toEqual(lines([[[AVERY, BLAKE], 'group']]));
    for (const m of mails) {
      expect(m.subject).toBe(`[Acme] New for Support: ${TITLE}`);
      expect(m.text).toContain('placed in the Support group');
    }
  });

  it('3. an agent assigned by the admin: only the new assignee is told', async () => {
    const { lines: got } = await scenario(1, () => as(ADMIN_EMAIL, 'PUT', `/tickets/${ticketId}.json`, { ticket: { assignee_id: avery.id } }));
    expect(got).toEqual(lines([[[AVERY], 'assignment']]));
  });

  it('4. a customer comment by email: the assignee is told, and only the CC who was not on the mail gets a copy', async () => {
    const { lines: got, mails } = await scenario(2, () => aliceReplies('Still blank, even after a restart.', [CAROL]));
    expect(got).toEqual(lines([[[ERIN], 'comment-update'], [[AVERY], 'assignee-comment']]));
    for (const m of mails) expect(m.text).toContain('Still blank, even after a restart.');
    const comments = (await as(AVERY, 'GET', `/tickets/${ticketId}/comments.json`)).comments;
    expect(comments).toHaveLength(2);
  });

  it('5. an agent’s public reply: the requester and CCs get it, the agent does not', async () => {
    const { lines: got, mails } = await scenario(3, () =>
      as(AVERY, 'PUT', `/tickets/${ticketId}.json`, { ticket: { status: 'pending', comment: { body: 'Please try the new driver.', public: true } } }),
    );
    expect(got).toEqual(lines([[[ALICE, CAROL, ERIN], 'comment-update']]));
    for (const m of mails) expect(m.text).toContain('Please try the new driver.');
  });

  it('6. a private note by another agent: only the assignee is told, no customer sees it', async () => {
    const { lines: got, mails } = await scenario(1, () =>
      as(BLAKE, 'PUT', `/tickets/${ticketId}.json`, { ticket: { comment: { body: 'Known firmware bug, see the tracker.', public: false } } }),
    );
    expect(got).toEqual(lines([[[AVERY], 'assignee-comment']]));
    expect(mails[0].text).toContain('Known firmware bug');
  });

  it('7. the ticket solved with a public reply: the requester and CCs get the answer, nobody else', async () => {
    const { lines: got, mails } = await scenario(3, () =>
      as(AVERY, 'PUT', `/tickets/${ticketId}.json`, { ticket: { status: 'solved', comment: { body: 'Fixed by the firmware update.', public: true } } }),
    );
    expect(got).toEqual(lines([[[ALICE, CAROL, ERIN], 'comment-update']]));
    for (const m of mails) {
      expect(m.text).toContain('Fixed by the firmware update.');
      expect(m.text).not.toContain('Known firmware bug');
    }
    expect((await as(AVERY, 'GET', `/tickets/${ticketId}.json`)).ticket.status).toBe('solved');
  });

  it('8. the customer reopens the solved ticket by email: the assignee gets the reopen notice, the CCs the comment', async () => {
    const { lines: got } = await scenario(3, () => aliceReplies('It is blank again this morning.'));
    expect(got).toEqual(lines([[[CAROL, ERIN], 'comment-update'], [[AVERY], 'reopened']]));
    expect((await as(AVERY, 'GET', `/tickets/${ticketId}.json`)).ticket.status).toBe('open');
  });

  it('9. an agent creates a ticket for a customer: the proactive notice to the customer, the all-agents notice', async () => {
    const subject = 'Golden: your replacement toner is on its way';
    const { lines: got, mails } = await scenario(4, () =>
      as(AVERY, 'POST', '/tickets.json', { ticket: { subject, requester: { email: DANA, name: 'Dana Doe' }, comment: { body: 'We are sending you a new toner.', public: true } } }),
    );
    expect(got).toEqual(lines([[[DANA], 'proactive'], [ALL_AGENTS, 'all-agents']]));
    const notice = mails.find((m) => m.envelope.to.includes(DANA))!;
    expect(notice.subject).toBe(subject);
    expect(notice.text).toContain('We are sending you a new toner.');
    expect(notice.from).toBe('support@mailroom.test');
  });

  it('explains every mail on the audit trail: the trigger that sent it and to whom', async () => {
    const audits = (await as(AVERY, 'GET', `/tickets/${ticketId}/audits.json`)).audits as Json[];
    const notifications = audits.flatMap((a) => a.events.filter((e: Json) => e.type === 'Notification'));
    const titles = notifications.map((n) => n.via.source.from.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Notify requester and CCs of received request',
        'Notify all agents of received request',
        'Notify group of assignment',
        'Notify assignee of assignment',
        'Notify assignee of comment update',
        'Notify requester and CCs of comment update',
        'Notify assignee of reopened ticket',
      ]),
    );
    expect(titles).not.toContain('Notify requester of new proactive ticket');
  });
});
