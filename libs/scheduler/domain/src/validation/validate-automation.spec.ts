import { recordInvalid, validateAutomation, validateAutomationInput, type AutomationInput } from './validate-automation';

const valid: AutomationInput = {
  title: 'Close pending tickets after a week',
  conditions: {
    all: [
      { field: 'status', operator: 'is', value: 'pending' },
      { field: 'PENDING', operator: 'greater_than', value: '168' },
    ],
    any: [],
  },
  actions: [{ field: 'status', value: 'solved' }],
};

const descriptions = (input: AutomationInput) => validateAutomation(input).map((p) => `${p.path}: ${p.description}`);

describe('validateAutomation: Zendesk Automations API rules', () => {
  it('accepts a time condition, a status condition and an action that nullifies it', () => {
    expect(validateAutomation(valid)).toEqual([]);
    const result = validateAutomationInput(valid);
    expect(result.ok && result.fields.active).toBe(true);
  });

  it('refuses an automation without a time condition in ALL', () => {
    expect(descriptions({ ...valid, conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }], any: [] } })).toEqual([
      'conditions.all: Conditions: an automation needs at least one time condition (hours since …) in ALL',
    ]);
  });

  it('refuses a time condition in ANY', () => {
    const input = { ...valid, conditions: { all: (valid.conditions as { all: unknown[] }).all, any: [{ field: 'NEW', operator: 'is', value: 3 }] } };
    expect(descriptions(input)).toEqual(['conditions.any[0]: Conditions (ANY #1): time conditions such as NEW are allowed in ALL only']);
  });

  it('refuses an automation with no condition on status, type, group, assignee or requester', () => {
    const input = {
      ...valid,
      conditions: { all: [{ field: 'current_tags', operator: 'not_includes', value: 'stale' }, { field: 'updated_at', operator: 'greater_than', value: 48 }], any: [] },
      actions: [{ field: 'current_tags', value: 'stale' }],
    };
    expect(descriptions(input)).toEqual(['conditions.all: Conditions: an automation needs a condition in ALL on status, type, group, assignee or requester']);
  });

  it.each([
    ['type', { field: 'type', operator: 'is', value: 'incident' }],
    ['group', { field: 'group_id', operator: 'is', value: '5' }],
    ['assignee', { field: 'assignee_id', operator: 'is_not', value: '' }],
    ['requester', { field: 'requester_id', operator: 'is', value: 1 }],
  ])('accepts a condition on %s as the required one', (_what, condition) => {
    const input = { ...valid, conditions: { all: [condition, { field: 'NEW', operator: 'is', value: 4 }], any: [] }, actions: [{ field: 'priority', value: 'high' }] };
    expect(validateAutomation(input)).toEqual([]);
  });

  it('refuses an automation that could fire every hour: no true-once condition, no nullifying action', () => {
    const input = { ...valid, actions: [{ field: 'priority', value: 'high' }] };
    expect(descriptions(input)).toEqual([
      'base: Automation: needs a condition that is true only once (such as hours since … is) or an action that nullifies one of its conditions, or it would fire every hour',
    ]);
  });

  it('takes "hours since … is" (calendar or business) as true only once', () => {
    for (const operator of ['is', 'is_business_hours']) {
      const input = { ...valid, conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'PENDING', operator, value: 24 }], any: [] }, actions: [{ field: 'notification_user', value: ['requester_id', 'Reminder', 'Still there?'] }] };
      expect(validateAutomation(input)).toEqual([]);
    }
  });

  it.each([
    ['adding the tag a condition says is absent', { field: 'current_tags', operator: 'not_includes', value: 'reminded' }, { field: 'current_tags', value: 'reminded' }],
    ['removing every tag a condition looks for', { field: 'current_tags', operator: 'includes', value: 'vip' }, { field: 'remove_tags', value: 'vip' }],
    ['offering the survey when it is unoffered', { field: 'satisfaction_score', operator: 'is', value: 'unoffered' }, { field: 'satisfaction_score', value: 'offered_to_requester' }],
    ['raising the priority a condition says is below high', { field: 'priority', operator: 'less_than', value: 'high' }, { field: 'priority', value: 'high' }],
    ['assigning the group a condition says is empty', { field: 'group_id', operator: 'is', value: '' }, { field: 'group_id', value: '5' }],
  ])('recognises a nullifying action: %s', (_what, condition, action) => {
    const input = { title: 'x', conditions: { all: [{ field: 'status', operator: 'less_than', value: 'solved' }, { field: 'updated_at', operator: 'greater_than', value: 24 }, condition], any: [] }, actions: [action] };
    expect(validateAutomation(input)).toEqual([]);
  });

  it('does not take removing one of two tags looked for as a nullifier ("includes" holds with the other)', () => {
    const input = { title: 'x', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'updated_at', operator: 'greater_than', value: 24 }, { field: 'current_tags', operator: 'includes', value: 'vip gold' }], any: [] }, actions: [{ field: 'remove_tags', value: 'vip' }] };
    expect(validateAutomation(input)).toHaveLength(1);
  });

  it.each([
    ['the ticket\'s group', 'group_id'],
    ['a group by id', '5'],
    ['a group by number', 5],
  ])('accepts emailing %s (notification_group), and refuses one without a subject', (_name, group) => {
    const notify = (subject: string) => ({ ...valid, actions: [{ field: 'status', value: 'solved' }, { field: 'notification_group', value: [group, subject, 'Solved after a week.'] }] });
    expect(validateAutomation(notify('Solved'))).toEqual([]);
    expect(descriptions(notify(' '))).toEqual(['actions[1]: Actions (#2): notification_group needs a subject']);
  });

  it('refuses trigger-only conditions and operators, which describe an update', () => {
    const input = { ...valid, conditions: { all: [...(valid.conditions as { all: unknown[] }).all, { field: 'update_type', operator: 'is', value: 'Change' }, { field: 'priority', operator: 'changed' }], any: [] } };
    expect(descriptions(input)).toEqual([
      'conditions.all[2]: Conditions (ALL #3): update_type describes an update and is available in triggers only',
      'conditions.all[3]: Conditions (ALL #4): operator "changed" looks at an update and is available in triggers only (use is, is_not, less_than, greater_than)',
    ]);
  });

  it('checks each condition and action with the trigger engine\'s handlers, and time conditions with their own', () => {
    const input = {
      title: '  ',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'sleeping' }, { field: 'SOLVED', operator: 'greater_than', value: 'four' }], any: [] },
      actions: [{ field: 'priority', value: 'whenever' }],
    };
    expect(descriptions(input)).toEqual([
      'title: Title: cannot be blank',
      expect.stringMatching(/^conditions.all\[0\]: Conditions \(ALL #1\): "sleeping" is not a status/),
      'conditions.all[1]: Conditions (ALL #2): SOLVED needs a whole number of hours, not "four"',
      expect.stringMatching(/^actions\[0\]: Actions \(#1\): "whenever" is not a priority/),
    ]);
  });

  it('answers in Zendesk\'s 422 error format', () => {
    expect(recordInvalid(validateAutomation({ ...valid, actions: [] }))).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: 'Actions: an automation needs at least one action', error: 'InvalidValue', field: 'actions' }] },
    });
  });
});
