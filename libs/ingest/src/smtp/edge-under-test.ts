// The SMTP edge on a fresh test database, for the integration tests beside it.
import type { SmtpEdgeSettings } from '@mailroom/config';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { silentLogger } from '@mailroom/observability';
import type { TestDatabase } from '@mailroom/testing';
import { startSmtpEdge, type RunningSmtpEdge } from '../smtp-edge';
import { fixedAddressBook } from '../support-address-book';

export const startEdgeUnderTest = (database: TestDatabase, settings: Partial<SmtpEdgeSettings> = {}, db = database.db): Promise<RunningSmtpEdge> =>
  startSmtpEdge({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 256 * 1024,
    addresses: fixedAddressBook(parseSupportAddresses('Acme Support <support@mailroom.test>, billing@mailroom.test')),
    db,
    store: new EventStore(),
    log: silentLogger,
    settings,
  });

export const storedMails = async (database: TestDatabase): Promise<{ mail_from: string | null; rcpt_to: string[] }[]> =>
  database.db.query(`SELECT mail_from, rcpt_to FROM ingest.raw_mail ORDER BY received_at, id`);
