import { createHash } from 'node:crypto';

/**
 * A uuid-shaped id (version 5 layout) derived from its inputs, so that evaluating the same update
 * twice — after a redelivery or a version conflict — asks for the same notifications, and the
 * notifier's idempotency by notification id holds.
 */
export const deterministicUuid = (...parts: (string | number)[]): string => {
  const hash = createHash('sha1')
    .update(parts.map((p) => String(p)).join('\u0000'))
    .digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
