/**
 * A DNS zone of a test's own for sender authentication (mailauth's `resolver` option), so no test
 * ever asks the internet. Keys are `name TYPE` (`example.com TXT`, `sel._domainkey.example.com
 * TXT`); a TXT value is a string or the strings of one record. Unknown names answer ENOTFOUND,
 * as a real resolver does for a name that does not exist; `temporaryFailure` names answer
 * ETIMEOUT, for the DNS-outage path.
 */
export type FakeDnsZone = Record<string, (string | string[])[]>;

export const fakeDnsResolver =
  (zone: FakeDnsZone, temporaryFailure: readonly string[] = []) =>
  async (name: string, type: string): Promise<string[][] | string[]> => {
    const host = name.toLowerCase().replace(/\.$/, '');
    if (temporaryFailure.includes(host)) throw Object.assign(new Error(`query ${type} ETIMEOUT ${host}`), { code: 'ETIMEOUT' });
    const records = zone[`${host} ${type.toUpperCase()}`];
    if (!records) throw Object.assign(new Error(`query ${type} ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    if (type.toUpperCase() === 'TXT') return records.map((r) => (Array.isArray(r) ? r : [r]));
    return records.map((r) => (Array.isArray(r) ? r.join('') : r));
  };

/** The SPF record that lets mail for `domain` come from the loopback addresses tests send from. */
export const loopbackSpf = (domain: string): FakeDnsZone => ({ [`${domain} TXT`]: ['v=spf1 ip4:127.0.0.0/8 ip6:::1 -all'] });
