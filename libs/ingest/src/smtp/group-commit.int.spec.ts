import { mailStreamId } from '@mailroom/contracts';
import { connectDatabase, type DataSourceDb } from '@mailroom/database';
import { createTestDatabase, eventually, type TestDatabase } from '@mailroom/testing';
import type { QueryRunner } from 'typeorm';
import type { RunningSmtpEdge } from '../smtp-edge';
import { startEdgeUnderTest } from './edge-under-test';
import { simpleMail, SmtpTalk, type SmtpReply } from './smtp-talk';

const EDGE_APP = 'mailroom-test-group-commit';

/** A connection that has said EHLO, MAIL FROM and RCPT TO, ready for DATA. */
const readyTalk = async (port: number, from: string): Promise<SmtpTalk> => {
  const { talk } = await SmtpTalk.open(port);
  await talk.send('EHLO mta.test');
  expect((await talk.send(`MAIL FROM:<${from}>`)).code).toBe(250);
  expect((await talk.send('RCPT TO:<support@mailroom.test>')).code).toBe(250);
  return talk;
};

const mailIdOf = (reply: SmtpReply): string => reply.text.split(' as ')[1];

describe('SMTP edge group commit', () => {
  let database: TestDatabase;
  let edgeDb: DataSourceDb;
  let edge: RunningSmtpEdge;

  const stored = async (mailId: string): Promise<{ raw: boolean; event: boolean }> => {
    const [row] = await database.db.query<{ raw: boolean; event: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ingest.raw_mail WHERE id = $1) AS raw,
              EXISTS (SELECT 1 FROM mailroom_events.messages WHERE stream_id = $2 AND type = 'mail.received') AS event`,
      [mailId, mailStreamId(mailId)],
    );
    return row;
  };
  const storedFrom = async (from: string[]): Promise<number> =>
    Number((await database.db.query<{ n: string }>(`SELECT count(*) AS n FROM ingest.raw_mail WHERE mail_from = ANY($1)`, [from]))[0].n);

  /** Holds the event log's stream table, so a batch that reaches its append waits mid-transaction. */
  const holdStreams = async (): Promise<QueryRunner> => {
    const holder = database.db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('LOCK TABLE mailroom_events.streams IN EXCLUSIVE MODE');
    return holder;
  };
  const blockedEdgeBackends = (): Promise<{ pid: number }[]> =>
    database.db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
      [EDGE_APP],
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    // The edge on a pool of its own, so a test can tell its sessions apart in pg_stat_activity.
    edgeDb = await connectDatabase({ url: database.url, poolSize: 4, applicationName: EDGE_APP });
    edge = await startEdgeUnderTest(database, { starttls: false }, edgeDb);
  });
  afterAll(async () => {
    await edge?.close();
    await edgeDb?.dataSource.destroy();
    await database?.drop();
  });

  it('commits mails from many connections in fewer transactions, and answers 250 only once each mail is in the database', async () => {
    const before = { ...edge.stored };
    const connections = 8;
    const perConnection = 6;
    const seen: { raw: boolean; event: boolean }[] = [];
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        const { talk } = await SmtpTalk.open(edge.port);
        await talk.send('EHLO mta.test');
        for (let i = 0; i < perConnection; i++) {
          await talk.send(`MAIL FROM:<c${c}-m${i}@customer.test>`);
          await talk.send('RCPT TO:<support@mailroom.test>');
          const [reply] = await talk.data(simpleMail(`Batch ${c}-${i}`));
          expect(reply.code).toBe(250);
          // Asked the moment the 250 arrives, on another connection than the edge's.
          seen.push(await stored(mailIdOf(reply)));
        }
        await talk.quit();
      }),
    );
    expect(seen).toHaveLength(connections * perConnection);
    expect(seen.every((s) => s.raw && s.event)).toBe(true);
    const mails = edge.stored.mails - before.mails;
    const commits = edge.stored.commits - before.commits;
    expect(mails).toBe(connections * perConnection);
    expect(commits).toBeLessThan(mails);
    expect(edge.stored.largestBatch).toBeGreaterThan(1);
  });

  it('answers 451 to every mail of a batch whose transaction is cut off midway, and keeps none of them', async () => {
    const holder = await holdStreams();
    const senders = Array.from({ length: 5 }, (_, i) => `cut-${i}@customer.test`);
    try {
      // The first mail's transaction writes its raw row and waits on the held table; the others
      // finish DATA meanwhile and queue for the next transaction, all together.
      const plugTalk = await readyTalk(edge.port, 'plug@customer.test');
      const plug = plugTalk.data(simpleMail('Plug'));
      await eventually(async () => (await blockedEdgeBackends()).length === 1, 'the first batch to wait on the lock');
      const talks = await Promise.all(senders.map((s) => readyTalk(edge.port, s)));
      const replies = talks.map((t, i) => t.data(simpleMail(`Cut ${i}`)));
      await eventually(() => edge.stored.waiting === senders.length, 'the mails to queue behind the first batch');
      // Killing the plug's session ends its batch; the queued mails then start one transaction
      // together, write their raw rows and wait on the lock in turn.
      const [first] = await blockedEdgeBackends();
      await database.db.query('SELECT pg_terminate_backend($1)', [first.pid]);
      expect((await plug)[0].code).toBe(451);
      await eventually(async () => edge.stored.waiting === 0 && (await blockedEdgeBackends()).length === 1, 'the batch of five to wait on the lock');
      const [batch] = await blockedEdgeBackends();
      const [{ n }] = await database.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE pid = $1 AND relation = 'ingest.raw_mail'::regclass AND mode = 'RowExclusiveLock' AND granted`,
        [batch.pid],
      );
      expect(Number(n)).toBe(1); // it has written its raw rows
      await database.db.query('SELECT pg_terminate_backend($1)', [batch.pid]);
      const answers = await Promise.all(replies);
      expect(answers.map(([r]) => r.code)).toEqual([451, 451, 451, 451, 451]);
      expect(answers[0][0].text).toMatch(/^4\.3\.0 /);
      await Promise.all([plugTalk, ...talks].map((t) => t.quit()));
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    expect(await storedFrom(['plug@customer.test', ...senders])).toBe(0);
    // The edge recovers alone: the next mail is stored.
    const again = await readyTalk(edge.port, 'after@customer.test');
    const [reply] = await again.data(simpleMail('After the cut'));
    expect(reply.code).toBe(250);
    expect(await stored(mailIdOf(reply))).toEqual({ raw: true, event: true });
    await again.quit();
  });

  it('stores a mail the database refuses on its own: 451 for it alone, 250 for the rest of its batch', async () => {
    // A constraint that refuses one mail's log row, after its batch has written the raw rows.
    await database.db.query(
      `ALTER TABLE mailroom_events.messages ADD CONSTRAINT refuse_poison CHECK (type <> 'mail.received' OR data->>'mailFrom' <> 'poison@customer.test')`,
    );
    const isolatedBefore = edge.stored.isolatedBatches;
    const holder = await holdStreams();
    const senders = ['good-1@customer.test', 'poison@customer.test', 'good-2@customer.test', 'good-3@customer.test'];
    let answers: SmtpReply[][] = [];
    try {
      const plugTalk = await readyTalk(edge.port, 'plug-2@customer.test');
      const plug = plugTalk.data(simpleMail('Plug two'));
      await eventually(async () => (await blockedEdgeBackends()).length === 1, 'the first batch to wait on the lock');
      const talks = await Promise.all(senders.map((s) => readyTalk(edge.port, s)));
      const replies = talks.map((t, i) => t.data(simpleMail(`Poison batch ${i}`)));
      await eventually(() => edge.stored.waiting === senders.length, 'the mails to queue behind the first batch');
      await holder.rollbackTransaction();
      expect((await plug)[0].code).toBe(250);
      answers = await Promise.all(replies);
      await Promise.all([plugTalk, ...talks].map((t) => t.quit()));
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await database.db.query(`ALTER TABLE mailroom_events.messages DROP CONSTRAINT refuse_poison`);
    }
    expect(answers.map(([r]) => r.code)).toEqual([250, 451, 250, 250]);
    expect(edge.stored.isolatedBatches).toBe(isolatedBefore + 1);
    expect(await storedFrom(['poison@customer.test'])).toBe(0); // its raw row went with the failed log row
    expect(await storedFrom(['good-1@customer.test', 'good-2@customer.test', 'good-3@customer.test'])).toBe(3);
    for (const [r] of answers.filter(([r]) => r.code === 250)) expect(await stored(mailIdOf(r))).toEqual({ raw: true, event: true });
  });

  it('stores a batch with one statement and no transaction block, the log rows as appendMany writes them', async () => {
    const queries = jest.spyOn(edgeDb, 'query');
    const transactions = jest.spyOn(edgeDb, 'transaction');
    const before = { ...edge.stored };
    let replies: SmtpReply[] = [];
    let calls = { queries: -1, transactions: -1 };
    try {
      replies = await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (i) => {
          const talk = await readyTalk(edge.port, `one-statement-${i}@customer.test`);
          const [reply] = await talk.data(simpleMail(`One statement ${i}`));
          await talk.quit();
          return reply;
        }),
      );
      calls = { queries: queries.mock.calls.length, transactions: transactions.mock.calls.length };
    } finally {
      queries.mockRestore();
      transactions.mockRestore();
    }
    expect(replies.map((r) => r.code)).toEqual([250, 250, 250, 250, 250, 250]);
    // One round trip per batch: no BEGIN/COMMIT, no statement per table.
    expect(calls).toEqual({ queries: edge.stored.commits - before.commits, transactions: 0 });
    for (const reply of replies) {
      const mailId = mailIdOf(reply);
      const [stream] = await database.db.query(`SELECT stream_type, version FROM mailroom_events.streams WHERE stream_id = $1`, [mailStreamId(mailId)]);
      expect(stream).toEqual({ stream_type: 'mail', version: '1' });
      const messages = await database.db.query<{ kind: string; stream_version: string; type: string; schema_version: number; data: Record<string, unknown>; metadata: Record<string, unknown> }>(
        `SELECT kind, stream_version, type, schema_version, data, metadata FROM mailroom_events.messages WHERE stream_id = $1`,
        [mailStreamId(mailId)],
      );
      const [raw] = await database.db.query<{ received_at: Date; mail_from: string; size: number }>(`SELECT received_at, mail_from, size FROM ingest.raw_mail WHERE id = $1`, [mailId]);
      expect(messages).toHaveLength(1);
      const [m] = messages;
      expect(m).toMatchObject({ kind: 'event', stream_version: '1', type: 'mail.received', schema_version: 1 });
      expect(m.data).toEqual({ mailId, mailFrom: raw.mail_from, rcptTo: ['support@mailroom.test'], size: raw.size, remoteAddress: expect.any(String), receivedAt: expect.any(String) });
      expect(new Date(m.data.receivedAt as string).getTime()).toBe(raw.received_at.getTime());
      expect(m.metadata).toEqual({
        actor: { userId: null, role: 'system' },
        occurredAt: m.data.receivedAt,
        correlationId: mailId,
        updateId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        updateSize: 1,
        updateIndex: 0,
      });
    }
  });

  it('isolates a mail whose raw row the database refuses: 451 for it, 250 once each for the others, nothing stored twice', async () => {
    // Here the batch's statement fails in its first part (the raw rows), not in the log's.
    await database.db.query(`ALTER TABLE ingest.raw_mail ADD CONSTRAINT refuse_raw CHECK (mail_from IS DISTINCT FROM 'bad-raw@customer.test')`);
    const isolatedBefore = edge.stored.isolatedBatches;
    const holder = await holdStreams();
    const senders = ['fine-1@customer.test', 'fine-2@customer.test', 'bad-raw@customer.test', 'fine-3@customer.test', 'fine-4@customer.test'];
    let answers: SmtpReply[][] = [];
    try {
      const plugTalk = await readyTalk(edge.port, 'plug-3@customer.test');
      const plug = plugTalk.data(simpleMail('Plug three'));
      await eventually(async () => (await blockedEdgeBackends()).length === 1, 'the first batch to wait on the lock');
      const talks = await Promise.all(senders.map((s) => readyTalk(edge.port, s)));
      const replies = talks.map((t, i) => t.data(simpleMail(`Raw batch ${i}`)));
      await eventually(() => edge.stored.waiting === senders.length, 'the mails to queue behind the first batch');
      await holder.rollbackTransaction();
      expect((await plug)[0].code).toBe(250);
      answers = await Promise.all(replies);
      await Promise.all([plugTalk, ...talks].map((t) => t.quit()));
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await database.db.query(`ALTER TABLE ingest.raw_mail DROP CONSTRAINT refuse_raw`);
    }
    expect(answers.map(([r]) => r.code)).toEqual([250, 250, 451, 250, 250]);
    expect(edge.stored.isolatedBatches).toBe(isolatedBefore + 1);
    const fine = senders.filter((s) => s !== 'bad-raw@customer.test');
    const [counts] = await database.db.query<{ raw: string; distinct_raw: string; events: string; streams: string }>(
      `SELECT count(*) AS raw, count(DISTINCT r.id) AS distinct_raw,
              (SELECT count(*) FROM mailroom_events.messages m WHERE m.type = 'mail.received' AND m.data->>'mailFrom' = ANY($1)) AS events,
              (SELECT count(*) FROM mailroom_events.streams s WHERE s.stream_id IN (SELECT 'mail-' || id FROM ingest.raw_mail WHERE mail_from = ANY($1))) AS streams
       FROM ingest.raw_mail r WHERE r.mail_from = ANY($1)`,
      [fine],
    );
    expect(counts).toEqual({ raw: '4', distinct_raw: '4', events: '4', streams: '4' });
    expect(await storedFrom(['bad-raw@customer.test'])).toBe(0);
    expect(Number((await database.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages WHERE data->>'mailFrom' = 'bad-raw@customer.test'`))[0].n)).toBe(0);
  });

  it('with group commit off, stores each mail in a transaction of its own', async () => {
    const single = await startEdgeUnderTest(database, { starttls: false, groupCommit: false });
    try {
      await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const talk = await readyTalk(single.port, `alone-${i}@customer.test`);
          expect((await talk.data(simpleMail(`Alone ${i}`)))[0].code).toBe(250);
          await talk.quit();
        }),
      );
      expect(single.stored).toMatchObject({ mails: 4, commits: 4, largestBatch: 1 });
    } finally {
      await single.close();
    }
  });
});
