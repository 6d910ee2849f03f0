import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { type DeliveryRecord, sendDeliveryRecords } from './notifier-consumer';

/**
 * The record a sender's pass writes for one ticket (issue 8): one `ticket.record_deliveries`
 * command whose id comes from the mails and their outcomes, so the same pass written again — a
 * retried transaction, a replica that finished the same mails — is the same command, sent once.
 */
describe('recording a pass of delivery outcomes', () => {
  let t: TestDatabase;
  const store = new EventStore();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  const at = '2026-12-01T09:00:00.000Z';
  const sent = (outgoingId: string, to: string): DeliveryRecord => ({ outgoingId, notificationId: 'n-1', outcome: { status: 'delivered', to: [to], messageId: `<${outgoingId}@acme.test>`, relayResponse: '250 OK', at } });
  const commands = async (ticketId: number) =>
    t.db.query<{ id: string; n: number }>(
      `SELECT message_id AS id, jsonb_array_length(data->'deliveries') AS n FROM mailroom_events.messages WHERE type = 'ticket.record_deliveries' AND (data->>'ticketId')::int = $1`,
      [ticketId],
    );

  it('one command per ticket holds all its outcomes; the same outcomes again, in any order, send nothing new', async () => {
    const pass = [sent('o-1', 'jane@customer.test'), sent('o-2', 'avery@acme.test'), sent('o-3', 'blake@acme.test')];
    await t.db.transaction((tx) => sendDeliveryRecords(store, tx, 7, pass));
    await t.db.transaction((tx) => sendDeliveryRecords(store, tx, 7, [...pass].reverse()));
    expect(await commands(7)).toEqual([expect.objectContaining({ n: 3 })]);
  });

  it('a different outcome for the same mail is a new command (the ticket decides whether it counts)', async () => {
    await t.db.transaction((tx) => sendDeliveryRecords(store, tx, 8, [sent('o-4', 'jane@customer.test')]));
    await t.db.transaction((tx) =>
      sendDeliveryRecords(store, tx, 8, [{ outgoingId: 'o-4', notificationId: 'n-1', outcome: { status: 'failed', to: ['jane@customer.test'], error: '550 no', permanent: true, at } }]),
    );
    expect(await commands(8)).toHaveLength(2);
  });
});
