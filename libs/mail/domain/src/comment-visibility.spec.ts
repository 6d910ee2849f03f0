import {
  CommentVisibilityInput,
  decideCommentVisibility,
  DEFAULT_VISIBILITY_SETTINGS,
  isSuspendedUpdate,
  recipientFacts,
  threadingStrength,
} from './comment-visibility';
import { Address } from './inbound-mail';
import { parseSupportAddresses } from './support-addresses';

type Overrides = Partial<Omit<CommentVisibilityInput, 'author' | 'settings'>> & {
  author?: Partial<CommentVisibilityInput['author']>;
  settings?: Partial<CommentVisibilityInput['settings']>;
};

/** The requester answering a notification with "Reply all": the plainest case. */
const input = (o: Overrides = {}): CommentVisibilityInput => ({
  threading: 'strong',
  requesterWasRecipient: false,
  otherRecipients: false,
  ticketIsPrivate: false,
  ...o,
  author: { role: 'end_user', relations: ['requester'], known: true, ...o.author },
  settings: { ...DEFAULT_VISIBILITY_SETTINGS, ...o.settings },
});

const agent = (relations: CommentVisibilityInput['author']['relations'], more: Partial<CommentVisibilityInput['author']> = {}) => ({
  role: 'agent' as const,
  relations,
  ...more,
});

describe('decideCommentVisibility', () => {
  it.each<[string, Overrides, boolean]>([
    // step 4: end users who may write are public
    ['the requester', {}, true],
    ['the requester on a weakly threaded mail', { threading: 'weak' }, true],
    ['the requester on a private ticket (steps 4 before 8)', { ticketIsPrivate: true }, true],
    ['the requester writing to others too', { otherRecipients: true }, true],
    // step 1: strong threading, author may not edit
    ['an end user who is neither requester nor CC', { author: { relations: [] } }, false],
    ['an unknown end user answering a forwarded notification', { author: { relations: [], known: false } }, false],
    ['an agent who is not assignee, follower or CC', { author: agent([]) }, false],
    ['an admin unrelated to the ticket', { author: { role: 'admin', relations: [] } }, false],
    ['an unrelated agent whose role gives every ticket', { author: agent([], { canEditTicket: true }) }, true],
    // step 3: CCed end users
    ['a CC replying to all', { author: { relations: ['cc'] }, requesterWasRecipient: true }, true],
    ['a CC replying only to us, setting on', { author: { relations: ['cc'] } }, true],
    ['a CC replying only to us, setting off', { author: { relations: ['cc'] }, settings: { ccEndUserCommentsPublic: false } }, false],
    ['a CC dropping the requester but writing to others', { author: { relations: ['cc'] }, otherRecipients: true }, false],
    ['a CC keeping the requester, setting off', { author: { relations: ['cc'] }, requesterWasRecipient: true, settings: { ccEndUserCommentsPublic: false } }, true],
    ['a CC who is also the requester', { author: { relations: ['cc', 'requester'] }, otherRecipients: true }, true],
    // followers
    ['a follower', { author: agent(['follower']) }, false],
    ['a follower who is also the assignee', { author: agent(['follower', 'assignee']) }, true],
    // agents: steps 5–10
    ['the assignee', { author: agent(['assignee']) }, true],
    ['an agent CC', { author: agent(['cc']) }, true],
    ['an agent CC replying without the requester to others (the CC rule is for end users)', { author: agent(['cc']), otherRecipients: true }, true],
    ['an assignee whose role may not comment publicly', { author: agent(['assignee'], { canCommentPublicly: false }) }, false],
    ['an assignee writing #note', { author: agent(['assignee']), commandPublic: false }, false],
    ['an assignee writing #public true', { author: agent(['assignee']), commandPublic: true }, true],
    ['an assignee when agent email comments are private by default', { author: agent(['assignee']), settings: { agentEmailCommentsPublic: false } }, false],
    [
      'an assignee writing #public true when agent comments are private by default',
      { author: agent(['assignee']), commandPublic: true, settings: { agentEmailCommentsPublic: false } },
      true,
    ],
    ['an assignee on a private ticket', { author: agent(['assignee']), ticketIsPrivate: true }, false],
    ['#public true on a private ticket', { author: agent(['assignee']), ticketIsPrivate: true, commandPublic: true }, false],
    ['#public true for a role that may not comment publicly', { author: agent(['assignee'], { canCommentPublicly: false }), commandPublic: true }, false],
    ['an assignee quoting private comments', { author: agent(['assignee']), containsPrivateContent: true }, false],
    ['an admin assignee', { author: { role: 'admin', relations: ['assignee'] } }, true],
    ['an agent who is the requester', { author: agent(['requester']) }, true],
  ])('%s → public: %s', (_case, overrides, expected) => {
    const result = decideCommentVisibility(input(overrides));
    expect(result).toEqual({ public: expected, reason: expect.any(String) });
    expect((result as { reason: string }).reason.length).toBeGreaterThan(0);
  });

  it.each<[string, Overrides, 'unknown_user_update' | 'other_user_update']>([
    ['an unknown sender on a weakly threaded mail', { threading: 'weak', author: { relations: [], known: false } }, 'unknown_user_update'],
    ['a known end user who is not on the ticket', { threading: 'weak', author: { relations: [] } }, 'other_user_update'],
    ['an unrelated agent', { threading: 'weak', author: agent([], { known: true }) }, 'other_user_update'],
    ['an unrelated end user even with #public or settings', { threading: 'weak', author: { relations: [] }, commandPublic: true }, 'other_user_update'],
  ])('suspends %s', (_case, overrides, cause) => {
    const result = decideCommentVisibility(input(overrides));
    expect(result).toEqual({ suspend: cause, reason: expect.any(String) });
    expect(isSuspendedUpdate(result)).toBe(true);
  });

  it('gives the rule that decided as the reason', () => {
    expect(decideCommentVisibility(input({ author: agent(['assignee']), commandPublic: false }))).toEqual({
      public: false,
      reason: 'the agent asked for a private note (#note or #public false)',
    });
    expect(isSuspendedUpdate(decideCommentVisibility(input()))).toBe(false);
  });
});

describe('threadingStrength', () => {
  it.each([
    ['message_id', 'strong'],
    ['reply_to_token', 'strong'],
    ['body_token', 'strong'],
    [null, 'weak'],
  ] as const)('%s is %s', (matchedBy, expected) => {
    expect(threadingStrength(matchedBy)).toBe(expected);
  });
});

describe('recipientFacts', () => {
  const support = parseSupportAddresses('Acme <support@acme.test>, help@acme.test');
  const a = (address: string): Address => ({ address, name: '' });

  it.each<[string, { to: Address[]; cc: Address[] }, { requesterWasRecipient: boolean; otherRecipients: boolean }]>([
    ['only us', { to: [a('support+t5-abc@acme.test')], cc: [] }, { requesterWasRecipient: false, otherRecipients: false }],
    ['us and the requester, any case', { to: [a('support@acme.test')], cc: [a('JANE@example.com')] }, { requesterWasRecipient: true, otherRecipients: false }],
    ['us, another support address and the author', { to: [a('HELP@acme.test')], cc: [a('bob@example.com')] }, { requesterWasRecipient: false, otherRecipients: false }],
    ['someone else', { to: [a('support@acme.test')], cc: [a('carol@example.com')] }, { requesterWasRecipient: false, otherRecipients: true }],
    ['unusable addresses only', { to: [a('')], cc: [a('not an address')] }, { requesterWasRecipient: false, otherRecipients: false }],
  ])('with %s', (_case, mail, expected) => {
    expect(recipientFacts(mail, support, 'jane@example.com', { address: 'Bob@Example.com', name: 'Bob' })).toEqual(expected);
  });
});
