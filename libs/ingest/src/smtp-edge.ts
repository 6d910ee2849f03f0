import { randomUUID } from 'node:crypto';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { readSmtpEdgeSettings, type SmtpEdgeSettings } from '@mailroom/config';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { matchSupportAddress } from '@mailroom/mail-domain';
import type { Logger } from '@mailroom/observability';
import { loadSmtpUsers } from './smtp/auth';
import { MailStore, type MailStoreStats } from './smtp/group-commit';
import { ConnectionCounter, RateLimiter } from './smtp/limits';
import { plainAddress, trustedNetworks } from './smtp/networks';
import { loadTlsMaterial, type TlsMaterial } from './smtp/tls';
import type { SupportAddressBook } from './support-address-book';

export interface SmtpEdgeOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  addresses: SupportAddressBook;
  db: Db;
  /** Unused since `MailStore` writes the log rows in its own statement; kept so callers are unchanged. */
  store: EventStore;
  log: Logger;
  clock?: () => Date;
  /** Protocol, TLS, AUTH and limits; what is left out takes the documented default. */
  settings?: Partial<SmtpEdgeSettings>;
}

export interface RunningSmtpEdge {
  port: number;
  server: SMTPServer;
  /** The certificate STARTTLS presents, or null when STARTTLS is off. */
  tls: TlsMaterial | null;
  /** Mails committed and the transactions that took them (group commit: fewer than mails). */
  stored: MailStoreStats;
  close: () => Promise<void>;
}

const smtpError = (code: number, message: string): Error & { responseCode: number } => Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP edge checks the envelope and stores the bytes; nothing else (DESIGN.md §6 "raw mail
 * first"). 250 is answered only after the raw mail and its `mail.received` event are committed;
 * when that cannot happen the answer is 451 and the sender keeps the mail and retries. Mails that
 * finish DATA together are committed together (`MailStore`, group commit).
 */
export const startSmtpEdge = async (opts: SmtpEdgeOptions): Promise<RunningSmtpEdge> => {
  const clock = opts.clock ?? (() => new Date());
  const settings: SmtpEdgeSettings = { ...readSmtpEdgeSettings({}), ...opts.settings };
  const tls = settings.starttls ? await loadTlsMaterial(settings) : null;
  const users = await loadSmtpUsers(settings);
  if (settings.authRequired && !users) throw new Error('MAILROOM_SMTP_AUTH_REQUIRED=true needs SMTP AUTH users');
  if (users && !tls) throw new Error('SMTP AUTH is offered only over TLS: it needs STARTTLS');
  const trusted = trustedNetworks(settings.trustedNetworks);
  const connections = new ConnectionCounter(settings.maxConnectionsPerIp);
  const counted = new Set<string>(); // sessions counted in `connections`
  const rate = new RateLimiter(settings.messagesPerMinutePerIp);
  const clientOf = (session: SMTPServerSession): string => plainAddress(session.remoteAddress ?? '');
  const disabledCommands = [...(users ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])];
  const mails = new MailStore({
    db: opts.db,
    groupCommit: settings.groupCommit,
    maxMails: settings.groupCommitMaxMails,
    maxBytes: settings.groupCommitMaxBytes,
    onIsolating: (err, n) => opts.log.warn('a group commit failed; storing its mails one by one', { error: err.message, mails: n }),
  });

  let lastMissRefresh = 0;
  const serverOptions: SMTPServerOptions = {
    name: settings.hostname,
    banner: 'Mailroom ingest',
    lmtp: settings.lmtp,
    size: opts.maxMessageBytes,
    ...(tls ? { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !settings.authRequired,
    authRequiredMessage: '5.7.0 authentication required: log in with AUTH after STARTTLS',
    disabledCommands,
    // The edge never uses the client's host name, so it does not wait on reverse DNS for one.
    disableReverseLookup: true,
    maxClients: settings.maxConnections,
    logger: false,
    onConnect(session, callback) {
      const client = clientOf(session);
      if (trusted.has(client)) return callback();
      if (!connections.enter(client)) {
        opts.log.info('refused a connection over the per-address limit', { client, limit: settings.maxConnectionsPerIp });
        return callback(smtpError(421, `4.7.0 ${settings.hostname} too many connections from ${client}, at most ${settings.maxConnectionsPerIp}; try again later`));
      }
      counted.add(session.id);
      callback();
    },
    onClose(session) {
      if (counted.delete(session.id)) connections.leave(clientOf(session));
    },
    onAuth(auth, _session, callback) {
      if ((auth.method === 'PLAIN' || auth.method === 'LOGIN') && auth.username && typeof auth.password === 'string' && users?.verify(auth.username, auth.password)) {
        callback(null, { user: auth.username });
        return;
      }
      opts.log.info('refused an SMTP login', { username: auth.username ?? null, method: auth.method });
      callback(smtpError(535, '5.7.8 authentication credentials invalid'));
    },
    // Never an open relay: only our support addresses (and their plus forms) are accepted.
    onRcptTo(address, session, callback) {
      const already = session.envelope.rcptTo.some((r) => r.address.toLowerCase() === address.address.toLowerCase());
      if (!already && session.envelope.rcptTo.length >= settings.maxRecipients) {
        callback(smtpError(452, `4.5.3 too many recipients: at most ${settings.maxRecipients} per message, send the rest in another one`));
        return;
      }
      const refuse = () => callback(smtpError(550, `5.1.1 <${address.address}>: no such support address here`));
      if (matchSupportAddress(address.address, opts.addresses.current())) {
        callback();
        return;
      }
      // Before a 550, catch up with an address added a moment ago — at most every 250 ms, so a
      // spammer guessing local parts costs one cheap version check, not one per recipient.
      const refresh = opts.addresses.refresh;
      if (!refresh || Date.now() - lastMissRefresh < 250) {
        refuse();
        return;
      }
      lastMissRefresh = Date.now();
      refresh.call(opts.addresses).then(
        () => (matchSupportAddress(address.address, opts.addresses.current()) ? callback() : refuse()),
        () => refuse(),
      );
    },
    onMailFrom(address, session, callback) {
      const client = clientOf(session);
      if (!session.user && !trusted.has(client) && !rate.take(client)) {
        const wait = rate.retryAfterSeconds(client);
        opts.log.info('deferred a mail over the per-address rate', { client, perMinute: settings.messagesPerMinutePerIp });
        callback(smtpError(450, `4.7.1 ${client} has started more than ${settings.messagesPerMinutePerIp} mails in a minute; try again in ${wait} s`));
        return;
      }
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
        mails
          .save({ mailId, receivedAt, mailFrom, rcptTo, remoteAddress: session.remoteAddress ?? null, helo: session.hostNameAppearsAs || null, raw })
          .then(
            // LMTP answers once per recipient; the mail is stored once and routed by the worker.
            () => callback(null, settings.lmtp ? rcptTo.map((r) => `2.1.5 <${r}> delivered as ${mailId}`) : `2.0.0 queued as ${mailId}`),
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
  opts.log.info(
    `${settings.lmtp ? 'LMTP' : 'SMTP'} edge: STARTTLS ${tls ? `with a ${tls.source} certificate` : 'off'}, AUTH ${users ? (settings.authRequired ? 'required' : 'offered') : 'off'}`,
    { maxConnections: settings.maxConnections, maxConnectionsPerIp: settings.maxConnectionsPerIp, maxRecipients: settings.maxRecipients, messagesPerMinutePerIp: settings.messagesPerMinutePerIp },
  );
  return { port, server, tls, stored: mails.stats, close: () => new Promise<void>((r) => server.close(() => r())) };
};
