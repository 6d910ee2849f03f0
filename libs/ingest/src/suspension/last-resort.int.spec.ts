import { createHash, randomUUID } from 'node:crypto';
import { mailStreamId, type Message } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { Broker, deleteTopology, type ConsumerSpec } from '@mailroom/messaging';
import { createTestDatabase, eventually, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { fixedAddressBook } from '../support-address-book';
import { suspendUnprocessableMail } from './last-resort';
import { receivedMailOf } from '../mail-worker';

/**
 * A mail whose handling fails on every attempt (here: a worker that always throws, the stand-in
 * for a bug nobody has found yet) is suspended as `unprocessable_email` once the broker has used
 * up its attempts — never left only in the dead-letter queue. Real PostgreSQL and RabbitMQ.
 */
describe('the last resort for a mail the worker cannot handle', () => {
  let database: TestDatabase;
  let broker: Broker;
  const namespace = testNamespace();
  const store = new EventStore();
  const addresses = fixedAddressBook(parseSupportAddresses('Acme Support <support@mailroom.test>'));
  const consumers = ['test.broken-worker', 'test.broken-everything'];
  const logged: string[] = [];
  const attempts: number[] = [];

  const deliverTo = (consumer: string, m: Message) =>
    broker.publish('', broker.topology.queue(consumer), Buffer.from(JSON.stringify(m)), { messageId: m.id });
  const consume = (spec: Omit<ConsumerSpec, 'bindings' | 'maxAttempts' | 'retryDelaysMs'>) =>
    broker.consume({ bindings: [{ exchange: 'updates', pattern: 'mail.received' }], maxAttempts: 3, retryDelaysMs: [50], ...spec });

  beforeAll(async () => {
    database = await createTestDatabase();
    broker = new Broker({ url: TEST_AMQP_URL, namespace, connectionName: 'last-resort-test', log: (level, msg) => logged.push(`${level}: ${msg}`) });
    // Both consumers before connecting: their queues exist before anything peeks at them.
    consume({
      name: consumers[0],
      handlers: {
        updates: [
          [
            'mail.received',
            async (_u, delivery) => {
              attempts.push(delivery.attempt);
              throw new Error('cannot read property of undefined (the bug)');
            },
          ],
        ],
      },
      lastResort: (input, failure) => suspendUnprocessableMail({ db: database.db, store, addresses }, receivedMailOf(input), failure),
    });
    consume({
      name: consumers[1],
      handlers: {
        updates: [
          [
            'mail.received',
            async () => {
              throw new Error('the worker is broken');
            },
          ],
        ],
      },
      lastResort: async () => {
        throw new Error('and so is the database');
      },
    });
    broker.start();
    await broker.waitUntilConnected();
  });
  afterAll(async () => {
    await broker?.close();
    await database?.drop();
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, broker.topology, consumers.map((name) => ({ name, bindings: [] })));
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  /** A mail as the SMTP edge stores it, and the `mail.received` the broker would deliver for it. */
  const storedMail = async (): Promise<{ mailId: string; message: Message }> => {
    const mailId = randomUUID();
    const raw = Buffer.from('From: jane@customer.test\r\nTo: support@mailroom.test\r\nSubject: Printer\r\n\r\nIt is on fire.\r\n');
    await database.db.query(
      `INSERT INTO ingest.raw_mail (id, received_at, mail_from, rcpt_to, remote_address, size, sha256, raw) VALUES ($1, now(), 'jane@customer.test', $2, '127.0.0.1', $3, $4, $5)`,
      [mailId, ['support+t9-x@mailroom.test'], raw.length, createHash('sha256').update(raw).digest('hex'), raw],
    );
    const message: Message = {
      id: randomUUID(),
      kind: 'event',
      type: 'mail.received',
      schemaVersion: 1,
      streamId: mailStreamId(mailId),
      streamVersion: 1,
      globalPosition: '1',
      data: { mailId, mailFrom: 'jane@customer.test', rcptTo: ['support+t9-x@mailroom.test'], size: raw.length, remoteAddress: '127.0.0.1', receivedAt: new Date().toISOString() },
      metadata: { occurredAt: new Date().toISOString() },
    };
    return { mailId, message };
  };
  it('suspends the mail with the error once the attempts are used up, and the dead-letter queue stays empty', async () => {
    const { mailId, message } = await storedMail();
    await deliverTo(consumers[0], message);

    const [suspended] = await eventually(
      async () => {
        const rows = await database.db.query<{ cause: string; detail: string; recipient: string | null; subject: string | null }>(`SELECT cause, detail, recipient, subject FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId]);
        return rows.length ? rows : undefined;
      },
      'the suspended ticket',
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(suspended).toEqual({ cause: 'unprocessable_email', detail: 'processing failed 3 times, set aside: cannot read property of undefined (the bug)', recipient: 'support@mailroom.test', subject: null });
    const [routed] = await database.db.query<{ data: { outcome: string; cause: string } }>(`SELECT data FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'mail.routed'`, [mailStreamId(mailId)]);
    expect(routed.data).toMatchObject({ outcome: 'suspended', cause: 'unprocessable_email' });
    expect(await broker.peekDeadLetters(consumers[0])).toEqual([]);

    // Delivered once more (a broker redelivery): the inbox row says it is handled.
    await suspendUnprocessableMail({ db: database.db, store, addresses }, message, { attempts: 9, error: 'again' });
    expect(await database.db.query(`SELECT detail FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId])).toEqual([{ detail: suspended.detail }]);
  });

  it('dead-letters the message only when setting the mail aside fails as well', async () => {
    const { message } = await storedMail();
    await deliverTo(consumers[1], message);
    const [dead] = await eventually(async () => {
      const d = await broker.peekDeadLetters(consumers[1]);
      return d.length ? d : undefined;
    }, 'the dead letter');
    expect(dead).toMatchObject({ error: 'the worker is broken', attempts: 3 });
    expect(logged).toContainEqual(expect.stringMatching(/^error: consumer test\.broken-everything: mail\.received .* LAST RESORT FAILED, dead-lettering it .*and so is the database/));
  });
});
