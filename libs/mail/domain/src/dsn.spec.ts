import { readFileSync } from 'node:fs';
import { corpusFile, describeIfCorpus, fixtureMail } from '@mailroom/mail-testing';
import { parsedMail } from '../testing/parsed-mail';
import { parseDeliveryReport } from './dsn';
import { InboundMail } from './inbound-mail';
import { notificationMessageId, ticketIdFromMessageId } from './message-ids';

const plain = (text: string, headers: Record<string, string[]> = {}, over: Partial<Pick<InboundMail, 'inReplyTo' | 'references'>> = {}) => ({ text, headers, inReplyTo: [], references: [], ...over });

describe('parseDeliveryReport on the fixture bounces', () => {
  const report = async (fixture: string) => {
    const { mail, parts } = await parsedMail(fixtureMail(fixture));
    return parseDeliveryReport(mail, parts);
  };

  it('reads a hard 5.1.1 failure (RFC 3464), its folded diagnostic, and our bounced notification', async () => {
    const r = (await report('bounces/hard-5.1.1.eml'))!;
    expect(r.reportingMta).toBe('mx.kunde.example');
    expect(r.recipients).toEqual([
      {
        address: 'former.employee@kunde.example',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <former.employee@kunde.example>: Recipient address rejected: User unknown',
        permanent: true,
      },
    ]);
    expect(r.originalMessageId).toBe('<notification.7.2f4e@mailroom.test>');
    expect(r.originalSubject).toBe('[Acme] Re: Printer in the office');
  });

  it('reads a delayed 4.4.7 warning as transient', async () => {
    const r = (await report('bounces/delayed-4.4.7.eml'))!;
    expect(r.recipients).toEqual([expect.objectContaining({ address: 'slow.inbox@customer.example', action: 'delayed', status: '4.4.7', permanent: false })]);
    expect(r.originalMessageId).toBe('<notification.9.77aa@mailroom.test>');
  });

  it('reads every recipient of a bounce to two addresses, from the status fields rather than X-Failed-Recipients', async () => {
    const r = (await report('bounces/two-recipients.eml'))!;
    expect(r.recipients).toEqual([
      expect.objectContaining({ address: 'nobody@partner.example', action: 'failed', status: '5.1.1', permanent: true }),
      expect.objectContaining({ address: 'full.inbox@partner.example', action: 'failed', status: '5.2.2', permanent: true }),
    ]);
    expect(r.originalMessageId).toBe('<notification.12.c0ffee@mailroom.test>');
  });

  it('falls back to X-Failed-Recipients and the In-Reply-To of a bounce without status fields', async () => {
    const r = (await report('bounces/x-failed-recipients-only.eml'))!;
    expect(r.recipients).toEqual([expect.objectContaining({ address: 'moved.away@oldcompany.example', status: null, permanent: true })]);
    expect(r.originalMessageIds).toEqual(['<notification.15.beef@mailroom.test>']);
  });

  it('reads a bounce that has no From', async () => {
    expect((await report('bounces/no-from.eml'))!.recipients).toEqual([expect.objectContaining({ address: 'ghost@gateway.example', action: 'failed', status: '5.0.0', permanent: true })]);
  });

  it('finds no report in an out-of-office answer', async () => {
    expect(await report('auto-replies/auto-submitted-out-of-office.eml')).toBeNull();
  });
});

describeIfCorpus('parseDeliveryReport on the corpus bounces', () => {
  it.each<[string, { address: string; action: string; status: string | null; permanent: boolean }[], RegExp | null]>([
    // Its delivery-status part is empty: X-Failed-Recipients names the address.
    ['chatwoot/bounced_gmail.eml', [{ address: 'alex.jones@fictionalcorp.com', action: 'failed', status: null, permanent: true }], /^<conversation\/93775311/],
    ['mailparser/delivery-status.eml', [{ address: 'xxxx@xxxx.com', action: 'failed', status: '5.1.1', permanent: true }], /@email\.ama/],
    ['mikel-mail/multipart_report_emails/report_530.eml', [{ address: 'edwin@zzzzzzz.com', action: 'failed', status: '5.3.0', permanent: true }], /./],
    ['mikel-mail/multipart_report_emails/report_422.eml', [{ address: expect.any(String), action: 'delayed', status: '4.2.2', permanent: false }] as never, null],
  ])('%s', async (file, recipients, messageId) => {
    const { mail, parts } = await parsedMail(readFileSync(corpusFile(file)));
    const report = parseDeliveryReport(mail, parts);
    expect(report?.recipients).toEqual(recipients.map((r) => expect.objectContaining(r)));
    if (messageId) expect(report?.originalMessageId).toMatch(messageId);
  });

  it('reads every recipient of a multi-address bounce', async () => {
    const { mail, parts } = await parsedMail(readFileSync(corpusFile('mikel-mail/multipart_report_emails/multi_address_bounce1.eml')));
    const report = parseDeliveryReport(mail, parts)!;
    expect(report.recipients.length).toBeGreaterThanOrEqual(2);
    expect(report.recipients.every((r) => r.action === 'failed' && r.address.includes('@'))).toBe(true);
  });
});

describe('parseDeliveryReport', () => {
  const status = ['Reporting-MTA: dns; mx.customer.test', '', 'Final-Recipient: rfc822; <Jane@Customer.test>', 'Original-Recipient: rfc822;jane@customer.test', 'Action: failed', 'Status: 5.1.1 (user unknown)', 'Diagnostic-Code: smtp; 550 5.1.1', '  <jane@customer.test>: Recipient address rejected'].join('\r\n');

  it('takes the status fields from a delivery-status part, unfolding continuation lines', () => {
    const report = parseDeliveryReport(plain('Your message could not be delivered.'), [{ contentType: 'message/delivery-status', content: status }])!;
    expect(report.reportingMta).toBe('mx.customer.test');
    expect(report.recipients).toEqual([{ address: 'jane@customer.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <jane@customer.test>: Recipient address rejected', permanent: true }]);
  });

  it('finds the ticket of a bounced notification of ours from the returned headers', () => {
    const ours = notificationMessageId(42, '0b7c6d1e-0000-4000-8000-000000000001', 'mailroom.test', 'the-secret');
    const returned = `From: Acme Support <support@mailroom.test>\r\nTo: jane@customer.test\r\nSubject: [Acme] Printer\r\nMessage-ID: ${ours}\r\n\r\nbody`;
    const report = parseDeliveryReport(plain(''), [{ contentType: 'message/delivery-status', content: status }, { contentType: 'text/rfc822-headers', content: returned }])!;
    expect(report.originalMessageId).toBe(ours);
    expect(report.originalSubject).toBe('[Acme] Printer');
    expect(ticketIdFromMessageId(report.originalMessageId!, 'the-secret')).toBe(42);
  });

  it("falls back to the report's own In-Reply-To when the original headers are missing", () => {
    const report = parseDeliveryReport(plain(status, {}, { inReplyTo: ['<orig@mailroom.test>'] }))!;
    expect(report.originalMessageIds).toEqual(['<orig@mailroom.test>']);
  });

  it('treats delays and 4.x.x failures as transient', () => {
    const delayed = status.replace('Action: failed', 'Action: delayed').replace('5.1.1 (user unknown)', '4.4.7');
    expect(parseDeliveryReport(plain(delayed))!.recipients[0]).toMatchObject({ action: 'delayed', status: '4.4.7', permanent: false });
    const soft = status.replace('5.1.1 (user unknown)', '4.2.2');
    expect(parseDeliveryReport(plain(soft))!.recipients[0].permanent).toBe(false);
  });

  it('uses X-Failed-Recipients when there are no status fields', () => {
    const report = parseDeliveryReport(plain('Delivery failed', { 'x-failed-recipients': ['a@x.test, B@y.test'] }))!;
    expect(report.recipients.map((r) => [r.address, r.permanent])).toEqual([['a@x.test', true], ['b@y.test', true]]);
  });

  it('ignores non-mail recipient types and returns null when no recipient is named', () => {
    expect(parseDeliveryReport(plain('Final-Recipient: x400; /C=US/\nAction: failed'))).toBeNull();
    expect(parseDeliveryReport(plain('Hello, I am out of the office until Monday.'))).toBeNull();
  });
});
