/**
 * The domain rules on real mail from the third-party corpus beside the checkout (see
 * @mailroom/mail-testing): run when it is there, reported as skipped when not. The same rules on
 * the repository's own fixture mails are in mail-fixtures.spec.ts and always run.
 */
import { readFileSync } from 'node:fs';
import { corpusFile, describeIfCorpus } from '@mailroom/mail-testing';
import { parsedMail } from '../testing/parsed-mail';
import { classifyAutomated } from './automated-mail';
import { dedupeKey } from './dedupe';
import { Address } from './inbound-mail';
import { ccCandidates, requesterOf } from './participants';
import { extractReply } from './reply-extraction';
import { ticketSubject } from './subject';
import { parseSupportAddresses } from './support-addresses';
import { findTicketReference } from './threading';

const load = (file: string) => parsedMail(readFileSync(corpusFile(file)));

describeIfCorpus('classifyAutomated on the corpus', () => {
  const support = parseSupportAddresses('Chatwoot <accounts@chatwoot.com>, care@example.com, support@example.com');

  it.each<[string, string, RegExp]>([
    ['chatwoot/auto_reply.eml', 'auto_reply', /X-Autoreply: yes/],
    ['chatwoot/auto_reply_with_auto_submitted.eml', 'auto_reply', /Auto-Submitted: auto-generated/],
    ['chatwoot/non_utf_encoded_mail.eml', 'auto_reply', /Auto-Submitted: auto-replied/],
    ['chatwoot/bounced_gmail.eml', 'bounce', /delivery-status/],
    ['chatwoot/bounced_with_no_from.eml', 'bounce', /delivery-status/],
    ['chatwoot/variants/bounced_with_no_from.eml', 'bounce', /delivery-status/],
    ['chatwoot/notification.eml', 'from_support_address', /accounts@chatwoot\.com/],
    ['mailparser/delivery-status.eml', 'bounce', /delivery-status/],
    ['mikel-mail/multipart_report_emails/multi_address_bounce1.eml', 'bounce', /delivery-status/],
    ['mikel-mail/multipart_report_emails/multi_address_bounce2.eml', 'bounce', /delivery-status/],
    ['mikel-mail/multipart_report_emails/multipart_report_multiple_status.eml', 'bounce', /delivery-status/],
    ['mikel-mail/multipart_report_emails/report_422.eml', 'bounce', /delivery-status/],
    ['mikel-mail/multipart_report_emails/report_530.eml', 'bounce', /delivery-status/],
  ])('%s is %s', async (file, kind, reason) => {
    const { mail } = await load(file);
    const verdict = classifyAutomated(mail, support);
    expect(verdict?.kind).toBe(kind);
    expect(verdict?.reason).toMatch(reason);
  });

  it.each([
    'chatwoot/support.eml',
    'chatwoot/reply.eml',
    'chatwoot/reply_cc.eml',
    'chatwoot/mail_with_quote.eml',
    'chatwoot/only_text.eml',
    'chatwoot/group_sender_support.eml',
    'chatwoot/forwarder_email.eml',
    'mikel-mail/plain_emails/raw_email_reply.eml',
  ])('%s was written by a person', async (file) => {
    const { mail } = await load(file);
    expect(classifyAutomated(mail, support)).toBeNull();
  });

  it('chatwoot/notification.eml (the help desk’s own mail coming back) passes when its sender is not ours', async () => {
    const { mail } = await load('chatwoot/notification.eml');
    expect(classifyAutomated(mail, parseSupportAddresses('care@example.com'))).toBeNull();
  });
});

describeIfCorpus('participants of corpus mail', () => {
  const support = parseSupportAddresses('care@example.com, Replies <test@example.com>, reply@example.com');

  it.each<[string, Address | null]>([
    ['chatwoot/support_in_reply_to.eml', { address: 'sony@chatwoot.com', name: 'Sony Mathew' }],
    ['chatwoot/malformed_reply_to.eml', { address: 'sender@example.com', name: 'Sender' }],
    ['chatwoot/support_without_sender_name.eml', { address: 'sony@chatwoot.com', name: 'sony' }],
    ['chatwoot/mail_with_uppercase_from.eml', { address: 'test@chatwoot.com', name: 'Test Chatwoot' }],
    ['chatwoot/bounced_with_no_from.eml', null],
  ])('the requester of %s', async (file, expected) => {
    const { mail } = await load(file);
    expect(requesterOf(mail)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['chatwoot/reply_cc.eml', ['test123@example.com']],
    ['chatwoot/reply_uuid_in_cc.eml', []],
    ['chatwoot/support_uppercase.eml', []],
    ['mikel-mail/rfc2822/example03.eml', ['mary@x.test', 'jdoe@example.org', 'one@y.test', 'boss@nil.test', 'sysservices@example.net']],
    ['mikel-mail/rfc2822/example04.eml', ['c@a.test', 'joe@where.test', 'jdoe@one.test']],
  ])('the CCs of %s', async (file, expected) => {
    const { mail } = await load(file);
    expect(ccCandidates(mail, support, requesterOf(mail)).map((a) => a.address)).toEqual(expected);
  });
});

describeIfCorpus('dedupe, threading, reply and subject of corpus mail', () => {
  it('gives the same key to a mail parsed twice, and the derived key to mail without Message-ID', async () => {
    const first = await load('mikel-mail/multi_charset/japanese.eml');
    const second = await load('mikel-mail/multi_charset/japanese.eml');
    expect(first.mail.messageId).toBeNull();
    expect(dedupeKey(first.mail, first.sha256)).toMatch(/^<derived\.[0-9a-f]{64}@mailroom\.invalid>$/);
    expect(dedupeKey(second.mail, second.sha256)).toBe(dedupeKey(first.mail, first.sha256));
  });

  it('gives RFC 2822 example 13 (obsolete syntax) the key of example 1, the same message', async () => {
    const modern = await load('mikel-mail/rfc2822/example01.eml');
    const obsolete = await load('mikel-mail/rfc2822/example13.eml');
    expect(dedupeKey(obsolete.mail, obsolete.sha256)).toBe('<1234@local.machine.example>');
    expect(dedupeKey(modern.mail, modern.sha256)).toBe('<1234@local.machine.example>');
  });

  it('keys mail by its Message-ID with a lower-cased domain', async () => {
    const { mail, sha256 } = await load('chatwoot/reply.eml');
    expect(dedupeKey(mail, sha256)).toBe('<0CB459E0-0336-41DA-BC88-E6E28C697DDB@chatwoot.com>');
  });

  it('threads none of the corpus replies: their references are someone else’s', async () => {
    for (const file of ['chatwoot/reply.eml', 'chatwoot/multiple_in_reply_to.eml', 'chatwoot/references.eml', 'chatwoot/reply_to.eml']) {
      const { mail } = await load(file);
      expect(findTicketReference(mail, null, 'secret')).toBeNull();
    }
  });

  it('cuts the Gmail quote off chatwoot/mail_with_quote.eml', async () => {
    const { mail } = await load('chatwoot/mail_with_quote.eml');
    const { reply, cut } = extractReply(mail.text);
    expect(cut).toBe(true);
    expect(reply.length).toBeGreaterThan(0);
    expect(reply).not.toMatch(/ wrote:|^>/m);
    expect(mail.text.startsWith(reply)).toBe(true);
  });

  it('titles a mail with an empty Subject by its first line', async () => {
    const { mail } = await load('chatwoot/mail_with_no_subject.eml');
    expect(mail.subject).toBe('');
    const title = ticketSubject(mail);
    expect(title).not.toBe('(no subject)');
    expect(mail.text.trimStart().startsWith(title)).toBe(true);
  });
});
