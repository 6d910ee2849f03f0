import { splitName } from '../names';
import { renderNotification } from '../render/render-notification';
import { alice, comment, smith, viewOf } from '../test-fixtures';
import type { NotificationView, Person } from '../notification-view';
import { buildPlaceholderContext } from './build-placeholder-context';

const renderText = (body: string, recipient: Person = smith, view: NotificationView = viewOf()) => {
  const result = renderNotification({ subject: 'x', body }, view, recipient);
  if (!result.ok) throw new Error(result.error);
  return result.text;
};

describe('placeholders', () => {
  it('render the ticket\'s fields the way Zendesk shows them', () => {
    const out = renderText(
      '{{ticket.id}}|{{ticket.title}}|{{ticket.status}}|{{ticket.priority}}|{{ticket.ticket_type}}|{{ticket.via}}|' +
        '{{ticket.tags}}|{{ticket.encoded_id}}|{{ticket.account}}|{{ticket.group.name}}|{{ticket.created_at}}|' +
        '{{ticket.updated_at_with_time}}|{{ticket.created_at_with_timestamp}}',
    );
    expect(out).toBe(
      '42|Printer on fire|On-hold|High|Ticket|Mail|printer urgent|ABC123-XY9Z|Acme Support|Hardware|March 1, 2026|' +
        'March 1, 2026 11:00|2026-03-01T09:00:00.000Z',
    );
  });

  it('render people, splitting names as Zendesk does', () => {
    const out = renderText(
      '{{ticket.requester.name}}|{{ticket.requester.first_name}}|{{ticket.requester.last_name}}|{{ticket.requester.email}}|' +
        '{{ticket.assignee.first_name}}|{{ticket.assignee.role}}|{{ticket.cc_names}}|' +
        '{% for cc in ticket.ccs %}{{cc.name}} ({{cc.email}}){% endfor %}|{{current_user.name}}',
    );
    expect(out).toBe(
      'Alice van der Berg|Alice|Berg|alice@customer.test|Agent|Agent|Carol Colleague|Carol Colleague (carol@customer.test)|Agent Smith',
    );
    expect(splitName('Dutch van der Linde')).toEqual({ firstName: 'Dutch', lastName: 'Linde' });
    expect(splitName('van der Linde, Dutch')).toEqual({ firstName: 'Dutch', lastName: 'van der Linde' });
    expect(splitName('Cher')).toEqual({ firstName: 'Cher', lastName: '' });
  });

  it('give the ticket link without protocol in url, and where the recipient can open it', () => {
    expect(renderText('{{ticket.url}} {{ticket.link}}', alice)).toBe(
      'help.acme.test/requests/42 https://help.acme.test/requests/42',
    );
    expect(renderText('{{ticket.url_with_protocol}}', smith)).toBe('https://help.acme.test/agent/tickets/42');
  });

  it('fall back to "Untitled ticket" and leave an unassigned assignee empty', () => {
    const view = viewOf({ subject: '  ', comments: [], assignee: null, type: 'incident' });
    expect(renderText('{{ticket.title}}|{{ticket.assignee.name}}|{{ticket.ticket_type}}', smith, view)).toBe(
      'Untitled ticket||Incident',
    );
  });

  it('list comments newest first, with author, date, visibility and text', () => {
    const out = renderText('{% for c in ticket.comments %}{{c.id}}:{{c.author.name}}:{{c.is_public}}:{{c.created_at}};{% endfor %}');
    expect(out).toBe('3:Agent Smith:true:March 1, 2026;2:Agent Smith:false:March 1, 2026;1:Alice van der Berg:true:March 1, 2026;');
    expect(renderText('{{ticket.latest_comment}}')).toBe('Agent Smith, March 1, 2026 11:00\n\nUnplug it, then call us.');
    expect(renderText('{{ticket.verbatim_description}}')).toBe('The printer is on fire.\nPlease help.');
  });

  describe('for an end user', () => {
    const lateNote = comment({ id: 9, author: smith, public: false, body: 'SECRET: refund denied', createdAt: '2026-03-02T08:00:00Z' });
    const view = viewOf({ comments: [...viewOf().ticket.comments, lateNote] });
    const everyCommentPlaceholder = [
      'latest_comment',
      'latest_public_comment',
      'latest_comment_html',
      'latest_public_comment_html',
      'latest_comment_formatted',
      'latest_public_comment_formatted',
      'comments_formatted',
      'public_comments_formatted',
      'description',
      'comments',
      'public_comments',
    ]
      .map((p) => `{{ticket.${p}}}`)
      .join('\n') + '{% for c in ticket.comments %}{{c.value}}{% endfor %}';

    it('never show a private comment in any placeholder, in either part', () => {
      const result = renderNotification({ subject: '{{ticket.latest_comment}}', body: everyCommentPlaceholder }, view, alice);
      expect(result.ok).toBe(true);
      expect(JSON.stringify(result)).not.toContain('SECRET');
      expect(JSON.stringify(buildPlaceholderContext(view, alice, 'html'))).not.toContain('SECRET');
      expect(JSON.stringify(buildPlaceholderContext(view, alice, 'text'))).not.toContain('SECRET');
      expect(renderText('{{ticket.latest_comment}}', alice, view)).toContain('Unplug it');
    });

    it('while an agent sees the internal notes', () => {
      expect(renderText('{{ticket.latest_comment}}', smith, view)).toContain('SECRET: refund denied');
      expect(renderText('{{ticket.latest_public_comment}}', smith, view)).toContain('Unplug it');
    });
  });
});
