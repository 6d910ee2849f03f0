import { createTransport } from 'nodemailer';
import { brokerCounters } from '@mailroom/messaging';
import { eventually } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

/**
 * What one new-ticket mail costs the spine (issue 8): PostgreSQL transactions and broker
 * deliveries, with four agents and the admin and the standard triggers, from SMTP to the last
 * delivery record, the system at rest before and after. Counted, not timed: the figures go to
 * NOTES.md, the test holds the line that an update is one delivery per consumer that binds it.
 */
describe('the cost of one new-ticket mail', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  /** The test's own statements are transactions too: counted, and taken out of the figure. */
  let own = 0;
  const ask = <T>(sql: string) => {
    own++;
    return sys.database.db.query<T>(sql);
  };
  // pg_stat_database is updated when a backend reports (at most every second or so): read it twice a second apart.
  const transactions = async () => Number((await ask<{ n: string }>(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`))[0].n);
  const logRows = async () => Number((await ask<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`))[0].n);
  const delivered = () => Object.values(brokerCounters.delivered).reduce((a, b) => a + b, 0);
  /** At rest: no new log row and no new delivery for a second. */
  const atRest = async () => {
    let last = '';
    let quiet = 0;
    while (quiet < 4) {
      await new Promise((r) => setTimeout(r, 250));
      const now = `${await logRows()}/${delivered()}`;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
  };

  it('is one broker delivery per update a consumer binds, and one consumer transaction per delivery', async () => {
    for (const name of ['Avery', 'Blake', 'Casey', 'Drew']) {
      expect((await sys.api('/users.json', { method: 'POST', body: { user: { name: `${name} Agent`, email: `${name.toLowerCase()}@mailroom.test`, role: 'agent' } } })).status).toBe(201);
    }
    await atRest();
    // What the idle pollers (log processors, the forwarder) cost at rest, per second, taken out below.
    const idle0 = await transactions();
    const idleStart = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const idlePerMs = ((await transactions()) - idle0 - 1) / (Date.now() - idleStart);

    const [tx0, rows0, del0, at0, pub0] = [await transactions(), await logRows(), delivered(), Date.now(), brokerCounters.published];
    const own0 = own;
    const byConsumer0 = { ...brokerCounters.delivered };
    await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', subject: 'Printer on fire', text: 'It is on fire.' });
    await eventually(async () => (await ask(`SELECT 1 FROM mailroom_events.messages WHERE type = 'ticket.notification_delivered'`)).length >= 6 || undefined, 'six notifications delivered', 30000);
    await atRest();
    const rows = (await logRows()) - rows0;
    const deliveries = delivered() - del0;
    await new Promise((r) => setTimeout(r, 1000));
    const pgTransactions = Math.round((await transactions()) - tx0 - (own - own0) - idlePerMs * (Date.now() - at0));
    const byConsumer = Object.fromEntries(Object.entries(brokerCounters.delivered).map(([k, v]) => [k, v - (byConsumer0[k] ?? 0)]).filter(([, v]) => v !== 0));
    console.log(`one new-ticket mail: ${rows} log rows, ${deliveries} broker deliveries ${JSON.stringify(byConsumer)}, ${brokerCounters.published - pub0} publishes, ~${pgTransactions} PostgreSQL transactions (idle pollers taken out)`);
    // Nobody receives delivery records but the ticket service's commands; each update reaches each consumer that binds it once.
    expect(byConsumer['rules.ticket-events']).toBeLessThanOrEqual(3);
    // The scheduler binds the rules' update too since automations run (their changes move its time fields).
    expect(byConsumer['scheduler.ticket-events']).toBeLessThanOrEqual(3);
    expect(byConsumer['notifier.ticket-events']).toBeLessThanOrEqual(3);
    // Create, rule actions, and one record of the six mails' outcomes (the sender records a pass at once).
    expect(byConsumer['ticket.commands']).toBeLessThanOrEqual(3);
  });
});
