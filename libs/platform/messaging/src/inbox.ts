import { claimedInBatch, type Db } from '@mailroom/database';

/**
 * Exactly-once effects over at-least-once delivery: the inbox row and the effect commit in one
 * transaction, so a redelivered message finds its row and does nothing.
 * Returns false when the message had already been handled.
 *
 * Inside a consumer's batch the broker has inserted the inbox rows of all the batch's messages in
 * one statement and handed only the new ones to their handlers; the row is not inserted again.
 */
export const handleOnce = async (db: Db, consumer: string, messageId: string, work: (tx: Db) => Promise<void>): Promise<boolean> =>
  db.transaction(async (tx) => {
    if (!claimedInBatch(consumer, messageId)) {
      const inserted = await tx.query(
        `INSERT INTO mailroom_events.inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
        [consumer, messageId],
      );
      if (inserted.length === 0) return false;
    }
    await work(tx);
    return true;
  });
