// Test support for the screening and suspension integration tests: feeds raw mail to the real
// worker on a real database, as the SMTP edge and the broker would, and reads back what it did.
import { createHash, randomUUID } from 'node:crypto';
import { mailStreamId, type MailRoutedV1, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { fakeDnsResolver, loopbackSpf } from '@mailroom/testing';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { handleMailReceived, type MailWorkerDeps } from '../mail-worker';
import { fixedAddressBook } from '../support-address-book';
import { DEFAULT_SCREENING_POLICY, type ScreeningPolicy } from './screen-mail';

export const HARNESS_SECRET = 'screening-test-secret';

export interface Harness {
  deps: MailWorkerDeps;
  /** Stores the mail as the SMTP edge does and runs the worker on it; returns the mail id. */
  receive(raw: string, envelope?: { from?: string | null; to?: string[] }): Promise<string>;
  /** Runs the worker again on a stored mail, as a new `mail.received` (a replay after a fix). */
  redo(mailId: string): Promise<void>;
  routed(mailId: string): Promise<MailRoutedV1>;
  /** Ticket commands the worker sent for a mail. */
  commands(mailId: string): Promise<{ type: string; data: any }[]>;
  setPolicy(policy: ScreeningPolicy): void;
  setNow(at: Date): void;
}

export const workerHarness = (db: Db, supportAddresses = 'Acme Support <support@mailroom.test>'): Harness => {
  let now = new Date('2026-11-25T09:00:00Z');
  const deps: MailWorkerDeps = {
    db,
    store: new EventStore(),
    addresses: fixedAddressBook(parseSupportAddresses(supportAddresses)),
    secret: HARNESS_SECRET,
    clock: () => now,
    screening: DEFAULT_SCREENING_POLICY,
    // Agents of these tests are at mailroom.test, whose SPF lets loopback send (the harness stores
    // 127.0.0.1 as the client); every other domain has no records. Nothing asks a real resolver.
    senderAuth: { policy: 'agents', trustedRelay: null, resolver: fakeDnsResolver(loopbackSpf('mailroom.test')) },
  };
  /** The worker's handling of a mail the SMTP edge stored, as the broker would deliver it. */
  const deliver = (mailId: string, mailFrom: string | null, rcptTo: string[], size: number): Promise<void> => {
    const m: Message = {
      id: randomUUID(),
      kind: 'event',
      type: 'mail.received',
      schemaVersion: 1,
      streamId: mailStreamId(mailId),
      streamVersion: 1,
      globalPosition: '1',
      data: { mailId, mailFrom, rcptTo, size, remoteAddress: '127.0.0.1', receivedAt: now.toISOString() },
      metadata: { occurredAt: now.toISOString() },
    };
    return handleMailReceived(deps, m);
  };
  return {
    deps,
    setPolicy: (p) => {
      deps.screening = p;
    },
    setNow: (at) => {
      now = at;
    },
    receive: async (raw, envelope = {}) => {
      const mailId = randomUUID();
      const bytes = Buffer.from(raw.replace(/\r?\n/g, '\r\n'));
      const rcptTo = envelope.to ?? ['support@mailroom.test'];
      await db.query(
        `INSERT INTO ingest.raw_mail (id, received_at, mail_from, rcpt_to, remote_address, size, sha256, raw) VALUES ($1, $2, $3, $4, '127.0.0.1', $5, $6, $7)`,
        [mailId, now.toISOString(), envelope.from === undefined ? 'sender@unknown.test' : envelope.from, rcptTo, bytes.length, createHash('sha256').update(bytes).digest('hex'), bytes],
      );
      await deliver(mailId, envelope.from ?? null, rcptTo, bytes.length);
      return mailId;
    },
    redo: async (mailId) => {
      const [row] = await db.query<{ mail_from: string | null; rcpt_to: string[]; size: number }>(`SELECT mail_from, rcpt_to, size FROM ingest.raw_mail WHERE id = $1`, [mailId]);
      await deliver(mailId, row.mail_from, row.rcpt_to, row.size);
    },
    routed: async (mailId) => {
      const rows = await db.query<{ data: MailRoutedV1 }>(
        `SELECT data FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'mail.routed' ORDER BY stream_version DESC LIMIT 1`,
        [mailStreamId(mailId)],
      );
      if (!rows[0]) throw new Error(`mail ${mailId} was not routed`);
      return rows[0].data;
    },
    commands: async (mailId) =>
      db.query<{ type: string; data: any }>(
        `SELECT type, data FROM mailroom_events.messages WHERE kind = 'command' AND type LIKE 'ticket.%' AND data->'mail'->>'mailId' = $1 ORDER BY global_position`,
        [mailId],
      ),
  };
};

/** A small RFC 5322 mail; `headers` come first, so they can replace the defaults. */
export const rawMail = (o: { from?: string | null; to?: string; subject?: string; body?: string; messageId?: string; headers?: string[] } = {}): string => {
  const lines = [
    ...(o.headers ?? []),
    ...(o.from === null ? [] : [`From: ${o.from ?? 'Jane Customer <jane@customer.test>'}`]),
    `To: ${o.to ?? 'support@mailroom.test'}`,
    `Subject: ${o.subject ?? 'Printer on fire'}`,
    `Message-ID: ${o.messageId ?? `<${randomUUID()}@customer.test>`}`,
    'Date: Wed, 25 Nov 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
  ];
  if (!lines.some((l) => /^content-type:/i.test(l))) lines.push('Content-Type: text/plain; charset=utf-8');
  return `${lines.join('\n')}\n\n${o.body ?? 'Hello,\nmy printer is on fire.\nJane'}\n`;
};
