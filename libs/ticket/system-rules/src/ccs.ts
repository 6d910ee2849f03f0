/** Zendesk's limit on email CCs per ticket. */
export const MAX_CCS = 48;

export interface CcChange {
  /** The CCs after the change. */
  ccIds: number[];
  /** People who became CCs, in the order asked. */
  added: number[];
  /** CCs who are no longer (the requester, when a CC became the requester). */
  removed: number[];
  /** People asked for who did not fit under `MAX_CCS`. */
  refused: number[];
}

/**
 * System rule: the requester is never also a CC, and a ticket has `MAX_CCS` CCs at most. `requesterId`
 * is the requester after the change, so a CC who becomes the requester leaves the CCs and the new
 * requester is not added as one. Those asked for beyond the limit are refused, the others taken.
 */
export const ccsAfter = (ccIds: readonly number[], requesterId: number, add: readonly number[]): CcChange => {
  const kept = ccIds.filter((c) => c !== requesterId);
  const removed = ccIds.filter((c) => c === requesterId);
  const wanted = [...new Set(add)].filter((c) => c !== requesterId && !kept.includes(c));
  const room = Math.max(0, MAX_CCS - kept.length);
  const added = wanted.slice(0, room);
  return { ccIds: [...kept, ...added], added, removed, refused: wanted.slice(room) };
};
