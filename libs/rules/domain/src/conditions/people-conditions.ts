import type { Condition, Person, RuleTicket } from '../model';
import { type ConditionHandler, type ConditionVerdict, problem, unknownOperator } from './condition-handler';

/** Conditions on the requester as a person: role, language, time zone. */

const IS = ['is', 'is_not'];

const isOrNot = (condition: Condition, matched: boolean, detail: string): ConditionVerdict => {
  if (condition.operator === 'is') return { matched, detail };
  if (condition.operator === 'is_not') return { matched: !matched, detail };
  return unknownOperator(condition, IS);
};

/**
 * The people conditions look up in the directory when judged against one state of the ticket (only
 * the requester, below). An explanation record keeps these and no one else: a handler that reads
 * another person must be listed here, or explanations rebuilt later would not know them.
 */
export const peopleReadByConditions = (ticket: RuleTicket): readonly number[] => [ticket.requesterId];

const requesterCondition =
  (judge: (condition: Condition, requester: Person) => ConditionVerdict): ConditionHandler =>
  (condition, { ticket, directory }) => {
    const requester = directory.person(ticket.requesterId);
    if (!requester) return problem(`the requester (user ${ticket.requesterId}) is not known to the rules`);
    return judge(condition, requester);
  };

/** "(agent)" includes admins, as for the current user's role. */
const requesterRole = requesterCondition((condition, requester) => {
  const detail = `the requester is ${requester.role === 'end_user' ? 'an end user' : `an ${requester.role}`}`;
  const wanted = typeof condition.value === 'string' ? condition.value.trim().toLowerCase() : '';
  let matched: boolean;
  if (wanted === 'end_user') matched = requester.role === 'end_user';
  else if (wanted === 'agent') matched = requester.role !== 'end_user';
  else if (wanted === 'admin') matched = requester.role === 'admin';
  else return problem(`${JSON.stringify(condition.value ?? null)} is not a role (end_user, agent, admin)`, detail);
  return isOrNot(condition, matched, detail);
});

/**
 * `locale_id`: a Zendesk locale id (1 = English) compared with the requester's `localeId`, or a
 * locale code: `en-US` matches exactly, a bare language `fr` matches every `fr-*`.
 */
const localeId = requesterCondition((condition, requester) => {
  const detail = `the requester's language is ${requester.locale ?? '-'}${requester.localeId ? ` (locale id ${requester.localeId})` : ''}`;
  const raw = condition.value;
  let matched: boolean;
  if ((typeof raw === 'number' && Number.isInteger(raw)) || (typeof raw === 'string' && /^\d+$/.test(raw.trim()))) {
    matched = requester.localeId === Number(raw);
  } else if (typeof raw === 'string' && /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(raw.trim())) {
    const wanted = raw.trim().toLowerCase();
    const actual = (requester.locale ?? '').toLowerCase();
    matched = actual === wanted || (!wanted.includes('-') && actual.startsWith(`${wanted}-`));
  } else {
    return problem(`${JSON.stringify(raw ?? null)} is not a locale id or code`, detail);
  }
  return isOrNot(condition, matched, detail);
});

const requesterTimeZone = requesterCondition((condition, requester) => {
  const detail = `the requester's time zone is ${requester.timeZone ?? '-'}`;
  if (typeof condition.value !== 'string') return problem('a time zone name is needed', detail);
  return isOrNot(condition, (requester.timeZone ?? '').toLowerCase() === condition.value.trim().toLowerCase(), detail);
});

export const peopleConditions: Record<string, ConditionHandler> = {
  requester_role: requesterRole,
  locale_id: localeId,
  requester_time_zone: requesterTimeZone,
};
