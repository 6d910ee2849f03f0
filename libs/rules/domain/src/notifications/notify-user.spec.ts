import { evaluateTriggers } from '../evaluate-triggers/evaluate-triggers';
import type { RuleUpdate } from '../model';
import {
  SUPPORT,
  admin,
  agent,
  alice,
  carol,
  change,
  dave,
  directoryOf,
  emailCreate,
  mailOf,
  otherAgent,
  ticketOf,
  triggerOf,
  viaOf,
} from '../test-fixtures';

const directory = directoryOf();
const notificationFor = (update: RuleUpdate, recipient: unknown) => {
  const trigger = triggerOf({
    conditions: { all: [], any: [] },
    actions: [{ field: 'notification_user', value: [recipient, 'Subject {{ticket.id}}', 'Body {{ticket.title}}'] }],
  });
  const result = evaluateTriggers(update, [trigger], directory);
  return { notification: result.fired[0].notifications[0], outcome: result.explanation[0].actions[0] };
};

describe('emailing users from a trigger', () => {
  it('copies subject and body templates verbatim, leaving rendering to the notifier', () => {
    const { notification } = notificationFor(change({}), 'requester_id');
    expect(notification).toMatchObject({ subject: 'Subject {{ticket.id}}', body: 'Body {{ticket.title}}', recipientIds: [alice.id] });
  });

  it('suppresses recipients without an email address', () => {
    const before = ticketOf({ ccIds: [dave.id, carol.id] });
    const { notification } = notificationFor(change({ before }), 'requester_and_ccs');
    expect(notification.recipientIds).toEqual([alice.id, carol.id]);
    expect(notification.suppressed).toEqual([{ userId: dave.id, reason: 'no email address' }]);
  });

  it('suppresses requester and CCs entirely for a private comment, but still records the notification', () => {
    const before = ticketOf({ ccIds: [carol.id] });
    const { notification, outcome } = notificationFor(
      change({ before, comment: { authorId: agent.id, public: false, body: 'internal' } }),
      'requester_and_ccs',
    );
    expect(notification.recipientIds).toEqual([]);
    expect(notification.suppressed).toEqual([
      { userId: alice.id, reason: 'the comment is private' },
      { userId: carol.id, reason: 'the comment is private' },
    ]);
    expect(outcome).toMatchObject({ outcome: 'notification', note: 'every recipient was suppressed' });
  });

  it('sends the acknowledgement of a new request to the requester who wrote it and to CCs on the mail', () => {
    const { notification } = notificationFor(emailCreate(), 'requester_and_ccs');
    expect(notification.recipientIds).toEqual([alice.id, carol.id]);
  });

  it("sends nothing automatic back to a machine whose mail an agent recovered, while the mail's CCs still hear", () => {
    const recovered = emailCreate({ mail: { ...mailOf([SUPPORT, carol.email!]), automated: 'auto_vacation' } });
    const { notification } = notificationFor(recovered, 'requester_and_ccs');
    expect(notification.recipientIds).toEqual([carol.id]);
    expect(notification.suppressed).toEqual([{ userId: alice.id, reason: 'sent the update from an automated sender (auto_vacation)' }]);
    expect(notificationFor(recovered, 'current_user').notification.recipientIds).toEqual([]);
    expect(notificationFor(recovered, 'all_agents').notification.recipientIds.length).toBeGreaterThan(0);
  });

  it('does not email a CC the reply an agent sent to them directly', () => {
    const before = ticketOf({ ccIds: [carol.id] });
    const { notification } = notificationFor(
      change({
        before,
        via: viaOf('email'),
        comment: { authorId: agent.id, public: true, body: 'Answer' },
        mail: mailOf([SUPPORT, 'CAROL@customer.test']),
      }),
      'requester_and_ccs',
    );
    expect(notification.recipientIds).toEqual([alice.id]);
    expect(notification.suppressed).toEqual([{ userId: carol.id, reason: 'already received the email that updated the ticket' }]);
  });

  it('collapses duplicated recipients', () => {
    const before = ticketOf({ ccIds: [carol.id, alice.id, carol.id] });
    expect(notificationFor(change({ before }), 'requester_and_ccs').notification.recipientIds).toEqual([alice.id, carol.id]);
  });

  it('resolves assignee, current user, all agents and a user id', () => {
    const before = ticketOf({ assigneeId: otherAgent.id });
    expect(notificationFor(change({ before }), 'assignee_id').notification.recipientIds).toEqual([otherAgent.id]);
    expect(notificationFor(change({}), 'current_user').notification.recipientIds).toEqual([agent.id]);
    expect(notificationFor(change({}), 'all_agents').notification.recipientIds).toEqual([agent.id, otherAgent.id, admin.id]);
    expect(notificationFor(change({}), String(carol.id)).notification.recipientIds).toEqual([carol.id]);
  });

  it('asks for no email when there is nobody to send it to, and says why', () => {
    const { notification, outcome } = notificationFor(change({}), 'assignee_id');
    expect(notification).toBeUndefined();
    expect(outcome).toMatchObject({ outcome: 'skipped', note: 'nobody to notify: the ticket has no assignee' });
    expect(notificationFor(change({}), 'the boss').outcome.note).toMatch(/"the boss" is not a recipient/);
  });

  it('suppresses an unknown user id', () => {
    expect(notificationFor(change({}), 999).notification.suppressed).toEqual([{ userId: 999, reason: 'unknown user' }]);
  });
});
