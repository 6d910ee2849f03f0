import { STANDARD_TRIGGERS } from '../standard-triggers/standard-triggers';
import { actionProblem, conditionProblem, silencingWarning, validateTriggerInput } from './validate-trigger';

const valid = {
  title: 'Tag refund requests',
  conditions: { all: [{ field: 'comment_includes_word', operator: 'includes', value: 'refund' }], any: [] },
  actions: [{ field: 'current_tags', value: 'refund' }],
};

describe('validating a trigger written through the API', () => {
  it('accepts every standard trigger as Zendesk ships it', () => {
    for (const t of STANDARD_TRIGGERS) {
      const r = validateTriggerInput({ title: t.title, conditions: t.conditions, actions: t.actions }, { partial: false });
      expect({ title: t.title, ok: r.ok }).toEqual({ title: t.title, ok: true });
    }
  });

  it('accepts a keyword trigger and returns clean copies of its fields', () => {
    const r = validateTriggerInput({ ...valid, title: '  Tag refund requests ', active: false, position: 12, category_id: 7 }, { partial: false });
    expect(r).toEqual({
      ok: true,
      fields: { title: 'Tag refund requests', active: false, position: 12, category_id: '7', conditions: valid.conditions, actions: valid.actions },
    });
  });

  it('requires title, conditions and actions on create, but not on update', () => {
    const r = validateTriggerInput({}, { partial: false });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(['title', 'conditions', 'actions']);
    expect(validateTriggerInput({ active: false }, { partial: true })).toEqual({ ok: true, fields: { active: false } });
  });

  it('refuses a trigger without any condition', () => {
    const r = validateTriggerInput({ ...valid, conditions: { all: [], any: [] } }, { partial: false });
    expect(r).toMatchObject({ ok: false, problems: [{ path: 'conditions', description: expect.stringMatching(/at least one condition/) }] });
  });

  it('names unknown condition fields, operators and values, with where they are', () => {
    const r = validateTriggerInput(
      {
        ...valid,
        conditions: {
          all: [
            { field: 'status', operator: 'is', value: 'open' },
            { field: 'mood', operator: 'is', value: 'grumpy' },
          ],
          any: [
            { field: 'status', operator: 'sounds_like', value: 'open' },
            { field: 'priority', operator: 'is', value: 'extreme' },
          ],
        },
      },
      { partial: false },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { path: 'conditions.all[1]', description: 'Conditions (ALL #2): unknown condition field "mood"' },
      { path: 'conditions.any[0]', description: expect.stringMatching(/^Conditions \(ANY #1\): operator "sounds_like" is not supported for status/) },
      { path: 'conditions.any[1]', description: expect.stringMatching(/"extreme" is not a priority/) },
    ]);
  });

  it.each([
    [{ field: 'update_type', operator: 'is', value: 'Deleted' }, /not an update type/],
    [{ field: 'comment_is_public', operator: 'is', value: 'maybe' }, /not a comment condition/],
    [{ field: 'current_tags', operator: 'includes', value: '' }, /at least one tag/],
    [{ field: 'current_tags', operator: 'is', value: 'vip' }, /operator "is" is not supported/],
    [{ field: 'assignee_id', operator: 'is', value: 'the boss' }, /not a valid assignee/],
    [{ field: 'reopens', operator: 'greater_than', value: 'many' }, /not a whole number/],
    [{ field: 'current_via_id', operator: 'is', value: 'pigeon' }, /not a channel id/],
    [{ field: 'subject_includes_word', operator: 'includes', value: '' }, /no words/],
    [{ field: 'role', operator: 'is', value: 'wizard' }, /not a role/],
    [{ field: 'in_business_hours', operator: 'is', value: 'sometimes' }, /business hours value/],
    [{ field: 'status', operator: 'is', value: 'open', extra: 1 }, /unknown key "extra"/],
    [{ field: 'status', value: 'open' }, /needs an operator/],
    ['status is open', /must be an object/],
  ])('refuses the condition %j', (condition, message) => {
    expect(conditionProblem(condition)).toMatch(message);
  });

  it.each([
    { field: 'custom_fields_360001', operator: 'is', value: 'gold' },
    { field: 'organization_id', operator: 'changed' },
    { field: 'within_schedule', operator: 'is', value: 42 },
    { field: 'requester_role', operator: 'is', value: 'end_user' },
    { field: 'satisfaction_score', operator: 'value', value: 'bad' },
  ])('accepts the condition %j', (condition) => {
    expect(conditionProblem(condition)).toBeNull();
  });

  it.each([
    [{ field: 'priority', value: 'extreme' }, /not a priority/],
    [{ field: 'status', value: 'done' }, /not a status/],
    [{ field: 'assignee_id', value: 'someone' }, /not a valid assignee/],
    [{ field: 'current_tags', value: '  ' }, /at least one tag/],
    [{ field: 'notification_user', value: ['requester_id', 'Subject only'] }, /expects \[recipient, subject, body\]/],
    [{ field: 'notification_user', value: ['the boss', 'Hi', 'Body'] }, /not a recipient/],
    [{ field: 'notification_user', value: ['requester_id', ' ', 'Body'] }, /needs a subject/],
    [{ field: 'notification_group', value: ['everyone', 'Hi', 'Body'] }, /not a group/],
    [{ field: 'notification_webhook', value: ['', '{}'] }, /not a webhook id/],
    [{ field: 'satisfaction_score', value: 'good' }, /not a satisfaction action/],
    [{ field: 'launch_rocket', value: true }, /unknown action "launch_rocket"/],
    [{ field: 'priority', value: 'high', operator: 'is' }, /unknown key "operator"/],
  ])('refuses the action %j', (action, message) => {
    expect(actionProblem(action)).toMatch(message);
  });

  it.each([
    { field: 'assignee_id', value: 'current_user' },
    { field: 'group_id', value: '' },
    { field: 'cc', value: 'current_user' },
    { field: 'set_tags', value: '' },
    { field: 'custom_fields_360001', value: 'gold' },
    { field: 'schedule_id', value: 3 },
    { field: 'notification_group', value: ['group_id', 'New in {{ticket.group.name}}', 'See #{{ticket.id}}'] },
    { field: 'notification_webhook', value: ['01GK8E6B', '{"id": "{{ticket.id}}"}'] },
  ])('accepts the action %j', (action) => {
    expect(actionProblem(action)).toBeNull();
  });

  it('checks the shape of the other fields', () => {
    const r = validateTriggerInput({ title: 'x'.repeat(300), active: 'yes', position: -1, category_id: { id: 1 }, description: 5 }, { partial: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(['title', 'active', 'position', 'category_id', 'description']);
  });

  it('refuses a rule larger than Zendesk allows', () => {
    const r = validateTriggerInput({ ...valid, actions: [{ field: 'notification_user', value: ['requester_id', 'Big', 'x'.repeat(70_000)] }] }, { partial: false });
    expect(r).toMatchObject({ ok: false, problems: [{ path: 'base', description: expect.stringMatching(/too large/) }] });
  });

  it('warns when a trigger that emails people is turned off or deleted, and only then', () => {
    const ack = STANDARD_TRIGGERS[0];
    expect(silencingWarning(ack, 'deactivated')).toMatch(/^"Notify requester and CCs of received request" sends email notifications; while it is inactive/);
    expect(silencingWarning(ack, 'deleted')).toMatch(/after deleting it/);
    const priority = STANDARD_TRIGGERS.find((t) => t.title === 'Set tickets with no priority to normal')!;
    expect(silencingWarning(priority, 'deactivated')).toBeNull();
  });
});
