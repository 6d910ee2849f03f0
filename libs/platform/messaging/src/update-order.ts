import { groupIntoUpdates, type Message, type MessageMetadata, topicMatches, type Update } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { RetryLater } from './broker';
import type { QueueSpec } from './topology';

/** An earlier update of the stream, one this consumer binds, has not been handled yet. */
export class UpdateOutOfOrder extends RetryLater {}

/** Whether a consumer's queue receives updates with this routing key. */
export const bindsUpdate = (queue: QueueSpec, routingKey: string): boolean =>
  queue.bindings.some((b) => b.exchange === 'updates' && topicMatches(b.pattern, routingKey));

/**
 * The events of `update` that a per-stream projection standing at `version` (the last stream
 * version it applied) has still to apply, in order: none when it has seen them all. A consumer
 * binds only some update kinds, so its versions have gaps (a ticket's delivery records, for rules);
 * when the update does not follow on, the versions in between are read from the log: if they are
 * all updates this queue does not bind, they are skipped; otherwise one it binds is still on its
 * way (or parked for a retry) and this one waits (RetryLater). The read costs one query, only on
 * the first update after a gap.
 */
export const eventsToApply = async (tx: Db, queue: QueueSpec, version: number, update: Update): Promise<Message[]> => {
  if (update.toVersion <= version) return [];
  if (update.fromVersion <= version + 1) return update.events.filter((e) => e.streamVersion > version);
  const rows = await tx.query<{ message_id: string; kind: 'event' | 'command'; type: string; stream_version: string; metadata: MessageMetadata }>(
    `SELECT message_id, kind, type, stream_version, metadata FROM mailroom_events.messages
     WHERE stream_id = $1 AND stream_version > $2 AND stream_version < $3 ORDER BY stream_version`,
    [update.streamId, version, update.fromVersion],
  );
  const between = rows.map(
    (r): Message => ({ id: r.message_id, kind: r.kind, type: r.type, schemaVersion: 1, streamId: update.streamId, streamVersion: Number(r.stream_version), globalPosition: '0', data: null, metadata: r.metadata }),
  );
  const awaited = between.length === update.fromVersion - version - 1 ? groupIntoUpdates(between).find((u) => bindsUpdate(queue, u.routingKey)) : undefined;
  if (between.length !== update.fromVersion - version - 1 || awaited) {
    throw new UpdateOutOfOrder(
      `${update.streamId}: update at versions ${update.fromVersion}–${update.toVersion} waits for ${awaited ? `${awaited.routingKey} at ${awaited.fromVersion}` : `version ${version + 1}`}`,
    );
  }
  return update.events;
};
