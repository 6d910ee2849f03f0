/**
 * The domain rules on the repository's own fixture mails (libs/mail/testing/fixtures): auto-replies,
 * bounces, lists, participants, dedupe, threading, quote cutting and subjects of real mail as
 * mailparser reads it. They run everywhere, a fresh clone included.
 */
import { fixtureMail } from '@mailroom/mail-testing';
import { parsedMail } from '../testing/parsed-mail';
import { classifyAutomated, isOutOfOfficeSubject } from './automated-mail';
import { dedupeKey } from './dedupe';
import { Address } from './inbound-mail';
import { ccCandidates, requesterOf } from './participants';
import { extractReply } from './reply-extraction';
import { NO_SUBJECT, ticketSubject } from './subject';
import { parseSupportAddresses } from './support-addresses';
import { findTicketReference } from './threading';

const load = (fixture: string) => parsedMail(fixtureMail(fixture));
const support = parseSupportAddresses('Acme Support <support@mailroom.test>');

describe('classifyAutomated on the fixture mails', () => {
  it.each<[string, string, RegExp]>([
    ['auto-replies/auto-submitted-out-of-office.eml', 'auto_reply', /^Auto-Submitted: auto-replied$/],
    ['auto-replies/exchange-automatic-reply.eml', 'auto_reply', /^Auto-Submitted: auto-generated$/],
    ['auto-replies/x-autoreply.eml', 'auto_reply', /^X-Autoreply: yes$/],
    ['auto-replies/precedence-auto-reply.eml', 'auto_reply', /^Precedence: auto_reply$/],
    ['auto-replies/list-newsletter.eml', 'list', /^List-Id: /],
    ['auto-replies/from-own-support-address.eml', 'from_support_address', /support@mailroom\.test/],
    ['bounces/hard-5.1.1.eml', 'bounce', /delivery-status/],
    ['bounces/delayed-4.4.7.eml', 'bounce', /delivery-status/],
    ['bounces/two-recipients.eml', 'bounce', /delivery-status/],
    ['bounces/no-from.eml', 'bounce', /delivery-status/],
    ['bounces/x-failed-recipients-only.eml', 'bounce', /^X-Failed-Recipients: moved\.away@oldcompany\.example$/],
  ])('%s is %s', async (fixture, kind, reason) => {
    const { mail } = await load(fixture);
    const verdict = classifyAutomated(mail, support);
    expect(verdict?.kind).toBe(kind);
    expect(verdict?.reason).toMatch(reason);
  });

  it.each([
    // Outlook puts X-Auto-Response-Suppress on ordinary mail, and some clients say Auto-Submitted: no.
    'auto-replies/outlook-person-auto-submitted-no.eml',
    'quoting/gmail-reply.eml',
    'people/reply-with-cc.eml',
    'charsets/iso-2022-jp.eml',
    'structure/outlook-nested.eml',
  ])('%s was written by a person', async (fixture) => {
    const { mail } = await load(fixture);
    expect(classifyAutomated(mail, support)).toBeNull();
  });

  it('names out-of-office answers by their subject, in English and German', async () => {
    for (const fixture of ['auto-replies/auto-submitted-out-of-office.eml', 'auto-replies/exchange-automatic-reply.eml', 'auto-replies/precedence-auto-reply.eml']) {
      expect([fixture, isOutOfOfficeSubject((await load(fixture)).mail.subject)]).toEqual([fixture, true]);
    }
    expect(isOutOfOfficeSubject((await load('auto-replies/x-autoreply.eml')).mail.subject)).toBe(false);
  });
});

describe('participants of the fixture mails', () => {
  it.each<[string, Address | null]>([
    // Reply-To wins, lower-cased; the display name as written.
    ['people/reply-to-and-uppercase.eml', { address: 'maria.lopez@kunde.example', name: 'Maria Lopez' }],
    // A Reply-To without a mailbox is passed over.
    ['people/malformed-reply-to.eml', { address: 'sender@kunde.example', name: 'Sender Name' }],
    // No display name: the local part.
    ['people/no-display-name.eml', { address: 'lena.koehler@kunde.example', name: 'lena.koehler' }],
    // Display names in RFC 2047 encoded-words of other charsets.
    ['charsets/iso-2022-jp.eml', { address: 't.yamada@kokyaku.example', name: '山田 太郎' }],
    ['charsets/koi8-r.eml', { address: 'olga@klient.example', name: 'Ольга Смирнова' }],
    ['bounces/no-from.eml', null],
  ])('the requester of %s', async (fixture, expected) => {
    const { mail } = await load(fixture);
    expect(requesterOf(mail)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    // Neither the support address (plus-addressed too) nor the requester; lower-cased.
    ['people/reply-with-cc.eml', ['jonas.weber@kunde.example']],
    // Addresses inside groups count; an empty group adds nobody.
    ['people/groups-and-undisclosed.eml', ['anna@kunde.example', 'bob@partner.example']],
  ])('the CCs of %s', async (fixture, expected) => {
    const { mail } = await load(fixture);
    expect(ccCandidates(mail, support, requesterOf(mail)).map((a) => a.address)).toEqual(expected);
  });
});

describe('dedupe, threading, reply and subject of the fixture mails', () => {
  it('gives the same key to a mail parsed twice, and the derived key to mail without Message-ID', async () => {
    const first = await load('people/no-message-id.eml');
    const second = await load('people/no-message-id.eml');
    expect(first.mail.messageId).toBeNull();
    expect(dedupeKey(first.mail, first.sha256)).toMatch(/^<derived\.[0-9a-f]{64}@mailroom\.invalid>$/);
    expect(dedupeKey(second.mail, second.sha256)).toBe(dedupeKey(first.mail, first.sha256));
  });

  it('gives a Message-ID in obsolete syntax (spaces, an upper-case domain elsewhere) one key', async () => {
    const obsolete = await load('people/obsolete-syntax.eml');
    const modern = await load('people/modern-syntax.eml');
    expect(dedupeKey(obsolete.mail, obsolete.sha256)).toBe('<20240312.obs@kunde.example>');
    expect(dedupeKey(modern.mail, modern.sha256)).toBe('<20240312.obs@kunde.example>');
  });

  it('keys mail by its Message-ID with the local part as sent and the domain lower-cased', async () => {
    const { mail, sha256 } = await load('people/reply-to-and-uppercase.eml');
    expect(dedupeKey(mail, sha256)).toBe('<Form.Submission.42@tools.kunde.example>');
  });

  it('threads none of the fixture replies: their references are someone else’s', async () => {
    for (const fixture of ['quoting/gmail-reply.eml', 'people/reply-with-cc.eml', 'auto-replies/auto-submitted-out-of-office.eml']) {
      const { mail } = await load(fixture);
      expect(mail.inReplyTo.length).toBeGreaterThan(0);
      expect([fixture, findTicketReference(mail, null, 'secret')]).toEqual([fixture, null]);
    }
  });

  it('cuts the Gmail quote (its header wrapped before "wrote:") off the text of quoting/gmail-reply.eml', async () => {
    const { mail } = await load('quoting/gmail-reply.eml');
    expect(extractReply(mail.text)).toMatchObject({ reply: 'Thanks, that fixed it!', cut: true, cutBy: 'quote_header' });
  });

  it('titles a mail with an empty Subject by its first line', async () => {
    const { mail } = await load('people/no-subject.eml');
    expect(mail.subject).toBe('');
    expect(ticketSubject(mail)).toBe('The scanner on floor 2 jams on every page');
    expect(ticketSubject(mail)).not.toBe(NO_SUBJECT);
  });
});
