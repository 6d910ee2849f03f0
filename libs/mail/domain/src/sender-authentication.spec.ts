import {
  authenticationOutcome,
  decideSenderAuthentication,
  resultsFromAuthenticationResults,
  trustedAuthenticationResults,
  type SenderAuthResults,
} from './sender-authentication';

const results = (r: Partial<SenderAuthResults>): SenderAuthResults => ({ source: 'computed', spf: 'none', dkim: 'none', dmarc: 'none', arc: 'none', fromDomain: 'acme.test', aligned: false, ...r });
const agent = { isStaff: true, isOwnDomain: false };
const customer = { isStaff: false, isOwnDomain: false };

describe('sender authentication policy', () => {
  it('believes an agent whose domain vouches for the mail (DMARC pass)', () => {
    expect(decideSenderAuthentication('agents', agent, results({ dkim: 'pass', dmarc: 'pass', aligned: true }))).toMatchObject({ kind: 'accept', authenticated: true });
  });

  it('suspends mail claiming an agent From with neither SPF nor DKIM for it', () => {
    expect(decideSenderAuthentication('agents', agent, results({ spf: 'fail', dmarc: 'fail' }))).toMatchObject({ kind: 'suspend' });
    expect(decideSenderAuthentication('agents', agent, results({}))).toMatchObject({ kind: 'suspend' });
  });

  it('suspends an agent From signed by some other domain: a signature anyone can get is no proof', () => {
    expect(decideSenderAuthentication('agents', agent, results({ dkim: 'pass', aligned: false }))).toMatchObject({ kind: 'suspend' });
  });

  it('suspends mail in our own domain that does not authenticate, also from no known user', () => {
    expect(decideSenderAuthentication('agents', { isStaff: false, isOwnDomain: true }, results({ spf: 'softfail' }))).toMatchObject({ kind: 'suspend' });
  });

  it('leaves customers’ unauthenticated mail alone under the agents policy, without lending them proof', () => {
    expect(decideSenderAuthentication('agents', customer, null)).toEqual({ kind: 'accept', authenticated: false, potentialSpoofing: false, note: null });
  });

  it('under the all policy suspends a customer whose domain fails DMARC and flags one signed by another domain', () => {
    expect(decideSenderAuthentication('all', customer, results({ spf: 'fail', dmarc: 'fail' }))).toMatchObject({ kind: 'suspend' });
    expect(decideSenderAuthentication('all', customer, results({ dkim: 'pass' }))).toMatchObject({ kind: 'accept', authenticated: false, potentialSpoofing: true });
  });

  it('never loses mail on a DNS outage: staff mail is suspended (recoverable), a customer’s kept and flagged', () => {
    const outage = results({ spf: 'temperror', dmarc: 'temperror' });
    expect(authenticationOutcome(outage)).toBe('temperror');
    expect(decideSenderAuthentication('agents', agent, outage)).toMatchObject({ kind: 'suspend', detail: expect.stringContaining('DNS temporary error') });
    expect(decideSenderAuthentication('all', customer, outage)).toMatchObject({ kind: 'accept', authenticated: false, potentialSpoofing: true });
  });

  it('suspends staff mail that brings no results at all (a relay that added none)', () => {
    expect(decideSenderAuthentication('agents', agent, null)).toMatchObject({ kind: 'suspend' });
  });

  it('believes everyone with the policy off', () => {
    expect(decideSenderAuthentication('off', agent, null)).toMatchObject({ kind: 'accept', authenticated: true });
  });
});

describe('a trusted relay’s Authentication-Results', () => {
  const relayAr = 'mx.acme.test; spf=fail smtp.mailfrom=evil.test; dkim=pass header.d=acme.test header.s=sel; dmarc=pass header.from=acme.test';

  it('counts the relay’s own header at the top of the mail, beside its Received', () => {
    const headers: [string, string][] = [
      ['Received', 'from evil by mx.acme.test'],
      ['Authentication-Results', relayAr],
      ['Received', 'from somewhere'],
      ['From', 'agent@acme.test'],
    ];
    const values = trustedAuthenticationResults(headers, 'MX.acme.test');
    expect(values).toEqual([relayAr]);
    expect(resultsFromAuthenticationResults(values, 'mx.acme.test')).toMatchObject({ source: 'trusted_relay', dkim: 'pass', dmarc: 'pass', spf: 'fail', aligned: true, fromDomain: 'acme.test' });
  });

  it('ignores a header with the relay’s name that came with the mail, below an earlier hop', () => {
    const headers: [string, string][] = [
      ['Received', 'from evil by mx.acme.test'],
      ['Received', 'from evil-laptop by evil.test'],
      ['Authentication-Results', 'mx.acme.test; dmarc=pass header.from=acme.test'],
    ];
    expect(trustedAuthenticationResults(headers, 'mx.acme.test')).toEqual([]);
  });

  it('believes nothing when the topmost Authentication-Results is another server’s', () => {
    const headers: [string, string][] = [
      ['Authentication-Results', 'other.test; dmarc=fail header.from=acme.test'],
      ['Authentication-Results', 'mx.acme.test; dmarc=pass header.from=acme.test'],
    ];
    expect(trustedAuthenticationResults(headers, 'mx.acme.test')).toEqual([]);
  });

  it('reads an unaligned DKIM pass as unaligned, and a (comment) inside the header as nothing', () => {
    const r = resultsFromAuthenticationResults(['mx.acme.test (rspamd 3.8); dkim=pass (good signature) header.d=bulk.test; spf=none smtp.mailfrom=bulk.test; dmarc=none header.from=acme.test'], 'mx.acme.test')!;
    expect(r).toMatchObject({ dkim: 'pass', dmarc: 'none', aligned: false });
    expect(authenticationOutcome(r)).toBe('unaligned');
  });
});
