import { satisfactionToken, satisfactionTokenTicket, verifySatisfactionToken } from './satisfaction-token';

const ISSUED = '2026-12-01T08:00:00.000Z';
const at = (days: number) => new Date(Date.parse(ISSUED) + days * 24 * 3600 * 1000);

describe('satisfaction rating tokens', () => {
  const token = satisfactionToken(42, 7, ISSUED, 's3cret');

  it('name their ticket in the clear and verify for that ticket and its requester', () => {
    expect(token).toMatch(/^42\.[0-9a-z]+\.[A-Za-z0-9_-]{27}$/);
    expect(satisfactionTokenTicket(token)).toBe(42);
    expect(verifySatisfactionToken(token, 7, 's3cret', at(1))).toEqual({ ok: true, ticketId: 42, issuedAt: new Date(ISSUED) });
  });

  it('refuse another requester, another secret, or the mac moved to another ticket', () => {
    expect(verifySatisfactionToken(token, 8, 's3cret', at(1))).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySatisfactionToken(token, 7, 'other', at(1))).toEqual({ ok: false, reason: 'invalid' });
    const otherTicket = token.replace(/^42\./, '43.');
    expect(verifySatisfactionToken(otherTicket, 7, 's3cret', at(1))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse a changed issue time (a link cannot be made younger)', () => {
    const [id, , m] = token.split('.');
    const younger = `${id}.${Math.floor(at(20).getTime() / 1000).toString(36)}.${m}`;
    expect(verifySatisfactionToken(younger, 7, 's3cret', at(30))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('work for 28 days and not after', () => {
    expect(verifySatisfactionToken(token, 7, 's3cret', at(28)).ok).toBe(true);
    expect(verifySatisfactionToken(token, 7, 's3cret', at(28.01))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse what is not a token', () => {
    for (const t of ['', 'short', '42', '42.abc', `0.${token.split('.')[1]}.${token.split('.')[2]}`, `${token}x`]) {
      expect(verifySatisfactionToken(t, 7, 's3cret', at(1)).ok).toBe(false);
      expect(satisfactionTokenTicket(t)).toBeNull();
    }
  });
});
