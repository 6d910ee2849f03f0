import { composeEmail, recipientRenderKey } from './compose-email';
import type { NotificationView, Person } from './notification-view';
import { COMMENT_PLACEHOLDER_KEYS } from './placeholders/comment-placeholders';
import { alice, carol, smith, viewOf } from './test-fixtures';

/**
 * The notifier renders a notification once per `recipientRenderKey` and sends that mail to every
 * recipient with the key. That is only right if the key holds everything of the recipient the mail
 * depends on: checked here with templates that use every placeholder family, over recipients of
 * every kind, views with and without a rating link, and both suppression settings.
 */
describe('recipientRenderKey', () => {
  const ticketKeys = ['id', 'title', 'encoded_id', 'status', 'priority', 'url', 'url_with_protocol', 'link', 'requester.name', 'assignee.name', 'cc_names', 'email_cc_names', 'group.name', 'updated_at_with_time', ...COMMENT_PLACEHOLDER_KEYS];
  const satisfactionKeys = ['rating_section', 'rating_url', 'positive_rating_url', 'negative_rating_url', 'survey_section', 'survey_url', 'current_rating', 'current_comment'];
  const body = [...ticketKeys.map((k) => `${k}: {{ticket.${k}}}`), ...satisfactionKeys.map((k) => `${k}: {{satisfaction.${k}}}`), 'by {{current_user.name}}'].join('\n');
  const templates = { subject: '[{{ticket.id}}] {{ticket.title}} {{ticket.latest_comment}}', body };

  const jones: Person = { id: 11, name: 'Agent Jones', email: 'jones@support.test', role: 'agent' };
  const brown: Person = { id: 12, name: 'Agent Brown', email: 'brown@support.test', role: 'agent' };
  const boss: Person = { id: 13, name: 'Admin Boss', email: 'boss@support.test', role: 'admin' };
  const ccAgent: Person = { id: 14, name: 'Agent Cc', email: 'cc@support.test', role: 'agent' };
  const french: Person = { id: 15, name: 'Agent Dupont', email: 'dupont@support.test', role: 'agent', locale: 'fr' };
  const recipients = [alice, carol, smith, jones, brown, boss, ccAgent, french];

  const views: NotificationView[] = [
    viewOf({ ccs: [carol, ccAgent] }),
    { ...viewOf({ ccs: [carol, ccAgent], status: 'solved' }), satisfaction: { score: 'offered', comment: null, token: 'tok123' } },
    { ...viewOf({ ccs: [carol], assignee: null }), satisfaction: { score: 'good', comment: 'Thanks', token: 'tok456' } },
  ];

  it.each(views.flatMap((view, v) => [false, true].map((suppress) => [v, suppress] as const)))('gives recipients with one key the same mail (view %i, suppressed %s)', (v, suppress) => {
    const view = views[v];
    const options = { suppressCommentPlaceholders: suppress };
    const byKey = new Map<string, { who: string; mail: unknown }>();
    let shared = 0;
    for (const r of recipients) {
      const mail = composeEmail(templates, view, r, options);
      expect(mail.ok).toBe(true);
      const key = recipientRenderKey(view, r, options);
      const first = byKey.get(key);
      if (!first) byKey.set(key, { who: r.name, mail });
      else {
        shared++;
        expect({ who: r.name, mail }).toEqual({ who: r.name, mail: first.mail });
      }
    }
    // Agents who are neither assignee nor CC share one rendering: the saving this key is for.
    expect(recipientRenderKey(view, jones, options)).toBe(recipientRenderKey(view, brown, options));
    expect(shared).toBeGreaterThan(0);
  });

  it('keeps apart recipients whose mail differs', () => {
    const view = { ...viewOf({ ccs: [carol, ccAgent], status: 'solved' }), satisfaction: { score: 'offered' as const, comment: null, token: 'tok123' } };
    const key = (r: Person) => recipientRenderKey(view, r);
    // The requester's rating links, a CC's public-only view, an agent's notes, an admin's role, a locale.
    expect(new Set([alice, carol, ccAgent, jones, boss, french].map(key)).size).toBe(6);
    // The assignee reads what any other agent reads: one rendering for both.
    expect(key(smith)).toBe(key(jones));
  });
});
