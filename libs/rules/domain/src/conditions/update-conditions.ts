import type { Condition } from '../model';
import { type ConditionHandler, type ConditionVerdict, problem, show, unknownOperator } from './condition-handler';
import { VIA_IDS, parseId, parseTags, parseViaId } from './values';

/** Conditions about the update itself (who, how, with what comment) and about sets on the ticket. */

const IS = ['is', 'is_not'] as const;

/** `is` / `is_not` around a yes-or-no test. */
const isOrNot = (condition: Condition, verdict: { matched: boolean; detail?: string }): ConditionVerdict => {
  if (condition.operator === 'is') return verdict;
  if (condition.operator === 'is_not') return { ...verdict, matched: !verdict.matched };
  return unknownOperator(condition, IS);
};

const asKeyword = (raw: unknown): string => (typeof raw === 'string' ? raw.trim().toLowerCase() : String(raw));

const updateType: ConditionHandler = (condition, { update }) => {
  const detail = update.isCreate ? 'the ticket was created' : 'the ticket was updated';
  const wanted = asKeyword(condition.value);
  const create = ['create', 'created'].includes(wanted);
  if (!create && !['change', 'changed', 'update', 'updated'].includes(wanted)) {
    return problem(`${JSON.stringify(condition.value ?? null)} is not an update type (Create, Change)`, detail);
  }
  return isOrNot(condition, { matched: update.isCreate === create, detail });
};

const commentIsPublic: ConditionHandler = (condition, { update }) => {
  const comment = update.comment;
  const detail = comment ? `the update has a ${comment.public ? 'public' : 'private'} comment` : 'the update has no comment';
  const wanted = asKeyword(condition.value);
  let matched: boolean;
  switch (wanted) {
    case 'true':
    case 'requester_can_see_comment':
      matched = comment !== null && comment.public;
      break;
    case 'false':
      matched = comment !== null && !comment.public;
      break;
    case 'not_relevant':
      matched = comment !== null;
      break;
    default:
      return problem(
        `${JSON.stringify(condition.value ?? null)} is not a comment condition (true, false, not_relevant, requester_can_see_comment)`,
        detail,
      );
  }
  return isOrNot(condition, { matched, detail });
};

const ticketIsPublic: ConditionHandler = (condition, { ticket }) => {
  const detail = ticket.hasPublicComments ? 'the ticket has public comments' : 'the ticket has no public comments';
  const wanted = asKeyword(condition.value);
  if (!['public', 'private', 'true', 'false'].includes(wanted)) {
    return problem(`${JSON.stringify(condition.value ?? null)} is not a privacy value (public, private)`, detail);
  }
  const wantsPublic = wanted === 'public' || wanted === 'true';
  return isOrNot(condition, { matched: ticket.hasPublicComments === wantsPublic, detail });
};

/** "Current user is (agent)" holds for admins too: every admin is an agent. */
const role: ConditionHandler = (condition, { update }) => {
  const { userId, role: actorRole } = update.actor;
  const detail = `the update was made by ${userId === null ? 'the system' : `user ${userId}`} (${actorRole})`;
  const wanted = asKeyword(condition.value);
  const id = parseId(condition.value);
  let matched: boolean;
  if (wanted === 'end_user') matched = actorRole === 'end_user';
  else if (wanted === 'agent') matched = actorRole === 'agent' || actorRole === 'admin';
  else if (wanted === 'admin') matched = actorRole === 'admin';
  else if (id !== undefined) matched = userId === id;
  else return problem(`${JSON.stringify(condition.value ?? null)} is not a role (end_user, agent, admin) or user id`, detail);
  return isOrNot(condition, { matched, detail });
};

const recipient: ConditionHandler = (condition, { ticket }) => {
  const detail = `the ticket was received at ${show(ticket.recipient)}`;
  const raw = condition.value;
  if (raw !== null && raw !== undefined && typeof raw !== 'string') {
    return problem(`${JSON.stringify(raw)} is not an email address`, detail);
  }
  const wanted = (raw ?? '').trim().toLowerCase() || null;
  return isOrNot(condition, { matched: (ticket.recipient?.toLowerCase() ?? null) === wanted, detail });
};

const currentViaId: ConditionHandler = (condition, { update }) => {
  const actual = VIA_IDS[update.via.channel];
  const detail = `the update came through ${update.via.channel} (via id ${show(actual)})`;
  const parsed = parseViaId(condition.value);
  if ('problem' in parsed) return problem(parsed.problem, detail);
  return isOrNot(condition, { matched: actual === parsed.value, detail });
};

/** The ticket's own channel; a projection without it still knows it on the update that created it. */
const viaId: ConditionHandler = (condition, ctx) => {
  const channel = ctx.ticket.via ?? (ctx.update.isCreate ? ctx.update.via.channel : undefined);
  if (channel === undefined) return problem('the ticket\'s channel is not known to the rules projection');
  const actual = VIA_IDS[channel];
  const detail = `the ticket came through ${channel} (via id ${show(actual)})`;
  const parsed = parseViaId(condition.value);
  if ('problem' in parsed) return problem(parsed.problem, detail);
  return isOrNot(condition, { matched: actual === parsed.value, detail });
};

/** Zendesk: `includes` = has at least one of the tags, `not_includes` = has none of them. */
const currentTags: ConditionHandler = (condition, { ticket, brief }) => {
  const detail = brief ? undefined : `the ticket's tags are ${ticket.tags.length ? ticket.tags.join(' ') : '-'}`;
  const wanted = parseTags(condition.value);
  const hasAny = wanted.some((t) => ticket.tags.includes(t));
  if (condition.operator === 'includes') return { matched: hasAny, detail };
  if (condition.operator === 'not_includes') return { matched: !hasAny, detail };
  return unknownOperator(condition, ['includes', 'not_includes']);
};

export const updateConditions: Record<string, ConditionHandler> = {
  update_type: updateType,
  comment_is_public: commentIsPublic,
  ticket_is_public: ticketIsPublic,
  role,
  recipient,
  via_id: viaId,
  current_via_id: currentViaId,
  current_tags: currentTags,
};
