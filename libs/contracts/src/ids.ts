import { createHash } from 'node:crypto';

/**
 * A UUID (version 5 layout) derived from a name: the same name always gives the same id. Used for
 * message ids that must repeat on a retry, so resending a command or a delivery record is a no-op.
 */
export const deterministicUuid = (...parts: (string | number)[]): string => {
  const h = createHash('sha1').update(parts.join('\u001f')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
