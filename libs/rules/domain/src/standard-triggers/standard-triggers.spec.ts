import { evaluateTriggers } from '../evaluate-triggers/evaluate-triggers';
import type { Trigger } from '../model';
import {
  SUPPORT,
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
  viaOf,
} from '../test-fixtures';
import { STANDARD_TRIGGERS, STANDARD_TRIGGER_IDS as ids, standardTriggers } from './standard-triggers';

const directory = directoryOf();
const run = (update: Parameters<typeof evaluateTriggers>[0], triggers: Trigger[] = standardTriggers()) =>
  evaluateTriggers(update, triggers, directory);
const firedTitles = (result: ReturnType<typeof run>) => result.fired.map((f) => f.title);
const firedById = (result: ReturnType<typeof run>, id: string) => result.fired.find((f) => f.id === id);

describe('the standard triggers', () => {
  it('are Zendesk\'s ten, in Zendesk\'s order, with only auto-assign inactive', () => {
    const triggers = standardTriggers();
    expect(triggers.map((t) => [t.title, t.active])).toEqual([
      ['Notify requester and CCs of received request', true],
      ['Notify requester of new proactive ticket', true],
      ['Notify requester and CCs of comment update', true],
      ['Notify assignee of comment update', true],
      ['Notify assignee of assignment', true],
      ['Notify assignee of reopened ticket', true],
      ['Notify group of assignment', true],
      ['Notify all agents of received request', true],
      ['Auto-assign to first email responding agent', false],
      ['Set tickets with no priority to normal', true],
    ]);
    expect(new Set(triggers.map((t) => t.id)).size).toBe(10);
    expect(triggers.map((t) => t.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('are read-only data, handed out as fresh copies with ids and positions', () => {
    expect(Object.isFrozen(STANDARD_TRIGGERS[0].conditions.all[0])).toBe(true);
    const copies = standardTriggers({ idPrefix: 'acme-', firstPosition: 101 });
    expect(copies[0]).toMatchObject({ id: 'acme-std-notify-requester-received', position: 101 });
    expect(copies[9].position).toBe(110);
    copies[0].conditions.all.pop();
    expect(standardTriggers()[0].conditions.all).toHaveLength(5);
    expect(STANDARD_TRIGGERS[0].conditions.all).toHaveLength(5);
  });

  it('carry Zendesk\'s conditions in the API form', () => {
    const byId = Object.fromEntries(standardTriggers().map((t) => [t.id, t]));
    expect(byId[ids.notifyAssigneeCommentUpdate].conditions.all.map((c) => [c.field, c.operator, c.value])).toEqual([
      ['comment_is_public', 'is', 'not_relevant'],
      ['assignee_id', 'is_not', 'current_user'],
      ['assignee_id', 'is_not', 'requester_id'],
      ['assignee_id', 'not_changed', undefined],
      ['status', 'not_value_previous', 'solved'],
    ]);
    expect(byId[ids.notifyGroupAssignment].conditions.any.map((c) => c.field)).toEqual(['group_id', 'assignee_id']);
    expect(byId[ids.autoAssignFirstEmailAgent].actions).toEqual([{ field: 'assignee_id', value: 'current_user' }]);
  });

  it('use simplified-threading placeholders: latest public comment for end users, latest comment for agents', () => {
    const bodies = Object.fromEntries(
      standardTriggers().flatMap((t) =>
        t.actions.filter((a) => a.field.startsWith('notification_')).map((a) => [t.id, (a.value as string[])[2]]),
      ),
    );
    expect(bodies[ids.notifyRequesterReceived]).toContain('{{ticket.latest_public_comment_html}}');
    expect(bodies[ids.notifyRequesterReceived]).toContain('{{ticket.id}}');
    expect(bodies[ids.notifyRequesterCommentUpdate]).toContain('{{ticket.latest_public_comment_html}}');
    expect(bodies[ids.notifyAssigneeCommentUpdate]).toContain('{{ticket.latest_comment_html}}');
    expect(bodies[ids.notifyAllAgentsReceived]).toContain('{{ticket.requester.name}}');
  });

  describe('on a customer\'s email that creates a ticket', () => {
    const result = run(emailCreate());

    it('acknowledge it to the requester and the CCs', () => {
      const fired = firedById(result, ids.notifyRequesterReceived);
      expect(fired?.title).toBe('Notify requester and CCs of received request');
      expect(fired?.notifications).toHaveLength(1);
      expect(fired?.notifications[0].recipientIds).toEqual([alice.id, carol.id]);
      expect(fired?.notifications[0].suppressed).toEqual([]);
      expect(fired?.notifications[0].subject).toBe('We have your request: {{ticket.title}}');
    });

    it('do not treat it as a proactive ticket or a comment update', () => {
      expect(firedTitles(result)).not.toContain('Notify requester of new proactive ticket');
      expect(firedTitles(result)).not.toContain('Notify requester and CCs of comment update');
    });

    it('tell every agent and give the ticket a normal priority', () => {
      expect(firedById(result, ids.notifyAllAgentsReceived)?.notifications[0].recipientIds).toEqual([10, 11, 12]);
      expect(result.changes).toEqual({ priority: 'normal' });
      expect(result.ticket.priority).toBe('normal');
    });
  });

  describe('on a ticket an agent opens for a customer', () => {
    const result = run(
      emailCreate({
        actor: { userId: agent.id, role: 'agent' },
        via: viaOf('web'),
        comment: { authorId: agent.id, public: true, body: 'We noticed your order is late.' },
        mail: null,
        after: ticketOf({ status: 'open', assigneeId: agent.id, priority: 'high' }),
      }),
    );

    it('send the proactive notice instead of the received-request one', () => {
      expect(firedTitles(result)).not.toContain('Notify requester and CCs of received request');
      const proactive = firedById(result, ids.notifyRequesterProactive);
      expect(proactive?.notifications[0].recipientIds).toEqual([alice.id]);
      expect(proactive?.notifications[0].subject).toBe('{{ticket.title}}');
    });

    it('do not tell the agent about the assignment they made themselves', () => {
      expect(firedTitles(result)).not.toContain('Notify assignee of assignment');
      expect(result.changes).toEqual({});
    });
  });

  it('send an agent\'s public reply to the requester and CCs, not back to the agent', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id] });
    const result = run(
      change({
        before,
        after: { ...before, status: 'pending' },
        comment: { authorId: agent.id, public: true, body: 'Have you tried turning it off?' },
      }),
    );
    const update = firedById(result, ids.notifyRequesterCommentUpdate);
    expect(update?.notifications[0].recipientIds).toEqual([alice.id, carol.id]);
    expect(firedTitles(result)).not.toContain('Notify assignee of comment update');
  });

  describe('on a customer\'s emailed reply', () => {
    const before = ticketOf({ assigneeId: agent.id, ccIds: [carol.id, erin.id] });
    const result = run(
      change({
        before,
        after: before,
        actor: { userId: alice.id, role: 'end_user' },
        via: viaOf('email'),
        comment: { authorId: alice.id, public: true, body: 'Still broken.' },
        mail: mailOf([SUPPORT, 'Carol@Customer.test']),
      }),
    );

    it('do not send the customer a copy of her own mail, nor CCs who already got it', () => {
      const n = firedById(result, ids.notifyRequesterCommentUpdate)?.notifications[0];
      expect(n?.recipientIds).toEqual([erin.id]);
      expect(n?.suppressed).toEqual([
        { userId: alice.id, reason: 'wrote this comment' },
        { userId: carol.id, reason: 'already received the email that updated the ticket' },
      ]);
    });

    it('notify the assignee of the new comment', () => {
      const n = firedById(result, ids.notifyAssigneeCommentUpdate)?.notifications[0];
      expect(n?.recipientIds).toEqual([agent.id]);
      expect(n?.body).toContain('{{ticket.latest_comment_html}}');
    });
  });

  it('keep a private note from the requester but tell the assignee', () => {
    const before = ticketOf({ assigneeId: otherAgent.id, ccIds: [carol.id] });
    const result = run(
      change({ before, after: before, comment: { authorId: agent.id, public: false, body: 'Customer is grumpy.' } }),
    );
    expect(firedTitles(result)).not.toContain('Notify requester and CCs of comment update');
    expect(result.fired.flatMap((f) => f.notifications.flatMap((n) => n.recipientIds))).toEqual([otherAgent.id]);
  });

  it('tell the assignee when the customer reopens a solved ticket, instead of a plain comment notice', () => {
    const before = ticketOf({ status: 'solved', assigneeId: agent.id });
    const result = run(
      change({
        before,
        after: { ...before, status: 'open' },
        actor: { userId: alice.id, role: 'end_user' },
        via: viaOf('email'),
        comment: { authorId: alice.id, public: true, body: 'It is back.' },
        mail: mailOf([SUPPORT]),
      }),
    );
    expect(firedById(result, ids.notifyAssigneeReopened)?.notifications[0].recipientIds).toEqual([agent.id]);
    expect(firedTitles(result)).not.toContain('Notify assignee of comment update');
  });

  it('tell an agent when someone else assigns them a ticket', () => {
    const before = ticketOf();
    const result = run(change({ before, after: { ...before, assigneeId: otherAgent.id } }));
    expect(firedById(result, ids.notifyAssigneeAssignment)?.notifications[0].recipientIds).toEqual([otherAgent.id]);
  });

  it('send a new assignee the assignment notice only, not also a comment notice, when the handover has a note', () => {
    const before = ticketOf({ assigneeId: agent.id });
    const result = run(
      change({
        before,
        after: { ...before, assigneeId: otherAgent.id },
        comment: { authorId: agent.id, public: false, body: 'Over to you.' },
      }),
    );
    expect(firedTitles(result)).toContain('Notify assignee of assignment');
    expect(firedTitles(result)).not.toContain('Notify assignee of comment update');
  });

  it('email the group\'s agents when a ticket lands in a group without assignee', () => {
    const before = ticketOf();
    const result = run(change({ before, after: { ...before, groupId: 5 } }));
    const entry = result.explanation.find((e) => e.triggerId === ids.notifyGroupAssignment);
    expect(entry?.fired).toBe(true);
    expect(firedById(result, ids.notifyGroupAssignment)?.notifications[0].recipientIds).toEqual([agent.id, otherAgent.id]);
  });

  it('once activated, assign an unassigned ticket to the agent who answers by email, without notifying them', () => {
    const triggers = standardTriggers().map((t) => (t.id === ids.autoAssignFirstEmailAgent ? { ...t, active: true } : t));
    const before = ticketOf();
    const result = run(
      change({
        before,
        after: before,
        via: viaOf('email'),
        comment: { authorId: agent.id, public: true, body: 'On it.' },
        mail: mailOf([SUPPORT, alice.email!]),
      }),
      triggers,
    );
    expect(result.changes).toEqual({ assigneeId: agent.id });
    expect(firedTitles(result)).toContain('Auto-assign to first email responding agent');
    expect(firedTitles(result)).not.toContain('Notify assignee of assignment');
    // The customer was addressed by the agent's own mail, so she is not sent a copy.
    expect(firedById(result, ids.notifyRequesterCommentUpdate)?.notifications[0].suppressed).toEqual([
      { userId: alice.id, reason: 'already received the email that updated the ticket' },
    ]);
  });
});
