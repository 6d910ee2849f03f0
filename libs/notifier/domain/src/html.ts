import { Drop } from 'liquidjs';

/**
 * HTML that Mailroom built itself from escaped text. It is the only value that goes into the HTML
 * part of an email unescaped: every other placeholder value is escaped on output.
 */
export class SafeHtml extends Drop {
  constructor(readonly html: string) {
    super();
  }

  /** What filters and `| raw` see: the markup as a plain string, which gets escaped again on output. */
  override valueOf(): string {
    return this.html;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * Plain text as HTML: escaped, blank lines as paragraph breaks, line breaks as <br>. Built without
 * raw newlines so that the layout's newline handling never touches it. Customer HTML is never
 * trusted: the text form of a comment is escaped instead.
 */
export const textToHtml = (text: string): string => {
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (!normalised) return '';
  return normalised
    .split(/\n{2,}/)
    .map((paragraph) => `<p style="margin:0 0 12px">${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
};
