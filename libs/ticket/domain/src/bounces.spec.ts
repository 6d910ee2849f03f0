import { countBounce, DELIVERABLE, SOFT_BOUNCE_LIMIT, type EmailDeliverability } from './bounces';

describe('undeliverable emails', () => {
  it('a hard bounce marks a deliverable email undeliverable at once', () => {
    expect(countBounce(DELIVERABLE, { permanent: true })).toEqual({ undeliverable: true, softBounces: 0, markedNow: true });
  });

  it('soft bounces are counted and the tenth marks the email undeliverable', () => {
    let state: EmailDeliverability = DELIVERABLE;
    const marked: boolean[] = [];
    for (let i = 1; i <= SOFT_BOUNCE_LIMIT; i++) {
      const out = countBounce(state, { permanent: false });
      expect(out.softBounces).toBe(i);
      marked.push(out.markedNow);
      state = out;
    }
    expect(SOFT_BOUNCE_LIMIT).toBe(10);
    expect(marked.slice(0, 9).every((m) => !m)).toBe(true);
    expect(marked[9]).toBe(true);
    expect(state.undeliverable).toBe(true);
  });

  it('nine soft bounces leave the email deliverable', () => {
    const nine = countBounce({ undeliverable: false, softBounces: 8 }, { permanent: false });
    expect(nine).toEqual({ undeliverable: false, softBounces: 9, markedNow: false });
  });

  it('a hard bounce keeps the soft count as it was; further bounces of an undeliverable email mark nothing new', () => {
    const hard = countBounce({ undeliverable: false, softBounces: 3 }, { permanent: true });
    expect(hard).toEqual({ undeliverable: true, softBounces: 3, markedNow: true });
    expect(countBounce(hard, { permanent: true }).markedNow).toBe(false);
    expect(countBounce(hard, { permanent: false })).toEqual({ undeliverable: true, softBounces: 4, markedNow: false });
  });

  it('a second soft report about a mail counted already adds nothing; a hard one still marks', () => {
    expect(countBounce({ undeliverable: false, softBounces: 9 }, { permanent: false, again: true })).toEqual({ undeliverable: false, softBounces: 9, markedNow: false });
    expect(countBounce({ undeliverable: false, softBounces: 9 }, { permanent: true, again: true })).toEqual({ undeliverable: true, softBounces: 9, markedNow: true });
  });

  it('after being marked deliverable again, one soft bounce does not mark the email', () => {
    expect(countBounce(DELIVERABLE, { permanent: false })).toEqual({ undeliverable: false, softBounces: 1, markedNow: false });
  });
});
