import { connect } from 'amqplib';
import { topologyFor } from '@mailroom/contracts';
import { INGEST_COMMANDS_QUEUE, MAIL_WORKER_QUEUE } from '@mailroom/ingest';
import { declareTopology, type QueueSpec } from '@mailroom/messaging';
import { NOTIFIER_QUEUE } from '@mailroom/notifier';
import { RULES_QUEUE } from '@mailroom/rules';
import { SCHEDULER_QUEUE } from '@mailroom/scheduler';
import { TICKET_COMMANDS_QUEUE } from '@mailroom/ticket';

/** Every queue of every service: declared at once by `npm start` (and again by each service at start-up). */
export const ALL_QUEUES: QueueSpec[] = [MAIL_WORKER_QUEUE, INGEST_COMMANDS_QUEUE, TICKET_COMMANDS_QUEUE, RULES_QUEUE, SCHEDULER_QUEUE, NOTIFIER_QUEUE];

export const declareAll = async (amqpUrl: string, namespace: string): Promise<void> => {
  const conn = await connect(amqpUrl);
  try {
    const ch = await conn.createChannel();
    await declareTopology(ch, topologyFor(namespace), ALL_QUEUES);
    await ch.close();
  } finally {
    await conn.close();
  }
};
