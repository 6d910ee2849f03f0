import { checkLiteralHost, isBlockedAddress } from './target-guard';

/** One address inside each IPv4 range the guard refuses, and the range's name. */
const BLOCKED_IPV4: Array<[string, string]> = [
  ['0.1.2.3', 'this network 0/8'],
  ['10.1.2.3', 'private 10/8'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['127.0.0.1', 'loopback 127/8'],
  ['169.254.169.254', 'link-local 169.254/16 (cloud metadata)'],
  ['172.16.0.1', 'private 172.16/12'],
  ['192.0.0.8', 'IETF protocol assignments 192.0.0/24'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['192.168.1.1', 'private 192.168/16'],
  ['198.18.0.1', 'benchmarking 198.18/15'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.9', 'TEST-NET-3'],
  ['224.0.0.1', 'multicast 224/4'],
  ['255.255.255.255', 'reserved 240/4 and broadcast'],
];
const PUBLIC_IPV4 = ['8.8.8.8', '93.184.216.34', '1.1.1.1'];

/** ::ffff:a.b.c.d written with the IPv4 part in hex, as ::ffff:7f00:1. */
const mappedHex = (ipv4: string): string => {
  const [a, b, c, d] = ipv4.split('.').map(Number);
  return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};

describe('webhook target guard', () => {
  it.each(BLOCKED_IPV4)('refuses %s (%s)', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each(BLOCKED_IPV4)('refuses %s (%s) written as IPv4-mapped IPv6, dotted, hex and in full', (ip) => {
    const forms = [`::ffff:${ip}`, `::FFFF:${ip}`, mappedHex(ip), `0:0:0:0:0:ffff:${ip}`, `0000:0000:0000:0000:0000:ffff:${ip}`];
    expect(forms.filter((f) => !isBlockedAddress(f))).toEqual([]);
  });

  it.each(BLOCKED_IPV4)('refuses %s (%s) written as IPv4-compatible IPv6 and inside 6to4', (ip) => {
    const [a, b, c, d] = ip.split('.').map(Number);
    const sixToFour = `2002:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}::1`;
    expect([`::${ip}`, sixToFour].filter((f) => !isBlockedAddress(f))).toEqual([]);
  });

  it('lets public IPv4 addresses through, also IPv4-mapped', () => {
    const forms = PUBLIC_IPV4.flatMap((ip) => [ip, `::ffff:${ip}`, mappedHex(ip)]);
    expect(forms.filter((f) => isBlockedAddress(f))).toEqual([]);
  });

  it('refuses IPv4-compatible, 6to4, Teredo and NAT64 addresses even around a public IPv4 address', () => {
    // A gateway turns these into IPv4 connections we cannot see, so none is judged by what it embeds.
    for (const a of ['::8.8.8.8', '::808:808', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b::8.8.8.8', '64:ff9b:1::1']) {
      expect([a, isBlockedAddress(a)]).toEqual([a, true]);
    }
  });

  it('refuses the non-public IPv6 ranges: unspecified, loopback, unique-local, link-local, site-local, multicast, documentation', () => {
    for (const a of ['::', '::1', '0:0:0:0:0:0:0:1', 'fd00:ec2::254', 'fc00::1', 'fe80::1', 'fe80::1%eth0', 'fec0::1', 'feff:ffff::1', 'ff02::1', '2001:db8::1', '100::1']) {
      expect([a, isBlockedAddress(a)]).toEqual([a, true]);
    }
  });

  it('lets public IPv6 addresses through', () => {
    for (const a of ['2606:4700:4700::1111', '2a00:1450:4001:81b::200e', '2001:4860:4860::8888']) expect([a, isBlockedAddress(a)]).toEqual([a, false]);
  });

  it('refuses what is not an address', () => {
    expect(isBlockedAddress('not-an-ip')).toBe(true);
    expect(isBlockedAddress('')).toBe(true);
  });

  it('refuses a bracketed IPv6 literal in a URL before connecting, unless private targets are allowed', () => {
    expect(() => checkLiteralHost('[::ffff:7f00:1]', false)).toThrow(/not a public address/);
    expect(() => checkLiteralHost('[fec0::1]', false)).toThrow(/not a public address/);
    expect(() => checkLiteralHost('[::ffff:7f00:1]', true)).not.toThrow();
    expect(() => checkLiteralHost('[2606:4700:4700::1111]', false)).not.toThrow();
  });
});
