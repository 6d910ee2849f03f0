import { CcRulesInput, decideCcs, parseCcBlocklist } from './cc-rules';
import { Address } from './inbound-mail';
import { ccCandidates, MAX_EMAIL_CCS } from './participants';
import { parseSupportAddresses } from './support-addresses';

const a = (address: string, name = ''): Address => ({ address, name });
const support = parseSupportAddresses('Acme <support@acme.test>, help@acme.test');

const run = (o: Partial<CcRulesInput> & Pick<CcRulesInput, 'mail'>) =>
  decideCcs({ supportAddresses: support, requester: a('jane@example.com', 'Jane'), authorMayAddCcs: true, ...o });

describe('decideCcs', () => {
  it.each<[string, Partial<CcRulesInput> & Pick<CcRulesInput, 'mail'>, string[], [string, string][]]>([
    ['nobody when only the support address was written to', { mail: { to: [a('support@acme.test')], cc: [] } }, [], [['support@acme.test', 'support_address']]],
    [
      'To and Cc in order, support addresses and their plus-forms left out',
      { mail: { to: [a('Support+t5-abcdef@ACME.test'), a('bob@example.com')], cc: [a('HELP@acme.test'), a('carol@example.com')] } },
      ['bob@example.com', 'carol@example.com'],
      [
        ['support+t5-abcdef@acme.test', 'support_address'],
        ['help@acme.test', 'support_address'],
      ],
    ],
    ['the requester left out, whatever the case', { mail: { to: [a('support@acme.test')], cc: [a('JANE@example.com'), a('eve@example.com')] } }, ['eve@example.com'], [['support@acme.test', 'support_address'], ['jane@example.com', 'requester']]],
    ['the requester given as a string', { requester: 'Jane@Example.com', mail: { to: [a('jane@example.com')], cc: [] } }, [], [['jane@example.com', 'requester']]],
    ['the author left out', { author: a('Agent@acme.test'), mail: { to: [a('agent@acme.test'), a('bob@example.com')], cc: [] } }, ['bob@example.com'], [['agent@acme.test', 'author']]],
    [
      'each address once, case-insensitively',
      { mail: { to: [a('bob@example.com', 'Bob')], cc: [a('BOB@example.com', 'Robert'), a('bob@example.com')] } },
      ['bob@example.com'],
      [
        ['bob@example.com', 'duplicate'],
        ['bob@example.com', 'duplicate'],
      ],
    ],
    ['existing CCs not added again', { existingCcs: ['Bob@Example.com'], mail: { to: [a('bob@example.com')], cc: [a('carol@example.com')] } }, ['carol@example.com'], [['bob@example.com', 'already_cc']]],
    [
      'unusable addresses left out',
      { mail: { to: [a(''), a('www.example.com')], cc: [a('ok@example.com')] } },
      ['ok@example.com'],
      [
        ['', 'invalid_address'],
        ['www.example.com', 'invalid_address'],
      ],
    ],
    [
      'blocklisted addresses and domains left out',
      { blocklist: ['noreply@vendor.test', '@spam.test', 'Lists.Example.org'], mail: { to: [a('NoReply@vendor.test'), a('x@spam.test')], cc: [a('team@lists.example.org'), a('a@sub.spam.test'), a('ok@vendor.test')] } },
      ['a@sub.spam.test', 'ok@vendor.test'],
      [
        ['noreply@vendor.test', 'blocklisted'],
        ['x@spam.test', 'blocklisted'],
        ['team@lists.example.org', 'blocklisted'],
      ],
    ],
    [
      'nobody from a third party’s reply',
      { authorMayAddCcs: false, author: a('stranger@example.net'), mail: { to: [a('support@acme.test'), a('friend@example.net')], cc: [a('jane@example.com')] } },
      [],
      [
        ['support@acme.test', 'support_address'],
        ['friend@example.net', 'author_not_participant'],
        ['jane@example.com', 'requester'],
      ],
    ],
    ['look-alikes of support addresses kept', { mail: { to: [a('support@acme.test.evil'), a('xsupport@acme.test')], cc: [] } }, ['support@acme.test.evil', 'xsupport@acme.test'], []],
    [
      'only as many as the limit leaves room for',
      { limit: 3, existingCcs: ['old@example.com'], mail: { to: [a('b@example.com'), a('c@example.com')], cc: [a('d@example.com')] } },
      ['b@example.com', 'c@example.com'],
      [['d@example.com', 'limit_reached']],
    ],
    ['nobody when the ticket is full', { limit: 1, existingCcs: ['old@example.com'], mail: { to: [a('b@example.com')], cc: [] } }, [], [['b@example.com', 'limit_reached']]],
  ])('adds %s', (_case, input, added, dropped) => {
    const result = run(input);
    expect(result.add.map((c) => c.address)).toEqual(added);
    expect(result.dropped.map((d) => [d.address, d.reason])).toEqual(dropped);
  });

  it('normalises names like the requester', () => {
    expect(run({ mail: { to: [a('Bob@Example.com', ' Bob  B. ')], cc: [a('carol@example.com')] } }).add).toEqual([
      a('bob@example.com', 'Bob B.'),
      a('carol@example.com', 'carol'),
    ]);
  });

  it(`caps a ticket at ${MAX_EMAIL_CCS} CCs, keeping the first ones`, () => {
    const many = Array.from({ length: 60 }, (_, i) => a(`user${i}@example.com`));
    const existing = ['old1@example.com', 'old2@example.com'];
    const { add, dropped } = run({ existingCcs: existing, mail: { to: many.slice(0, 30), cc: many.slice(30) } });
    expect(add).toHaveLength(MAX_EMAIL_CCS - existing.length);
    expect(add[0].address).toBe('user0@example.com');
    expect(add[add.length - 1].address).toBe('user45@example.com');
    expect(dropped).toHaveLength(14);
    expect(dropped.every((d) => d.reason === 'limit_reached')).toBe(true);
  });

  it('agrees with ccCandidates when there is no history, blocklist or limit to apply', () => {
    const mail = { to: [a('support@acme.test'), a('bob@example.com', 'Bob')], cc: [a('jane@example.com'), a('BOB@example.com'), a('carol@example.com')] };
    expect(run({ mail }).add).toEqual(ccCandidates(mail, support, a('jane@example.com')));
  });

  it('works without a requester', () => {
    expect(run({ requester: null, mail: { to: [a('jane@example.com')], cc: [] } }).add.map((c) => c.address)).toEqual(['jane@example.com']);
  });
});

describe('parseCcBlocklist', () => {
  it.each<[string | null, string[]]>([
    ['a@x.test b.test\n@c.test, d@y.test', ['a@x.test', 'b.test', '@c.test', 'd@y.test']],
    ['', []],
    [null, []],
  ])('%j', (value, expected) => {
    expect(parseCcBlocklist(value)).toEqual(expected);
  });
});
