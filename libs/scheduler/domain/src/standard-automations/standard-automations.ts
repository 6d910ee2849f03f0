import type { Automation } from '../model';

/**
 * Zendesk's standard automations (reference §2.3, §7) under Zendesk's titles, conditions and
 * active states. The email texts are Mailroom's own wording of the same message.
 *
 * Where Mailroom adds to the historic definition, it says why:
 *  - The pending notifications list only `Hours since pending is N` historically; they also test
 *    `status is pending`, because the Automations API asks for a condition on status (or type,
 *    group, assignee, requester) and because the time a ticket last became pending outlives its
 *    pending state.
 *  - The satisfaction request uses the legacy default's `status less_than closed`,
 *    `SOLVED is 24`, `satisfaction_score is unoffered`; the "requester is an end user" condition
 *    some copies show is unverified and left out.
 */

export const STANDARD_AUTOMATION_IDS = {
  closeSolved: 'std-close-ticket-4-days-after-solved',
  pending24Hours: 'std-pending-notification-24-hours',
  pending5Days: 'std-pending-notification-5-days',
  requestSatisfaction: 'std-request-customer-satisfaction-rating',
} as const;

const ids = STANDARD_AUTOMATION_IDS;

/** A standard automation as data: what a new account gets, but for its position and timestamps. */
export type StandardAutomationDefinition = Omit<Automation, 'position' | 'created_at' | 'updated_at'> & {
  /** Zendesk: "cannot be deactivated or deleted" (the close automation only). */
  permanent: boolean;
};

const automation = (
  id: string,
  title: string,
  active: boolean,
  conditions: Automation['conditions'],
  actions: Automation['actions'],
  permanent = false,
): StandardAutomationDefinition => ({ id, title, raw_title: title, active, default: true, conditions, actions, permanent });

const text = (...lines: string[]) => lines.join('\n');

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/** Zendesk's standard close: a solved ticket is closed once more than 96 whole hours have passed. */
export const CLOSE_SOLVED_AUTOMATION: StandardAutomationDefinition = deepFreeze(
  automation(
    ids.closeSolved,
    'Close ticket 4 days after status is set to solved',
    true,
    {
      all: [
        { field: 'status', operator: 'is', value: 'solved' },
        { field: 'SOLVED', operator: 'greater_than', value: '96' },
      ],
      any: [],
    },
    [{ field: 'status', value: 'closed' }],
    true,
  ),
);

const pendingReminder = (id: string, title: string, hours: string, waiting: string): StandardAutomationDefinition =>
  automation(
    id,
    title,
    false,
    {
      all: [
        { field: 'status', operator: 'is', value: 'pending' },
        { field: 'PENDING', operator: 'is', value: hours },
      ],
      any: [],
    },
    [
      {
        field: 'notification_user',
        value: [
          'requester_id',
          '[{{ticket.account}}] Waiting for your reply: {{ticket.title}}',
          text(
            `Your request #{{ticket.id}} has been waiting for your reply ${waiting}. We cannot move forward without it.`,
            '',
            'To answer, simply reply to this email.',
            '',
            '{{ticket.comments_formatted}}',
          ),
        ],
      },
    ],
  );

/** The standard automations every account starts with, in Zendesk's order. */
export const STANDARD_AUTOMATIONS: readonly StandardAutomationDefinition[] = deepFreeze([
  CLOSE_SOLVED_AUTOMATION,
  pendingReminder(ids.pending24Hours, 'Pending notification 24 hours', '24', 'for a day'),
  pendingReminder(ids.pending5Days, 'Pending notification 5 days', '120', 'for 5 days'),
]);

/** Added when satisfaction ratings are turned on: asks the requester to rate 24 hours after solve. */
export const SATISFACTION_AUTOMATION: StandardAutomationDefinition = deepFreeze(
  automation(
    ids.requestSatisfaction,
    'Request customer satisfaction rating (System Automation)',
    true,
    {
      all: [
        { field: 'status', operator: 'less_than', value: 'closed' },
        { field: 'SOLVED', operator: 'is', value: '24' },
        { field: 'satisfaction_score', operator: 'is', value: 'unoffered' },
      ],
      any: [],
    },
    [
      { field: 'satisfaction_score', value: 'offered_to_requester' },
      {
        field: 'notification_user',
        value: [
          'requester_id',
          'Request #{{ticket.id}}: how did we do?',
          text(
            'Hello {{ticket.requester.name}},',
            '',
            'Your request was recently solved. Would you tell us how it went? One click on a link below is all it takes:',
            '',
            '{{satisfaction.rating_section}}',
            '',
            'Your request, as a reminder:',
            '',
            '{{ticket.comments_formatted}}',
          ),
        ],
      },
    ],
  ),
);

/** Copies to store for a new account, positioned 1, 2, … in order; the satisfaction one when ratings are on. */
export const standardAutomations = (at: string, options: { satisfactionRatings?: boolean } = {}): Automation[] =>
  [...STANDARD_AUTOMATIONS, ...(options.satisfactionRatings ? [SATISFACTION_AUTOMATION] : [])].map(
    ({ permanent: _permanent, ...a }, i): Automation => structuredClone({ ...a, position: i + 1, created_at: at, updated_at: at }),
  );

/** Why a standard automation may not be deactivated or deleted; null when it may. */
export const permanenceRefusal = (automationId: string, change: 'deactivate' | 'delete'): string | null =>
  STANDARD_AUTOMATIONS.some((a) => a.id === automationId && a.permanent)
    ? `"${CLOSE_SOLVED_AUTOMATION.title}" cannot be ${change === 'delete' ? 'deleted' : 'deactivated'}`
    : null;

/**
 * Zendesk's system close (reference §2.3, §3.5): a ticket solved for 28 days is closed whatever
 * happened since, and triggers do not fire on that close. Not an automation an admin sees or
 * edits; the cycle runs it before the automations and marks its updates as firing no triggers.
 */
export const SYSTEM_CLOSE = deepFreeze({
  kind: 'system_close' as const,
  title: 'Closed by the system 28 days after it was solved',
  afterHours: 28 * 24,
  firesTriggers: false,
});
