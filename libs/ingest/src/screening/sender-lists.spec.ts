import { checkSenderLists, DEFAULT_RATE_LIMIT, parseSenderLists, rateVerdict, SenderListError } from './sender-lists';

describe('allowlist and blocklist', () => {
  const lists = parseSenderLists('vip@partner.test good.test', 'spam.test reject:evil.test suspend:bob@ok.test reject:bob@ok.test, reject:carl@ok.test');

  it.each([
    ['an allowlisted address', 'VIP@partner.test', 'allowlisted'],
    ['an allowlisted domain, also through a subdomain', 'a@mail.good.test', 'allowlisted'],
    ['a blocklisted domain (suspend)', 'x@spam.test', 'suspend'],
    ['a reject: domain', 'x@evil.test', 'reject'],
    ['suspend and reject both listed: suspend wins', 'bob@ok.test', 'suspend'],
    ['a reject: address', 'carl@ok.test', 'reject'],
    ['someone on neither list', 'jane@customer.test', 'none'],
    ['a look-alike domain', 'x@notspam.test', 'none'],
  ])('%s', (_case, sender, kind) => {
    expect(checkSenderLists(lists, sender).kind).toBe(kind);
  });

  it('with * in the blocklist, only the allowlist gets through, and the allowlist beats the blocklist', () => {
    const closed = parseSenderLists('mondocam.test', '* mondocam.test');
    expect(checkSenderLists(closed, 'a@mondocam.test').kind).toBe('allowlisted');
    expect(checkSenderLists(closed, 'a@elsewhere.test').kind).toBe('not_allowlisted');
  });

  it('refuses an entry that is neither an address nor a domain', () => {
    expect(() => parseSenderLists('not a domain!', '')).toThrow(SenderListError);
    expect(() => parseSenderLists('', 'reject:@@')).toThrow(/blocklist/);
  });
});

describe('per-sender rate limit', () => {
  it.each([
    [1, false, 'process'],
    [20, false, 'process'],
    [21, false, 'suspend'],
    [40, false, 'suspend'],
    [41, false, 'reject'],
    [200, true, 'process'],
    [201, true, 'suspend'],
    [401, true, 'reject'],
  ])('mail number %i (allowlisted: %s) is %s', (n, allowlisted, verdict) => {
    expect(rateVerdict(DEFAULT_RATE_LIMIT, n, allowlisted)).toBe(verdict);
  });
});
