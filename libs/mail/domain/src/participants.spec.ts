import { Address, InboundMail } from './inbound-mail';
import { ccCandidates, MAX_EMAIL_CCS, requesterOf } from './participants';
import { parseSupportAddresses } from './support-addresses';

const a = (address: string, name = ''): Address => ({ address, name });

describe('requesterOf', () => {
  it.each<[string, Pick<InboundMail, 'from' | 'replyTo'>, Address | null]>([
    ['From when there is no Reply-To', { from: a('jane@example.com', 'Jane Doe'), replyTo: [] }, a('jane@example.com', 'Jane Doe')],
    [
      'Reply-To over From',
      { from: a('noreply@shop.test', 'Shop'), replyTo: [a('buyer@example.com', 'Buyer')] },
      a('buyer@example.com', 'Buyer'),
    ],
    [
      'the first Reply-To of several',
      { from: a('x@example.com'), replyTo: [a('first@example.com', 'First'), a('second@example.com', 'Second')] },
      a('first@example.com', 'First'),
    ],
    [
      'the next Reply-To when the first is unusable',
      { from: a('x@example.com'), replyTo: [a('', '""'), a('second@example.com', 'Second')] },
      a('second@example.com', 'Second'),
    ],
    [
      'From when every Reply-To is unusable',
      { from: a('SENDER@EXAMPLE.COM', 'Sender'), replyTo: [a('', '""'), a('not an address')] },
      a('sender@example.com', 'Sender'),
    ],
    ['a lower-cased address', { from: a('Jane.Doe@Example.COM', 'Jane'), replyTo: [] }, a('jane.doe@example.com', 'Jane')],
    ['a trimmed, single-spaced name', { from: a('jane@example.com', '  Jane \n  Doe '), replyTo: [] }, a('jane@example.com', 'Jane Doe')],
    ['a name without its quotes', { from: a('jane@example.com', '"Jane Doe"'), replyTo: [] }, a('jane@example.com', 'Jane Doe')],
    ['the local part when there is no name', { from: a('<Jane.Doe@example.com>', ' '), replyTo: [] }, a('jane.doe@example.com', 'jane.doe')],
    ['null when From has no address', { from: a('', 'Mail Delivery System'), replyTo: [] }, null],
    ['null when there is no From', { from: null, replyTo: [] }, null],
  ])('takes %s', (_case, mail, expected) => {
    expect(requesterOf(mail)).toEqual(expected);
  });
});

describe('ccCandidates', () => {
  const support = parseSupportAddresses('Acme <support@acme.test>, help@acme.test');
  const requester = a('jane@example.com', 'Jane');

  it.each<[string, Pick<InboundMail, 'to' | 'cc'>, string[]]>([
    ['nobody when only the support address was written to', { to: [a('support@acme.test')], cc: [] }, []],
    [
      'To and Cc in order, support addresses left out',
      { to: [a('support@acme.test'), a('bob@example.com', 'Bob')], cc: [a('help@acme.test'), a('carol@example.com')] },
      ['bob@example.com', 'carol@example.com'],
    ],
    [
      'plus-addressed and differently cased support addresses left out',
      { to: [a('Support+t5-abcdefabcdefabcd@ACME.test')], cc: [a('HELP@acme.test'), a('dave@example.com')] },
      ['dave@example.com'],
    ],
    ['the requester left out, whatever the case', { to: [a('support@acme.test')], cc: [a('JANE@example.com'), a('eve@example.com')] }, ['eve@example.com']],
    [
      'each address once',
      { to: [a('bob@example.com', 'Bob')], cc: [a('BOB@example.com', 'Robert'), a('bob@example.com')] },
      ['bob@example.com'],
    ],
    ['unusable addresses left out', { to: [a(''), a('www.example.com'), a('a b@example.com')], cc: [a('ok@example.com')] }, ['ok@example.com']],
    [
      'look-alikes of support addresses kept',
      { to: [a('support@acme.test.evil'), a('xsupport@acme.test')], cc: [] },
      ['support@acme.test.evil', 'xsupport@acme.test'],
    ],
  ])('gives %s', (_case, mail, expected) => {
    expect(ccCandidates(mail, support, requester).map((c) => c.address)).toEqual(expected);
  });

  it('normalises names like the requester', () => {
    expect(ccCandidates({ to: [a('Bob@Example.com', ' Bob  B. ')], cc: [a('carol@example.com')] }, support, requester)).toEqual([
      a('bob@example.com', 'Bob B.'),
      a('carol@example.com', 'carol'),
    ]);
  });

  it(`stops at ${MAX_EMAIL_CCS}, keeping the first ones`, () => {
    const many = Array.from({ length: 60 }, (_, i) => a(`user${i}@example.com`));
    const result = ccCandidates({ to: many.slice(0, 30), cc: many.slice(30) }, support, requester);
    expect(result).toHaveLength(48);
    expect(result[0].address).toBe('user0@example.com');
    expect(result[47].address).toBe('user47@example.com');
  });

  it('works without a requester', () => {
    expect(ccCandidates({ to: [a('jane@example.com')], cc: [] }, support, null).map((c) => c.address)).toEqual(['jane@example.com']);
  });
});
