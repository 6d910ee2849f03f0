import { normaliseSubject, ticketSubject } from './subject';

describe('normaliseSubject', () => {
  it.each<[string, string]>([
    ['Printer broken', 'Printer broken'],
    ['Re: Printer broken', 'Printer broken'],
    ['RE: Printer broken', 'Printer broken'],
    ['re:Printer broken', 'Printer broken'],
    ['Fwd: Printer broken', 'Printer broken'],
    ['FW: Printer broken', 'Printer broken'],
    ['AW: WG: Printer broken', 'Printer broken'],
    ['SV: VS: Printer broken', 'Printer broken'],
    ['Re: Fwd: RE: AW: SV: Printer broken', 'Printer broken'],
    ['Re[2]: Printer broken', 'Printer broken'],
    ['Re (3) : Printer broken', 'Printer broken'],
    ['TR: RE : Printer broken', 'Printer broken'],
    ['RV: Impresora rota', 'Impresora rota'],
    ['Re：プリンター', 'プリンター'],
    ['  Re:   Printer \t broken  ', 'Printer broken'],
    ['Re: Re: ', ''],
    ['Regarding: the printer', 'Regarding: the printer'],
    ['Review: quarterly numbers', 'Review: quarterly numbers'],
    ['Printer broken (Re: earlier mail)', 'Printer broken (Re: earlier mail)'],
    ['I: cannot log in', 'I: cannot log in'],
  ])('%p → %p', (subject, expected) => {
    expect(normaliseSubject(subject)).toBe(expected);
  });
});

describe('ticketSubject', () => {
  it.each<[string, string, string, string]>([
    ['the subject', 'Printer broken', 'body', 'Printer broken'],
    ['the subject, single-spaced', '  Printer \n broken ', 'body', 'Printer broken'],
    ['the first line of the text when there is no subject', '', 'It prints nothing.\nSecond line', 'It prints nothing.'],
    ['the first non-blank line', '   ', '\r\n  \r\n  Hello   there \r\nmore', 'Hello there'],
    ['at most 80 characters of it', '', 'x'.repeat(100), 'x'.repeat(80)],
    ['80 characters without splitting an emoji', '', `${'x'.repeat(79)}😀😀`, `${'x'.repeat(79)}😀`],
    ['(no subject) when both are empty', '', ' \n\t\n', '(no subject)'],
  ])('is %s', (_case, subject, text, expected) => {
    expect(ticketSubject({ subject, text })).toBe(expected);
  });
});
