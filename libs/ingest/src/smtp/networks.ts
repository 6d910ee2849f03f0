import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is the IPv4 address it wraps. */
export const plainAddress = (ip: string): string => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);

/**
 * Networks whose clients skip the per-address limits: typically the relaying MTA, which speaks
 * for many senders from one address. A list like `127.0.0.0/8,::1/128,10.1.2.3`.
 */
export const trustedNetworks = (list: string): { has(ip: string): boolean } => {
  const blocks = new BlockList();
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address, bits] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!family) throw new Error(`not an IP address: "${entry}"`);
    if (bits === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(bits), family);
  }
  return {
    has: (ip) => {
      const address = plainAddress(ip);
      const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
      return family !== null && blocks.check(address, family);
    },
  };
};
