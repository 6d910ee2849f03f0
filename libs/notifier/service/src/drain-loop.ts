import type { Logger } from '@mailroom/observability';

/**
 * The loop behind the notifier's senders: runs `runOnce` again as long as it finds work, then
 * waits until `notify()` or `idleMs` (which also picks up retries that fell due). A notify that
 * arrives while a pass is running starts the next pass at once instead of being lost until the
 * timer. A pass that throws (the database away) is logged and retried after the wait.
 */
export class DrainLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private poked = false;

  constructor(
    private readonly name: string,
    private readonly runOnce: () => Promise<number>,
    private readonly log: Logger,
    private readonly idleMs = 1000,
  ) {}

  notify(): void {
    this.poked = true;
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.poked = false;
        let n = 0;
        try {
          n = await this.runOnce();
        } catch (err) {
          this.log.warn(`${this.name}: database not reachable`, { error: (err as Error).message });
        }
        if (!this.running) break;
        if (n === 0 && !this.poked) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, this.idleMs);
            function done() {
              clearTimeout(timer);
              resolve();
            }
            this.wake = done;
          });
          this.wake = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
