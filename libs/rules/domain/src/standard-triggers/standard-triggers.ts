import type { Trigger } from '../model';

/**
 * The ten standard triggers of a new Zendesk account, under Zendesk's titles, in Zendesk's order,
 * with Zendesk's conditions and active flags (reference §1.1). The email texts are Mailroom's own
 * wording of the same information, written for simplified threading: end users get the latest
 * public comment, agents the latest comment; earlier history travels as quoted content.
 */

const text = (...lines: string[]) => lines.join('\n');

/** A standard trigger as data: everything but its position, which comes from its place in the list. */
export type StandardTriggerDefinition = Omit<Trigger, 'position'>;

const trigger = (
  id: string,
  _position: number,
  title: string,
  description: string,
  conditions: Trigger['conditions'],
  actions: Trigger['actions'],
  active = true,
): StandardTriggerDefinition => ({ id, title, active, category_id: null, description, conditions, actions });

export const STANDARD_TRIGGER_IDS = {
  notifyRequesterReceived: 'std-notify-requester-received',
  notifyRequesterProactive: 'std-notify-requester-proactive',
  notifyRequesterCommentUpdate: 'std-notify-requester-comment-update',
  notifyAssigneeCommentUpdate: 'std-notify-assignee-comment-update',
  notifyAssigneeAssignment: 'std-notify-assignee-assignment',
  notifyAssigneeReopened: 'std-notify-assignee-reopened',
  notifyGroupAssignment: 'std-notify-group-assignment',
  notifyAllAgentsReceived: 'std-notify-all-agents-received',
  autoAssignFirstEmailAgent: 'std-auto-assign-first-email-agent',
  setNoPriorityToNormal: 'std-set-no-priority-to-normal',
} as const;

const ids = STANDARD_TRIGGER_IDS;

/** The standard triggers as read-only data, in Zendesk's order. Use `standardTriggers()` for copies to store. */
export const STANDARD_TRIGGERS: readonly StandardTriggerDefinition[] = deepFreeze([
  trigger(
    ids.notifyRequesterReceived,
    1,
    'Notify requester and CCs of received request',
    'Tells the requester and everyone copied on a new request that it arrived and is now a ticket.',
    {
      all: [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'status', operator: 'is_not', value: 'solved' },
        { field: 'ticket_is_public', operator: 'is', value: 'public' },
        { field: 'comment_is_public', operator: 'is', value: 'true' },
        { field: 'role', operator: 'is', value: 'end_user' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'requester_and_ccs',
          'We have your request: {{ticket.title}}',
          text(
            'Thanks for getting in touch. Your request is now ticket {{ticket.id}}, and our support team will look at it shortly.',
            '',
            'Anything to add? Just reply to this email.',
            '',
            '{{ticket.latest_public_comment_html}}',
          ),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyRequesterProactive,
    2,
    'Notify requester of new proactive ticket',
    'Lets the requester know when an agent opens a ticket on their behalf.',
    {
      all: [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'ticket_is_public', operator: 'is', value: 'public' },
        { field: 'role', operator: 'is', value: 'agent' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'requester_and_ccs',
          '{{ticket.title}}',
          text(
            'We opened this ticket for you.',
            '',
            'If you would like to add something, reply to this email.',
            '',
            '{{ticket.latest_public_comment_html}}',
          ),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyRequesterCommentUpdate,
    3,
    'Notify requester and CCs of comment update',
    'Sends each new public comment to the requester and everyone copied on the ticket.',
    {
      all: [
        { field: 'update_type', operator: 'is', value: 'Change' },
        { field: 'comment_is_public', operator: 'is', value: 'true' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'requester_and_ccs',
          '[{{ticket.account}}] Re: {{ticket.title}}',
          text(
            'There is news on your request ({{ticket.id}}). Reply to this email to answer.',
            '',
            '{{ticket.latest_public_comment_html}}',
          ),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyAssigneeCommentUpdate,
    4,
    'Notify assignee of comment update',
    'Tells the assignee about comments that someone else added to their ticket.',
    {
      all: [
        { field: 'comment_is_public', operator: 'is', value: 'not_relevant' },
        { field: 'assignee_id', operator: 'is_not', value: 'current_user' },
        { field: 'assignee_id', operator: 'is_not', value: 'requester_id' },
        { field: 'assignee_id', operator: 'not_changed' },
        { field: 'status', operator: 'not_value_previous', value: 'solved' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'assignee_id',
          '[{{ticket.account}}] Re: {{ticket.title}}',
          text('Ticket #{{ticket.id}} has a new comment.', '', '{{ticket.latest_comment_html}}'),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyAssigneeAssignment,
    5,
    'Notify assignee of assignment',
    'Tells an agent when a ticket is assigned to them by someone else.',
    {
      all: [
        { field: 'assignee_id', operator: 'changed' },
        { field: 'assignee_id', operator: 'is_not', value: 'current_user' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'assignee_id',
          '[{{ticket.account}}] Assigned to you: {{ticket.title}}',
          text('Ticket #{{ticket.id}} is now yours.', '', '{{ticket.latest_comment_html}}'),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyAssigneeReopened,
    6,
    'Notify assignee of reopened ticket',
    'Tells the assignee when a solved ticket of theirs is opened again.',
    {
      all: [
        { field: 'assignee_id', operator: 'is_not', value: 'current_user' },
        { field: 'status', operator: 'value_previous', value: 'solved' },
        { field: 'status', operator: 'is_not', value: 'closed' },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'assignee_id',
          '[{{ticket.account}}] Re: {{ticket.title}}',
          text('Ticket #{{ticket.id}} was solved and is open again.', '', '{{ticket.latest_comment_html}}'),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyGroupAssignment,
    7,
    'Notify group of assignment',
    'Tells the members of a group when a ticket lands in the group without an assignee.',
    {
      all: [
        { field: 'group_id', operator: 'is_not', value: '' },
        { field: 'assignee_id', operator: 'is', value: '' },
      ],
      any: [
        { field: 'group_id', operator: 'changed' },
        { field: 'assignee_id', operator: 'changed' },
      ],
    },
    [
      {
        field: 'notification_group',
        value: [
          'group_id',
          '[{{ticket.account}}] New for {{ticket.group.name}}: {{ticket.title}}',
          text(
            'Ticket #{{ticket.id}} was placed in the {{ticket.group.name}} group, which you belong to.',
            '',
            '{{ticket.latest_comment_html}}',
          ),
        ],
      },
    ],
  ),
  trigger(
    ids.notifyAllAgentsReceived,
    8,
    'Notify all agents of received request',
    'Tells every agent about each new ticket. Best left for small teams.',
    {
      all: [{ field: 'update_type', operator: 'is', value: 'Create' }],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'all_agents',
          '[{{ticket.account}}] {{ticket.title}}',
          text(
            'New ticket #{{ticket.id}} from {{ticket.requester.name}}. Nobody is assigned to it yet.',
            '',
            '{{ticket.latest_comment_html}}',
          ),
        ],
      },
    ],
  ),
  trigger(
    ids.autoAssignFirstEmailAgent,
    9,
    'Auto-assign to first email responding agent',
    'Assigns an unassigned ticket to the first agent who answers it by email.',
    {
      all: [
        { field: 'update_type', operator: 'is', value: 'Change' },
        { field: 'current_via_id', operator: 'is', value: 4 },
        { field: 'assignee_id', operator: 'is', value: '' },
        { field: 'role', operator: 'is_not', value: 'end_user' },
      ],
      any: [],
    },
    [{ field: 'assignee_id', value: 'current_user' }],
    false,
  ),
  trigger(
    ids.setNoPriorityToNormal,
    10,
    'Set tickets with no priority to normal',
    'Gives new tickets without a priority the priority Normal.',
    {
      all: [
        { field: 'update_type', operator: 'is', value: 'Create' },
        { field: 'priority', operator: 'is', value: '' },
      ],
      any: [],
    },
    [{ field: 'priority', value: 'normal' }],
  ),
]);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface StandardTriggerOptions {
  /** Prepended to each standard id, e.g. an account key; default none. */
  idPrefix?: string;
  /** Position of the first trigger; the others follow one by one. Default 1. */
  firstPosition?: number;
}

/** Fresh, mutable copies of the standard triggers with ids and positions, ready to seed. */
export const standardTriggers = (options: StandardTriggerOptions = {}): Trigger[] =>
  STANDARD_TRIGGERS.map((t, i) => ({
    ...(JSON.parse(JSON.stringify(t)) as StandardTriggerDefinition),
    id: `${options.idPrefix ?? ''}${t.id}`,
    position: (options.firstPosition ?? 1) + i,
  }));
