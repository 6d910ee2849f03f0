import { MAX_CCS, ccsAfter } from './ccs';

/* The requester is never also a CC, and a ticket has MAX_CCS CCs at most. */

const REQUESTER = 1;

describe('the CCs after a change', () => {
  it('adds each person once, in the order asked, never the requester nor someone already copied', () => {
    expect(ccsAfter([5], REQUESTER, [6, REQUESTER, 5, 6, 7])).toEqual({ ccIds: [5, 6, 7], added: [6, 7], removed: [], refused: [] });
  });

  it('a CC who becomes the requester leaves the CCs, and is not added back in the same change', () => {
    expect(ccsAfter([5, 6], 5, [5, 7])).toEqual({ ccIds: [6, 7], added: [7], removed: [5], refused: [] });
  });

  it(`takes as many as fit under ${MAX_CCS} and refuses the rest`, () => {
    const full = Array.from({ length: MAX_CCS - 1 }, (_, i) => 100 + i);
    expect(ccsAfter(full, REQUESTER, [7, 8, 9])).toEqual({ ccIds: [...full, 7], added: [7], removed: [], refused: [8, 9] });
  });

  it('room freed by the requester leaving counts', () => {
    const full = Array.from({ length: MAX_CCS }, (_, i) => 100 + i);
    expect(ccsAfter(full, 100, [7]).ccIds).toEqual([...full.slice(1), 7]);
  });

  it('nothing asked and nothing to drop changes nothing', () => {
    expect(ccsAfter([5], REQUESTER, [])).toEqual({ ccIds: [5], added: [], removed: [], refused: [] });
  });
});
