import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF protection for webhook calls: an endpoint may not reach loopback, private, link-local
 * (cloud metadata), CGNAT, unique-local or other non-public addresses. The check runs on the
 * addresses DNS gives at connect time — checking the URL alone misses names that resolve inward
 * or change between check and call. MAILROOM_WEBHOOK_ALLOW_PRIVATE=true lifts it (tests, or an
 * operator whose receivers live on the internal network).
 */

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
// Forms that carry an IPv4 address are blocked whole rather than judged by the address inside:
// IPv4-compatible (::/96, deprecated by RFC 4291), NAT64 (64:ff9b::/96), 6to4 (2002::/16,
// deprecated by RFC 7526) and Teredo (2001::/32) reach whatever IPv4 host a gateway maps them to,
// and no webhook receiver needs them. Only IPv4-mapped (::ffff:0:0/96) is judged as the IPv4
// address it names, because dual-stack resolvers and sockets really report IPv4 hosts that way.
for (const [net, prefix] of [
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

export class BlockedTarget extends Error {}

/** The 16 bytes of an IPv6 address (already checked by isIP), a trailing dotted quad included. */
const ipv6Bytes = (address: string): number[] => {
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const words = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const front = words(head);
  const back = words(tail);
  const all = tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
};

/**
 * True when the address is not a public one. An IPv4-mapped IPv6 address, written dotted
 * (::ffff:127.0.0.1) or in hex (::ffff:7f00:1), is judged as the IPv4 address it names.
 */
export const isBlockedAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  const bytes = ipv6Bytes(address);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return BLOCKED.check(bytes.slice(12).join('.'), 'ipv4');
  return BLOCKED.check(address.replace(/%.*$/, ''), 'ipv6');
};

const blocked = (host: string, address: string) => new BlockedTarget(`blocked: ${host} resolves to ${address}, which is not a public address (MAILROOM_WEBHOOK_ALLOW_PRIVATE)`);

/** Refuses an IP-literal endpoint before connecting (Node does not look literals up). */
export const checkLiteralHost = (hostname: string, allowPrivate: boolean): void => {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isBlockedAddress(host)) throw blocked(host, host);
};

/** A `lookup` for http.request that fails the connection when any resolved address is blocked. */
export const guardedLookup = (allowPrivate: boolean): LookupFunction =>
  ((hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, options, (err, address, family) => {
      if (err || allowPrivate) return callback(err, address as never, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const bad = all.find(isBlockedAddress);
      if (bad) return callback(blocked(hostname, bad) as NodeJS.ErrnoException, address as never, family);
      callback(null, address as never, family);
    });
  }) as unknown as LookupFunction;
