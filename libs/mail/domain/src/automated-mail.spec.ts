import { AutomatedKind, classifyAutomated, isNoReplyAddress, isOutOfOfficeSubject } from './automated-mail';
import { Address, InboundMail } from './inbound-mail';
import { notificationMessageId, ticketRootMessageId } from './message-ids';
import { parseSupportAddresses } from './support-addresses';

type Mail = Pick<InboundMail, 'messageId' | 'from' | 'headers' | 'returnPath'>;

const support = parseSupportAddresses('Acme <support@acme.test>, help@acme.test');
const jane: Address = { address: 'jane@example.com', name: 'Jane' };
const mail = (headers: Record<string, string[]> = {}, over: Partial<Mail> = {}): Mail => ({
  messageId: '<CAF=abc@mail.gmail.com>',
  from: jane,
  headers,
  returnPath: 'jane@example.com',
  ...over,
});

describe('classifyAutomated', () => {
  it.each<[string, Mail, AutomatedKind, RegExp]>([
    ['Auto-Submitted: auto-replied', mail({ 'auto-submitted': ['auto-replied'] }), 'auto_reply', /Auto-Submitted: auto-replied/],
    ['Auto-Submitted: auto-generated', mail({ 'auto-submitted': ['Auto-Generated'] }), 'auto_reply', /Auto-Submitted/],
    ['Auto-Submitted with a comment', mail({ 'auto-submitted': ['auto-notified (weekly digest)'] }), 'auto_reply', /auto-notified/],
    ['X-Autoreply', mail({ 'x-autoreply': ['yes'] }), 'auto_reply', /X-Autoreply: yes/],
    ['X-Autorespond', mail({ 'x-autorespond': ['Out of office'] }), 'auto_reply', /X-Autorespond/],
    ['Precedence: auto_reply', mail({ precedence: ['auto_reply'] }), 'auto_reply', /Precedence: auto_reply/],
    ['a read receipt', mail({ 'content-type': ['multipart/report; report-type=disposition-notification; boundary="b"'] }), 'auto_reply', /disposition-notification/],
    ['Precedence: bulk', mail({ precedence: ['bulk'] }), 'list', /Precedence: bulk/],
    ['Precedence: junk', mail({ precedence: ['JUNK'] }), 'list', /Precedence: junk/],
    ['Precedence: list', mail({ precedence: ['list'] }), 'list', /Precedence: list/],
    ['List-Id', mail({ 'list-id': ['Riak Users <riak-users.lists.basho.com>'] }), 'list', /List-Id/],
    ['List-Unsubscribe', mail({ 'list-unsubscribe': ['<mailto:leave@news.test>'] }), 'list', /List-Unsubscribe/],
    ['X-Mailing-List', mail({ 'x-mailing-list': ['users@lists.test'] }), 'list', /X-Mailing-List/],
    ['a delivery status report', mail({ 'content-type': ['multipart/report; boundary="x"; report-type="delivery-status"'] }), 'bounce', /delivery-status/],
    ['a bare delivery status', mail({ 'content-type': ['message/delivery-status'] }), 'bounce', /delivery-status/],
    ['X-Failed-Recipients', mail({ 'x-failed-recipients': ['gone@example.com'] }), 'bounce', /gone@example.com/],
    ['From MAILER-DAEMON', mail({}, { from: { address: 'MAILER-DAEMON@mx.example.com', name: 'Mail Delivery Subsystem' } }), 'bounce', /mailer-daemon@mx\.example\.com/],
    ['From postmaster', mail({}, { from: { address: 'postmaster@example.com', name: '' } }), 'bounce', /postmaster@example\.com/],
    ['a mailer-daemon reverse path', mail({}, { returnPath: 'MAILER-DAEMON@example.com' }), 'bounce', /mailer-daemon/],
    ['Sender: mailer-daemon', mail({ sender: ['Mailer Daemon <mailer-daemon@example.com>'] }), 'bounce', /mailer-daemon@example\.com/],
    ['a null reverse path and nothing else', mail({}, { returnPath: '' }), 'bounce', /Return-Path: <>/],
    ['Return-Path: <> when the envelope is unknown', mail({ 'return-path': ['<>'] }, { returnPath: null }), 'bounce', /Return-Path: <>/],
    ['a report despite Auto-Submitted', mail({ 'auto-submitted': ['auto-replied'], 'content-type': ['multipart/report; report-type=delivery-status'] }), 'bounce', /delivery-status/],
    ['an auto-reply from the null sender', mail({ 'auto-submitted': ['auto-replied'] }, { returnPath: '' }), 'auto_reply', /Auto-Submitted/],
    ['From a support address', mail({}, { from: { address: 'Support@Acme.test', name: 'Acme' } }), 'from_support_address', /support@acme\.test/],
    ['From a plus-addressed support address', mail({}, { from: { address: 'help+t1-x@acme.test', name: '' } }), 'from_support_address', /help\+t1-x@acme\.test/],
    ['our notification header', mail({ 'x-mailroom-notification': ['n-1'], 'auto-submitted': ['auto-generated'] }), 'our_notification', /X-Mailroom-Notification/],
    ['our Message-ID', mail({}, { messageId: notificationMessageId(5, 'a1b2', 'mailroom.test', 'any-secret') }), 'our_notification', /one of ours/],
    ['our root Message-ID', mail({}, { messageId: ticketRootMessageId(5, 'mailroom.test', 'any-secret') }), 'our_notification', /one of ours/],
    [
      'our notification sent from a support address',
      mail({ 'x-mailroom-notification': ['n-1'] }, { from: { address: 'support@acme.test', name: '' } }),
      'our_notification',
      /X-Mailroom-Notification/,
    ],
  ])('recognises %s', (_case, input, kind, reason) => {
    const verdict = classifyAutomated(input, support);
    expect(verdict?.kind).toBe(kind);
    expect(verdict?.reason).toMatch(reason);
  });

  it.each<[string, Mail]>([
    ['an ordinary mail', mail()],
    ['Auto-Submitted: no', mail({ 'auto-submitted': ['no'] })],
    ['Auto-Submitted: No (explicitly)', mail({ 'auto-submitted': ['No (a person wrote this)'] })],
    ['X-Autoreply: no', mail({ 'x-autoreply': ['no'] })],
    ['X-Auto-Response-Suppress alone (Outlook puts it on ordinary mail)', mail({ 'x-auto-response-suppress': ['All'] })],
    ['Precedence: first-class', mail({ precedence: ['first-class'] })],
    ['a reply to our notification', mail({ 'in-reply-to': [notificationMessageId(5, 'a1', 'mailroom.test', 's')] })],
    ['a person whose address contains mailer-daemon', mail({}, { from: { address: 'not-mailer-daemon@example.com', name: '' } })],
    ['a look-alike of a support address', mail({}, { from: { address: 'support@acme.test.evil', name: '' } })],
    ['mail without From or reverse path', mail({}, { from: null, returnPath: null })],
    [
      'our support address as a Google Group forwarding customer mail',
      mail({
        'list-id': ['<support.acme.test>'],
        'list-post': ['<mailto:support@acme.test>'],
        'list-unsubscribe': ['<mailto:googlegroups-manage+1+unsubscribe@googlegroups.com>'],
        precedence: ['list'],
        'mailing-list': ['list support@acme.test; contact support+owners@acme.test'],
      }),
    ],
  ])('lets through %s', (_case, input) => {
    expect(classifyAutomated(input, support)).toBeNull();
  });

  it('still flags bulk mail that comes through our own group', () => {
    expect(classifyAutomated(mail({ 'list-id': ['<support.acme.test>'], precedence: ['bulk'] }), support)?.kind).toBe('list');
    expect(classifyAutomated(mail({ 'list-id': ['<support.acme.test>'], 'x-autoreply': ['yes'] }), support)?.kind).toBe('auto_reply');
  });
});

describe('no-reply senders and out-of-office subjects', () => {
  it.each(['noreply@shop.test', 'no-reply@shop.test', 'No_Reply+x@shop.test', 'do-not-reply@bank.test', 'donotreply@bank.test', 'noreply.orders@shop.test'])('%s is a no-reply address', (a) => {
    expect(isNoReplyAddress(a)).toBe(true);
  });
  it.each(['jane@shop.test', 'reply@shop.test', 'nora@shop.test', 'noreply'])('%s is not', (a) => {
    expect(isNoReplyAddress(a)).toBe(false);
  });
  it.each(['Out of Office: Printer', 'Automatic reply: [Acme] Printer', 'Auto-Reply: your mail', 'Abwesenheitsnotiz', 'Réponse automatique : Printer'])('"%s" is out of office', (s) => {
    expect(isOutOfOfficeSubject(s)).toBe(true);
  });
  it.each(['Re: Printer', 'Question about the office chair', 'Automatically generated invoice?'])('"%s" is not', (s) => {
    expect(isOutOfOfficeSubject(s)).toBe(false);
  });
  it('marks a bounce told only by a system sender', () => {
    const v = classifyAutomated(mail({}, { from: { address: 'postmaster@example.com', name: '' } }), support);
    expect(v).toMatchObject({ kind: 'bounce', systemSender: true });
    expect(classifyAutomated(mail({ 'x-failed-recipients': ['a@b.test'] }), support)?.systemSender).toBeUndefined();
  });
});
