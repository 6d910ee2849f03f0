import { replyToAddress } from './message-ids';
import { defaultSupportAddress, isSupportAddress, matchSupportAddress, parseSupportAddresses, senderFor, SupportAddress, supportAddressProblem } from './support-addresses';
import { parseTicketToken } from './ticket-token';

describe('parseSupportAddresses', () => {
  it.each<[string, string, Array<Omit<SupportAddress, 'isDefault'>>]>([
    ['a bare address', 'support@acme.test', [{ address: 'support@acme.test', name: '' }]],
    ['a named address, lower-cased', 'Acme Support <Support@Acme.TEST>', [{ address: 'support@acme.test', name: 'Acme Support' }]],
    [
      'several entries, mixed forms, spaces around commas',
      ' Acme Support <support@acme.test> , billing@acme.test,Sales <sales@acme.test>',
      [
        { address: 'support@acme.test', name: 'Acme Support' },
        { address: 'billing@acme.test', name: '' },
        { address: 'sales@acme.test', name: 'Sales' },
      ],
    ],
    [
      'quoted names with commas, escaped quotes and angle brackets inside the quotes',
      '"Acme, Inc. Support" <support@acme.test>, "The \\"Billing\\" team <EU>" <billing@acme.test>',
      [
        { address: 'support@acme.test', name: 'Acme, Inc. Support' },
        { address: 'billing@acme.test', name: 'The "Billing" team <EU>' },
      ],
    ],
    ['a trailing comma', 'support@acme.test,', [{ address: 'support@acme.test', name: '' }]],
    ['a name without space before the bracket', 'Help<help@acme.test>', [{ address: 'help@acme.test', name: 'Help' }]],
  ])('reads %s', (_case, value, expected) => {
    const parsed = parseSupportAddresses(value);
    expect(parsed).toEqual(expected.map((a, i) => ({ ...a, isDefault: i === 0 })));
  });

  it('makes the first entry the only default', () => {
    const parsed = parseSupportAddresses('b@acme.test, a@acme.test, c@acme.test');
    expect(parsed.map((a) => [a.address, a.isDefault])).toEqual([
      ['b@acme.test', true],
      ['a@acme.test', false],
      ['c@acme.test', false],
    ]);
  });

  it.each<[string, string, RegExp]>([
    ['an empty value', '', /at least one support address/],
    ['only blanks and commas', ' , ,', /at least one support address/],
    ['text that is no address', 'support', /"support" is not a valid support address/],
    ['an address without domain', 'Support <support@>', /"Support <support@>" is not a valid/],
    ['a name without brackets', 'Support support@acme.test', /is not a valid support address/],
    ['two @', 'a@b@acme.test', /is not a valid support address/],
    ['an unterminated quote', '"Acme <support@acme.test>', /unterminated quote/],
    ['text after a quoted name', '"Acme" Support <support@acme.test>', /text after the quoted name/],
    ['a stray quote in a name', 'Ac"me" <support@acme.test>', /unexpected character in the name/],
    ['a duplicate, whatever its case', 'support@acme.test, Other <SUPPORT@acme.test>', /support@acme.test is listed twice/],
    ['a plus-address', 'support+x@acme.test', /reserved for ticket tokens/],
  ])('refuses %s with a clear error', (_case, value, message) => {
    expect(() => parseSupportAddresses(value)).toThrow(message);
    expect(() => parseSupportAddresses(value)).toThrow(/^MAILROOM_SUPPORT_ADDRESSES: /);
  });
});

describe('matchSupportAddress', () => {
  const addresses = parseSupportAddresses('Acme <support@acme.test>, help@acme.test');
  const [support, help] = addresses;

  it.each<[string, SupportAddress | null, string | null]>([
    ['support@acme.test', support, null],
    ['SUPPORT@Acme.Test', support, null],
    ['<support@acme.test>', support, null],
    [' help@acme.test ', help, null],
    ['support+t12-abc@acme.test', support, 't12-abc'],
    ['Support+T12-AbC@ACME.test', support, 'T12-AbC'],
    ['help+anything.at-all@acme.test', help, 'anything.at-all'],
    ['support+@acme.test', support, null],
    ['other@acme.test', null, null],
    ['notsupport@acme.test', null, null],
    ['support@acme.test.evil', null, null],
    ['support@evil.test', null, null],
    ['support', null, null],
    ['', null, null],
  ])('%s → %o with tag %s', (rcpt, expected, tag) => {
    const match = matchSupportAddress(rcpt, addresses);
    if (expected === null) {
      expect(match).toBeNull();
      expect(isSupportAddress(rcpt, addresses)).toBe(false);
    } else {
      expect(match).toEqual({ address: expected, tag });
      expect(isSupportAddress(rcpt, addresses)).toBe(true);
    }
  });

  it('hands back the ticket token of the Reply-To our notifications carry', () => {
    const rcpt = replyToAddress('support@acme.test', 31, 'secret');
    const match = matchSupportAddress(rcpt.toUpperCase(), addresses);
    expect(match?.address).toBe(support);
    expect(parseTicketToken(match!.tag!, 'secret')).toBe(31);
  });
});

describe('wildcard support addresses', () => {
  const addresses = parseSupportAddresses('Acme <support@acme.test>, Acme Help <*@help.acme.test>, Billing <billing@help.acme.test>');
  const [support, wildcard, billing] = addresses;

  it('reads a wildcard entry from the configuration, but never as the default', () => {
    expect(wildcard).toEqual({ address: '*@help.acme.test', name: 'Acme Help', isDefault: false });
    expect(() => parseSupportAddresses('*@help.acme.test, support@acme.test')).toThrow(/cannot be the wildcard/);
  });

  it.each<[string, string, string | null]>([
    ['any local part at the domain', 'anything@help.acme.test', null],
    ['in any case', 'Sales.Team@HELP.acme.test', null],
    ['plus-addressed, keeping the tag', 'orders+t12-abc@help.acme.test', 't12-abc'],
  ])('accepts %s as the address written to, named after the wildcard', (_case, rcpt, tag) => {
    const match = matchSupportAddress(rcpt, addresses);
    const mailbox = rcpt.toLowerCase().replace(/\+[^@]*/, '');
    expect(match).toEqual({ address: { address: mailbox, name: 'Acme Help', isDefault: false }, tag, wildcard });
  });

  it('prefers a configured address of that domain over the wildcard', () => {
    expect(matchSupportAddress('billing@help.acme.test', addresses)).toEqual({ address: billing, tag: null });
  });

  it.each([
    ['a subdomain of the wildcard domain', 'a@eu.help.acme.test'],
    ['a parent domain', 'a@acme.test'],
    ['a domain that merely ends like it', 'a@evilhelp.acme.test'],
    ['a lookalike suffix', 'a@help.acme.test.evil'],
    ['the wildcard itself', '*@help.acme.test'],
    ['a local part with a star', 'a*b@help.acme.test'],
    ['a quoted local part', '"a b"@help.acme.test'],
    ['no local part', '@help.acme.test'],
  ])('never accepts %s (no open relay)', (_case, rcpt) => {
    expect(matchSupportAddress(rcpt, addresses)).toBeNull();
  });

  it('sends from the address written to, else from the default', () => {
    expect(senderFor('orders@help.acme.test', addresses)).toEqual({ address: 'orders@help.acme.test', name: 'Acme Help', isDefault: false });
    expect(senderFor('billing@help.acme.test', addresses)).toBe(billing);
    expect(senderFor('gone@acme.test', addresses)).toBe(support);
    expect(senderFor(null, addresses)).toBe(support);
    expect(defaultSupportAddress(addresses)).toBe(support);
  });
});

describe('supportAddressProblem', () => {
  it.each(['support@acme.test', 'first.last@mail.acme.test', '*@help.acme.test'])('accepts %s', (address) => {
    expect(supportAddressProblem(address)).toBeNull();
  });

  it.each<[string, RegExp]>([
    ['support+x@acme.test', /reserved for ticket tokens/],
    ['support', /not a valid email address/],
    ['a b@acme.test', /not a valid email address/],
    ['a*@acme.test', /not a valid email address/],
    ['*@com', /not a valid wildcard/],
    ['*@*.acme.test', /not a valid wildcard/],
    ['*@', /not a valid wildcard/],
    [`${'a'.repeat(250)}@acme.test`, /too long/],
  ])('refuses %s', (address, message) => {
    expect(supportAddressProblem(address)).toMatch(message);
  });
});
