import { silentLogger } from '@mailroom/observability';
import { DrainLoop } from './drain-loop';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits (up to 5 s, so a busy machine does not fail it) until the condition holds. */
const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await tick(10);
  expect(cond()).toBe(true);
};

describe('the senders\' drain loop', () => {
  it('runs again at once while a pass finds work, then waits', async () => {
    const found = [3, 2, 0, 0];
    let passes = 0;
    const loop = new DrainLoop('test', async () => found[passes++] ?? 0, silentLogger, 10_000);
    loop.start();
    await until(() => passes === 3);
    await tick(100);
    expect(passes).toBe(3); // two passes with work, one empty, then asleep for 10 s
    await loop.stop();
  });

  it('a notify that arrives during a pass is not lost: the next pass starts without waiting for the timer', async () => {
    let passes = 0;
    let loop: DrainLoop;
    loop = new DrainLoop('test', async () => {
      passes++;
      if (passes === 1) loop.notify(); // new work queued while this pass ran
      return 0;
    }, silentLogger, 10_000);
    loop.start();
    await until(() => passes === 2); // long before the 10 s timer
    loop.notify();
    await until(() => passes === 3);
    await loop.stop();
  });

  it('a failing pass is logged and retried after the wait; stop ends the loop', async () => {
    const warnings: string[] = [];
    let passes = 0;
    const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    const loop = new DrainLoop('test sender', async () => {
      passes++;
      throw new Error('connection refused');
    }, log, 20);
    loop.start();
    await until(() => passes >= 2);
    await loop.stop();
    const after = passes;
    await tick(50);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(passes).toBe(after);
    expect(warnings[0]).toBe('test sender: database not reachable');
  });
});
