import { createHash, randomUUID } from 'node:crypto';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { mailStreamId } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { matchSupportAddress } from '@mailroom/mail-domain';
import type { Logger } from '@mailroom/observability';
import type { SupportAddressBook } from './support-address-book';

export interface SmtpEdgeOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  addresses: SupportAddressBook;
  db: Db;
  store: EventStore;
  log: Logger;
  clock?: () => Date;
}

const smtpError = (code: number, message: string): Error & { responseCode: number } => Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP edge checks the envelope and stores the bytes; nothing else (DESIGN.md §6 "raw mail
 * first"). 250 is answered only after the raw mail and its `mail.received` event are committed;
 * when that cannot happen the answer is 451 and the sender keeps the mail and retries.
 */
export const startSmtpEdge = async (opts: SmtpEdgeOptions): Promise<{ port: number; server: SMTPServer; close: () => Promise<void> }> => {
  const clock = opts.clock ?? (() => new Date());
  const serverOptions: SMTPServerOptions = {
    name: 'mailroom',
    banner: 'Mailroom ingest',
    size: opts.maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // Never an open relay: only our support addresses (and their plus forms) are accepted.
    onRcptTo(address, _session, callback) {
      if (!matchSupportAddress(address.address, opts.addresses.current())) {
        callback(smtpError(550, `5.1.1 <${address.address}>: no such support address here`));
        return;
      }
      callback();
    },
    onMailFrom(address, _session, callback) {
      const args = address.args as Record<string, string> | false | undefined;
      const declared = args ? Number(args.SIZE ?? 0) : 0;
      if (declared > opts.maxMessageBytes) {
        callback(smtpError(552, `5.3.4 message size ${declared} exceeds the limit of ${opts.maxMessageBytes} bytes`));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= opts.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > opts.maxMessageBytes) {
          callback(smtpError(552, `5.3.4 message exceeds the limit of ${opts.maxMessageBytes} bytes`));
          return;
        }
        const raw = Buffer.concat(chunks);
        const mailId = randomUUID();
        const receivedAt = clock().toISOString();
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        opts.db
          .transaction(async (tx) => {
            await tx.query(
              `INSERT INTO ingest.raw_mail (id, received_at, mail_from, rcpt_to, remote_address, size, sha256, raw)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
              [mailId, receivedAt, mailFrom, rcptTo, session.remoteAddress ?? null, raw.length, createHash('sha256').update(raw).digest('hex'), raw],
            );
            await opts.store.append(
              tx,
              mailStreamId(mailId),
              'mail',
              'no_stream',
              [{ type: 'mail.received', data: { mailId, mailFrom, rcptTo, size: raw.length, remoteAddress: session.remoteAddress ?? null, receivedAt } }],
              { actor: { userId: null, role: 'system' }, occurredAt: receivedAt, correlationId: mailId },
            );
          })
          .then(
            () => callback(null, `2.0.0 queued as ${mailId}`),
            (err: Error) => {
              opts.log.warn('could not store a mail; answering 451 so the sender retries', { error: err.message });
              callback(smtpError(451, '4.3.0 temporary local problem, please try again later'));
            },
          );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', (err) => opts.log.warn('smtp error', { error: err.message }));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return { port, server, close: () => new Promise<void>((r) => server.close(() => r())) };
};
