/**
 * The rating page a requester opens from their survey mail: plain HTML, no script, styles inline.
 * Every value is escaped; nothing the customer wrote is interpreted.
 */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string): string =>
  `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
</head>
<body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;color:#222">
${body}
</body>
</html>
`;

export interface RatingForm {
  accountName: string;
  ticketId: number;
  subject: string;
  /** The link's own URL (path and query): the form posts back to it. */
  action: string;
  score: 'good' | 'bad' | null;
  comment: string;
}

export const ratingFormPage = (f: RatingForm): string =>
  page(
    `${f.accountName}: rate your support`,
    `<h1 style="font-size:1.4em">How would you rate the support you received?</h1>
<p>Request #${f.ticketId}: ${esc(f.subject)}</p>
<form method="post" action="${esc(f.action)}" enctype="application/x-www-form-urlencoded">
<p><label><input type="radio" name="score" value="good"${f.score === 'good' ? ' checked' : ''} required> Good, I'm satisfied</label></p>
<p><label><input type="radio" name="score" value="bad"${f.score === 'bad' ? ' checked' : ''}> Bad, I'm unsatisfied</label></p>
<p><label for="comment">Anything you would like to add? (optional)</label><br>
<textarea id="comment" name="comment" rows="5" cols="50" maxlength="5000">${esc(f.comment)}</textarea></p>
<p><button type="submit">Submit rating</button></p>
</form>`,
  );

export const thankYouPage = (accountName: string, ticketId: number, score: 'good' | 'bad'): string =>
  page(
    `${accountName}: thank you`,
    `<h1 style="font-size:1.4em">Thank you for your feedback</h1>
<p>Your rating of request #${ticketId} was recorded: ${score === 'good' ? "Good, I'm satisfied" : "Bad, I'm unsatisfied"}.</p>
<p>You can change it with the same link until the request is closed.</p>`,
  );

export const refusalPage = (accountName: string, message: string): string =>
  page(`${accountName}: rating link`, `<h1 style="font-size:1.4em">This rating link cannot be used</h1>\n<p>${esc(message)}</p>`);
