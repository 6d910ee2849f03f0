import type { System } from './system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the system is at rest: no new mail at the relay, no new event or command in the
 * log, no consumer handling anything, nothing waiting to be sent — all unchanged for `quietMs`.
 * Only then can a test say "and nothing else happened".
 */
export const waitUntilAtRest = async (sys: System, quietMs = 1500, timeoutMs = 60000): Promise<void> => {
  let last = '';
  let since = Date.now();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await sys.database.db.query<{ m: string; i: string; p: string }>(
      `SELECT (SELECT count(*) FROM mailroom_events.messages) AS m, (SELECT count(*) FROM mailroom_events.inbox) AS i,
              (SELECT count(*) FROM notifier.outgoing WHERE status = 'pending') AS p`,
    );
    const key = `${sys.relay.messages.length}/${r.m}/${r.i}/${r.p}`;
    if (key !== last) {
      last = key;
      since = Date.now();
    } else if (Date.now() - since >= quietMs && r.p === '0') return;
    if (Date.now() > deadline) throw new Error(`the system did not come to rest within ${timeoutMs} ms (relay/log/inbox/pending: ${key})`);
    await sleep(100);
  }
};
