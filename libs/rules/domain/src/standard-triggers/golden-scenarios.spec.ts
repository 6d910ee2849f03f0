import { evaluateTriggers, type TriggerEvaluation } from '../evaluate-triggers/evaluate-triggers';
import type { RuleUpdate, Trigger } from '../model';
import {
  SALES_GROUP,
  SUPPORT,
  SUPPORT_GROUP,
  admin,
  agent,
  alice,
  carol,
  change,
  directoryOf,
  emailCreate,
  erin,
  mailOf,
  otherAgent,
  ticketOf,
  triggerOf,
  viaOf,
} from '../test-fixtures';
import { standardTriggers } from './standard-triggers';

/**
 * The email channel's default notifications (the seed's list: new request, group assigned, agent
 * assigned, customer comment, reopened, acknowledgement, agent reply, solved) with the standard
 * triggers exactly as seeded. Each scenario states every email that goes out, trigger by trigger,
 * and to whom: a notification too many or too few fails it.
 */

const directory = directoryOf();
const all = [agent.id, otherAgent.id, admin.id];

/** Who is emailed, by trigger title; triggers whose every recipient was suppressed are listed with []. */
const emails = (result: TriggerEvaluation): Record<string, number[]> =>
  Object.fromEntries(result.fired.flatMap((f) => f.notifications.map((n) => [f.title, n.recipientIds] as const)));
const run = (update: RuleUpdate, extra: Trigger[] = []) => evaluateTriggers(update, [...standardTriggers(), ...extra], directory);

describe('golden scenarios with the standard triggers', () => {
  it('a new request by email: the requester and her CC get the acknowledgement, every agent hears of it', () => {
    const result = run(emailCreate());
    expect(emails(result)).toEqual({
      'Notify requester and CCs of received request': [alice.id, carol.id],
      'Notify all agents of received request': all,
    });
    expect(result.changes).toEqual({ priority: 'normal' });
  });

  it('a new request routed to a group by its support address: the group is told as well', () => {
    const toSales = triggerOf({
      title: 'Route sales@ to Sales',
      position: 11,
      conditions: {
        all: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'recipient', operator: 'is', value: 'sales@support.test' },
        ],
        any: [],
      },
      actions: [{ field: 'group_id', value: String(SALES_GROUP) }],
    });
    const result = run(emailCreate({ after: ticketOf({ status: 'new', ccIds: [carol.id], recipient: 'sales@support.test' }) }), [toSales]);
    expect(emails(result)).toEqual({
      'Notify requester and CCs of received request': [alice.id, carol.id],
      'Notify group of assignment': [admin.id],
      'Notify all agents of received request': all,
    });
    expect(result.changes).toEqual({ priority: 'normal', groupId: SALES_GROUP });
  });

  it('a group assigned by an agent: only the group\'s agents are told', () => {
    const before = ticketOf();
    const result = run(change({ before, after: { ...before, groupId: SUPPORT_GROUP } }));
    expect(emails(result)).toEqual({ 'Notify group of assignment': [agent.id, otherAgent.id] });
  });

  it('an agent assigned by someone else: only the new assignee is told', () => {
    const before = ticketOf({ groupId: SUPPORT_GROUP });
    const result = run(change({ before, after: { ...before, assigneeId: otherAgent.id }, actor: { userId: admin.id, role: 'admin' } }));
    expect(emails(result)).toEqual({ 'Notify assignee of assignment': [otherAgent.id] });
  });

  it('an agent taking a ticket themselves: nobody is told', () => {
    const before = ticketOf({ groupId: SUPPORT_GROUP });
    expect(emails(run(change({ before, after: { ...before, assigneeId: agent.id } })))).toEqual({});
  });

  it('a customer\'s emailed comment: the assignee is told, and only the CC who was not on the mail gets a copy', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id, erin.id] });
    const result = run(
      change({
        before,
        actor: { userId: alice.id, role: 'end_user' },
        via: viaOf('email'),
        comment: { authorId: alice.id, public: true, body: 'Still broken.' },
        mail: mailOf([SUPPORT, carol.email!]),
      }),
    );
    expect(emails(result)).toEqual({
      'Notify requester and CCs of comment update': [erin.id],
      'Notify assignee of comment update': [agent.id],
    });
  });

  it('a customer reopening a solved ticket by email: the assignee gets the reopen notice, not a comment notice', () => {
    const before = ticketOf({ status: 'solved', assigneeId: agent.id });
    const result = run(
      change({
        before,
        after: before, // the reply alone; the system rule reopens it
        actor: { userId: alice.id, role: 'end_user' },
        via: viaOf('email'),
        comment: { authorId: alice.id, public: true, body: 'It is back.' },
        mail: mailOf([SUPPORT]),
      }),
    );
    expect(emails(result)).toEqual({
      'Notify requester and CCs of comment update': [],
      'Notify assignee of reopened ticket': [agent.id],
    });
    expect(result.changes).toEqual({ status: 'open' });
    expect(result.fired.find((f) => f.title === 'Notify requester and CCs of comment update')?.notifications[0].suppressed).toEqual([
      { userId: alice.id, reason: 'wrote this comment' },
    ]);
  });

  it('an agent\'s public reply: the requester and CCs get it, the agent does not', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id] });
    const result = run(change({ before, after: { ...before, status: 'pending' }, comment: { authorId: agent.id, public: true, body: 'Try this.' } }));
    expect(emails(result)).toEqual({ 'Notify requester and CCs of comment update': [alice.id, carol.id] });
  });

  it('a private note by another agent: only the assignee is told', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id] });
    const result = run(
      change({ before, actor: { userId: otherAgent.id, role: 'agent' }, comment: { authorId: otherAgent.id, public: false, body: 'Known bug.' } }),
    );
    expect(emails(result)).toEqual({ 'Notify assignee of comment update': [agent.id] });
  });

  it('a ticket solved with a public reply: the requester and CCs get the answer, nobody else', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id] });
    const result = run(change({ before, after: { ...before, status: 'solved' }, comment: { authorId: agent.id, public: true, body: 'Fixed.' } }));
    expect(emails(result)).toEqual({ 'Notify requester and CCs of comment update': [alice.id, carol.id] });
    expect(result.changes).toEqual({});
  });

  it('a ticket solved without a comment: no email at all (no standard trigger announces a bare solve)', () => {
    const before = ticketOf({ assigneeId: agent.id });
    expect(emails(run(change({ before, after: { ...before, status: 'solved' } })))).toEqual({});
  });

  it('an agent creating a ticket for a customer: the proactive notice to requester and CCs, and the all-agents notice', () => {
    const result = run(
      emailCreate({
        actor: { userId: agent.id, role: 'agent' },
        via: viaOf('web'),
        comment: { authorId: agent.id, public: true, body: 'We noticed your order is late.' },
        mail: null,
        after: ticketOf({ status: 'open', assigneeId: agent.id, ccIds: [carol.id] }),
      }),
    );
    expect(emails(result)).toEqual({
      'Notify requester of new proactive ticket': [alice.id, carol.id],
      'Notify all agents of received request': all,
    });
  });
});
