import { composeEmail } from '../compose-email';
import { alice, viewOf } from '../test-fixtures';
import { type PlaceholderSuppressionInput, shouldSuppressCommentPlaceholders } from './placeholder-suppression';

const atCreation: PlaceholderSuppressionInput = {
  suppressOnCreation: true,
  ruleKind: 'trigger',
  firedOnTicketCreation: true,
  createdVia: 'email',
  creatorRole: 'end_user',
  recipientRole: 'end_user',
};

describe('placeholder suppression on ticket creation', () => {
  it('applies to a trigger on creation, from an end user to an end user, with the account setting on', () => {
    expect(shouldSuppressCommentPlaceholders(atCreation)).toBe(true);
  });

  it.each<[string, Partial<PlaceholderSuppressionInput>]>([
    ['the account setting is off', { suppressOnCreation: false }],
    ['an automation sent it', { ruleKind: 'automation' }],
    ['the ticket is being updated, not created', { firedOnTicketCreation: false }],
    ['the ticket was created through the API', { createdVia: 'api' }],
    ['an agent wrote the first message', { creatorRole: 'agent' }],
    ['the creator is unknown', { creatorRole: null }],
    ['the recipient is an agent', { recipientRole: 'agent' }],
  ])('does not apply when %s', (_, change) => {
    expect(shouldSuppressCommentPlaceholders({ ...atCreation, ...change })).toBe(false);
  });

  it('leaves the customer\'s text out of the whole email, history included', () => {
    const result = composeEmail(
      { subject: 'Received: {{ticket.title}}', body: 'We got it.\n{{ticket.latest_public_comment_html}}{{ticket.comments_formatted}}' },
      viewOf(),
      alice,
      { suppressCommentPlaceholders: true },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toContain('We got it.');
    expect(result.text + result.html).not.toMatch(/printer is on fire|Unplug it/);
  });
});

