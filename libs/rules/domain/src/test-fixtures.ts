import type { MailOrigin, Via } from '@mailroom/contracts';
import type { Directory, Person, RuleTicket, RuleUpdate, Trigger } from './model';

/** Test data for the rules specs: a small help desk with one customer, her colleague, and agents. */

export const alice: Person = { id: 1, name: 'Alice Customer', email: 'alice@customer.test', role: 'end_user' };
export const carol: Person = { id: 2, name: 'Carol Colleague', email: 'carol@customer.test', role: 'end_user' };
export const dave: Person = { id: 3, name: 'Dave Noaddress', email: null, role: 'end_user' };
export const erin: Person = { id: 4, name: 'Erin Elsewhere', email: 'erin@customer.test', role: 'end_user' };
/** Groups: 5 = Support (Smith, Jones, and Quiet who has no address), 6 = Sales (Ada). */
export const SUPPORT_GROUP = 5;
export const SALES_GROUP = 6;
export const agent: Person = { id: 10, name: 'Agent Smith', email: 'smith@support.test', role: 'agent', groupIds: [SUPPORT_GROUP] };
export const otherAgent: Person = { id: 11, name: 'Agent Jones', email: 'jones@support.test', role: 'agent', groupIds: [SUPPORT_GROUP] };
export const admin: Person = { id: 12, name: 'Ada Admin', email: 'ada@support.test', role: 'admin', groupIds: [SALES_GROUP] };

export const everyone = [alice, carol, dave, erin, agent, otherAgent, admin];

export const directoryOf = (people: Person[] = everyone): Directory => ({
  person: (id) => people.find((p) => p.id === id),
  agents: () => people.filter((p) => p.role !== 'end_user'),
  groupMembers: (groupId) =>
    groupId === SUPPORT_GROUP || groupId === SALES_GROUP
      ? people.filter((p) => p.role !== 'end_user' && (p.groupIds ?? []).includes(groupId))
      : undefined,
});

export const SUPPORT = 'help@support.test';

export const ticketOf = (overrides: Partial<RuleTicket> = {}): RuleTicket => ({
  id: 42,
  status: 'open',
  priority: null,
  type: null,
  groupId: null,
  assigneeId: null,
  requesterId: alice.id,
  organizationId: null,
  tags: [],
  ccIds: [],
  recipient: SUPPORT,
  subject: 'The printer is on fire',
  hasPublicComments: true,
  ...overrides,
});

export const viaOf = (channel: Via['channel']): Via => ({ channel, source: { from: {}, to: {}, rel: null } });

export const mailOf = (recipients: string[]): MailOrigin => ({
  mailId: 'mail-1',
  messageId: '<m1@customer.test>',
  recipients: recipients.map((r) => r.toLowerCase()),
  supportAddress: SUPPORT,
});

/** A customer's mail that creates a ticket, with Carol on CC. */
export const emailCreate = (overrides: Partial<RuleUpdate> = {}): RuleUpdate => ({
  updateId: 'update-create',
  isCreate: true,
  actor: { userId: alice.id, role: 'end_user' },
  via: viaOf('email'),
  comment: { authorId: alice.id, public: true, body: 'Help!' },
  mail: mailOf([SUPPORT, carol.email!]),
  before: null,
  after: ticketOf({ status: 'new', ccIds: [carol.id] }),
  ...overrides,
});

/** An update to an existing ticket; `after` defaults to `before`. */
export const change = (overrides: Partial<RuleUpdate> & { before?: RuleTicket }): RuleUpdate => {
  const before = overrides.before ?? ticketOf();
  return {
    updateId: 'update-change',
    isCreate: false,
    actor: { userId: agent.id, role: 'agent' },
    via: viaOf('web'),
    comment: null,
    mail: null,
    before,
    after: overrides.after ?? before,
    ...overrides,
  };
};

let nextId = 0;
export const triggerOf = (overrides: Partial<Trigger> & Pick<Trigger, 'conditions' | 'actions'>): Trigger => {
  nextId += 1;
  return { id: `t-${nextId}`, title: `Trigger ${nextId}`, active: true, position: nextId, category_id: null, ...overrides };
};
