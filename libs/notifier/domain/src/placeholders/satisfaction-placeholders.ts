import { SafeHtml, escapeHtml } from '../html';
import type { NotificationView, Person, SatisfactionScore } from '../notification-view';
import type { PlaceholderFormat } from './comment-placeholders';
import { satisfactionUrl } from './ticket-links';

const SCORE_LABELS: Readonly<Record<SatisfactionScore, string>> = {
  unoffered: '',
  offered: 'Offered',
  good: "Good, I'm satisfied",
  bad: "Bad, I'm unsatisfied",
};

const QUESTION = 'How would you rate the support you received?';

/**
 * `{{satisfaction.*}}`: the legacy rating section and links, and the newer survey names for the
 * same thing. The links are personal: only the requester gets them (agents cannot rate, even on
 * their own tickets), and not once the ticket is closed, when ratings are no longer taken.
 */
export const satisfactionPlaceholders = (view: NotificationView, recipient: Person, format: PlaceholderFormat) => {
  const s = view.satisfaction ?? { score: 'unoffered' as const, comment: null, token: null };
  const canRate = !!s.token && recipient.id === view.ticket.requester.id && recipient.role === 'end_user' && view.ticket.status !== 'closed';
  const url = canRate ? satisfactionUrl(view, s.token!) : '';
  const good = canRate ? satisfactionUrl(view, s.token!, 'good') : '';
  const bad = canRate ? satisfactionUrl(view, s.token!, 'bad') : '';

  let section: SafeHtml | string = '';
  if (canRate) {
    section =
      format === 'html'
        ? new SafeHtml(
            `<p style="margin:0 0 8px">${escapeHtml(QUESTION)}</p>` +
              `<p style="margin:0 0 12px"><a href="${escapeHtml(good)}">${escapeHtml(SCORE_LABELS.good)}</a>` +
              ` &nbsp;|&nbsp; <a href="${escapeHtml(bad)}">${escapeHtml(SCORE_LABELS.bad)}</a></p>`,
          )
        : `${QUESTION}\n\n${SCORE_LABELS.good}:\n${good}\n\n${SCORE_LABELS.bad}:\n${bad}`;
  }

  return {
    rating_section: section,
    rating_url: url,
    positive_rating_url: good,
    negative_rating_url: bad,
    survey_section: section,
    survey_url: url,
    current_rating: SCORE_LABELS[s.score],
    current_comment: s.comment ?? '',
  };
};
