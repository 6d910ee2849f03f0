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
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

export class BlockedTarget extends Error {}

/** True when the address is not a public one. IPv4-mapped IPv6 addresses are judged as IPv4. */
export const isBlockedAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) return BLOCKED.check(address, 'ipv6');
  return true; // not an address at all: refuse
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
