import { splitName } from '../names';
import { renderNotification } from '../render/render-notification';
import { agentReply, alice, carol, comment, firstMail, privateNote, smith, viewOf } from '../test-fixtures';
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

describe('more placeholder families', () => {
  const acme = { id: 7, name: 'Customer Corp', externalId: 'CC-1', details: 'Key account', notes: 'pays late', tags: ['vip', 'eu'] };
  const richAlice: Person = { ...alice, language: 'Dutch', locale: 'nl', phone: '+31 20 123', details: 'Prefers mail', timeZone: 'Amsterdam', tags: ['printer'], organization: acme };
  const noMail: Person = { id: 3, name: 'Phone Only', email: null, role: 'end_user' };
  const view = viewOf({
    requester: richAlice,
    ccs: [carol, noMail],
    followers: [smith],
    submitter: smith,
    externalId: 'EXT-9',
    type: 'task',
    dueAt: '2026-04-02T12:00:00Z',
    comments: [firstMail, privateNote, agentReply].map((c) => (c.id === 3 ? { ...c, attachments: [{ fileName: 'manual.pdf', url: 'https://files.test/m.pdf' }] } : c)),
  });

  it('requester details and the requester\'s organization', () => {
    expect(
      renderText(
        '{{ticket.requester.language}}|{{ticket.requester.locale}}|{{ticket.requester.details}}|{{ticket.requester.phone}}|' +
          '{{ticket.requester.time_zone}}|{{ticket.requester.tags}}|{{ticket.requester.organization.name}}|' +
          '{{ticket.organization.name}}|{{ticket.organization.external_id}}|{{ticket.organization.tags}}|{{ticket.organization.details}}',
        smith,
        view,
      ),
    ).toBe('Dutch|nl|Prefers mail|+31 20 123|Amsterdam|printer|Customer Corp|Customer Corp|CC-1|vip eu|Key account');
    expect(renderText('[{{ticket.organization.name}}]', smith, viewOf())).toBe('[]');
  });

  it('ticket fields beyond the basics', () => {
    expect(
      renderText(
        '{{ticket.external_id}}|{{ticket.ticket_type}}|{{ticket.due_date}}|{{ticket.due_date_with_timestamp}}|{{ticket.status_category}}|' +
          '{{ticket.brand.name}}|{{ticket.submitter.name}}|{{ticket.follower_names}}|{{ticket.cc_names}}|{{ticket.email_cc_names}}|' +
          '{% for cc in ticket.email_ccs %}{{cc.email}}{% endfor %}|{{ticket.recipient}}',
        smith,
        view,
      ),
    ).toBe(
      'EXT-9|Task|April 2, 2026|2026-04-02T12:00:00.000Z|On-hold|Acme Support|Agent Smith|Agent Smith|Carol Colleague, Phone Only|' +
        'Carol Colleague|carol@customer.test|help@support.test',
    );
  });

  it('current user and account', () => {
    expect(renderText('{{current_user.name}}|{{current_user.role}}|{{account.name}}|{{ticket.account}}', alice)).toBe('Agent Smith|Agent|Acme Support|Acme Support');
    expect(renderText('[{{current_user.name}}]', alice, { ...viewOf(), currentUser: null })).toBe('[]');
  });

  it('links built from the configured base URL, in the shape for the recipient', () => {
    const v = { ...viewOf(), account: { name: 'Acme', baseUrl: 'http://127.0.0.1:3000//' } };
    expect(renderText('{{ticket.link}} {{ticket.url}}', alice, v)).toBe('http://127.0.0.1:3000/requests/42 127.0.0.1:3000/requests/42');
    expect(renderText('{{ticket.link}} {{ticket.url}}', smith, v)).toBe('http://127.0.0.1:3000/agent/tickets/42 127.0.0.1:3000/agent/tickets/42');
  });

  it('dates leave the year out in the year of the update', () => {
    const thisYear = { ...viewOf(), now: '2026-11-25T06:00:00Z' };
    expect(renderText('{{ticket.created_at}}|{{ticket.created_at_with_time}}', smith, thisYear)).toBe('March 1|March 1 09:00');
    expect(renderText('{{ticket.created_at}}', smith, { ...viewOf(), now: '2027-01-01T00:00:00Z' })).toBe('March 1, 2026');
  });

  it('the four comment families, with attachments', () => {
    expect(renderText('{{ticket.latest_comment_rich}}', smith, view)).toBe('Unplug it, then call us.');
    expect(renderText('{{ticket.latest_comment_formatted}}', smith, view)).toBe(
      'Agent Smith, March 1, 2026 11:00\n\nUnplug it, then call us.\n\nAttachment: manual.pdf (https://files.test/m.pdf)',
    );
    expect(renderText('{% for c in ticket.public_comments %}{{c.id}}{% endfor %}|{% for c in ticket.comments %}{{c.id}}{% endfor %}', smith, view)).toBe('31|321');
    expect(renderText('{% for c in ticket.comments limit:1 %}{% for a in c.attachments %}{{a.filename}} {{a.url}}{% endfor %}{% endfor %}', smith, view)).toBe(
      'manual.pdf https://files.test/m.pdf',
    );
    const formatted = renderText('{{ticket.comments_formatted}}', smith, view);
    expect(formatted.indexOf('Unplug it')).toBeLessThan(formatted.indexOf('SECRET'));
    expect(formatted.indexOf('SECRET')).toBeLessThan(formatted.indexOf('The printer is on fire'));
    expect(renderText('{{ticket.public_comments_formatted}}', smith, view)).not.toContain('SECRET');

    const html = renderNotification({ subject: 's', body: '{{ticket.latest_comment_rich}}{{ticket.latest_comment_html}}' }, view, smith);
    expect(html.ok && html.html).toContain('<p style="margin:0 0 12px">Unplug it, then call us.</p><div');
    expect(html.ok && html.html).toContain('<a href="https://files.test/m.pdf">manual.pdf</a>');
  });

  it('an agent on the ticket as a CC gets the public view, unless also the assignee', () => {
    const agentCc: Person = { ...carol, role: 'agent' };
    const ccView = viewOf({ ccs: [agentCc, smith] });
    expect(renderText('{{ticket.comments_formatted}}', agentCc, ccView)).not.toContain('SECRET');
    expect(renderText('{{ticket.latest_comment}}', agentCc, ccView)).toContain('Unplug it');
    expect(renderText('{{ticket.comments_formatted}}', smith, ccView)).toContain('SECRET');
  });
});

describe('satisfaction placeholders', () => {
  const rated = (score: 'offered' | 'good' | 'bad', status: 'solved' | 'closed' = 'solved'): NotificationView => ({
    ...viewOf({ status }),
    satisfaction: { score, comment: score === 'bad' ? 'Too slow <sorry>' : null, token: 'tok123' },
  });

  it('give the requester personal rating links', () => {
    expect(renderText('{{satisfaction.rating_url}}|{{satisfaction.positive_rating_url}}|{{satisfaction.negative_rating_url}}|{{satisfaction.survey_url}}', alice, rated('offered'))).toBe(
      'https://help.acme.test/satisfaction/tok123|https://help.acme.test/satisfaction/tok123?score=good|' +
        'https://help.acme.test/satisfaction/tok123?score=bad|https://help.acme.test/satisfaction/tok123',
    );
    const section = renderText('{{satisfaction.rating_section}}', alice, rated('offered'));
    expect(section).toContain("Good, I'm satisfied:\nhttps://help.acme.test/satisfaction/tok123?score=good");
    expect(section).toContain("Bad, I'm unsatisfied:\nhttps://help.acme.test/satisfaction/tok123?score=bad");
  });

  it('put the section in the HTML part as links', () => {
    const result = renderNotification({ subject: 's', body: '{{satisfaction.rating_section}}' }, rated('offered'), alice);
    expect(result.ok && result.html).toContain('<a href="https://help.acme.test/satisfaction/tok123?score=good">Good, I&#39;m satisfied</a>');
  });

  it('say what was rated, escaping the customer\'s comment in HTML', () => {
    expect(renderText('{{satisfaction.current_rating}}|{{satisfaction.current_comment}}', smith, rated('bad'))).toBe("Bad, I'm unsatisfied|Too slow <sorry>");
    expect(renderText('{{satisfaction.current_rating}}', smith, rated('good'))).toBe("Good, I'm satisfied");
    const html = renderNotification({ subject: 's', body: '{{satisfaction.current_comment}}' }, rated('bad'), smith);
    expect(html.ok && html.html).toBe('Too slow &lt;sorry&gt;');
  });

  it('give no links to anyone but the requester, nor after the ticket is closed, nor without a token', () => {
    expect(renderText('[{{satisfaction.rating_section}}{{satisfaction.rating_url}}]', smith, rated('offered'))).toBe('[]');
    expect(renderText('[{{satisfaction.rating_section}}{{satisfaction.rating_url}}]', alice, rated('offered', 'closed'))).toBe('[]');
    expect(renderText('[{{satisfaction.rating_section}}{{satisfaction.current_rating}}]', alice, viewOf())).toBe('[]');
  });
});
