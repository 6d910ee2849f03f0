// The naive single-process email channel the benchmark compares Mailroom with: smtp-server takes
// the mail, mailparser parses it, a ticket is created in a Map, nodemailer sends one
// acknowledgement per mail to the relay. Nothing durable: no database, no broker, no retry, no
// trigger, no audit; a crash loses everything. It is what "an email channel" costs at the least
// on this machine with the same libraries, so the ratio says what durability and the rest cost.
//
// Started by bench/ingest-to-ack.ts as its own process (its CPU is measured from /proc):
//   NAIVE_RELAY=smtp://127.0.0.1:<port> node -r ./scripts/runtime-paths.js dist/bench/naive-baseline.js
// It listens on a free loopback port and tells its parent over IPC (or prints `listening <port>`).
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

interface Ticket {
  id: number;
  requester: string;
  subject: string;
  comments: { body: string; messageId: string | null }[];
}

const relay = process.env.NAIVE_RELAY;
if (!relay) throw new Error('NAIVE_RELAY (smtp://host:port of the relay for acknowledgements) is required');

const tickets = new Map<number, Ticket>();
const out = createTransport({ url: relay, pool: true, maxConnections: 5, maxMessages: Infinity, ignoreTLS: true });
let acksFailed = 0;

const acknowledge = (t: Ticket, inReplyTo: string | null): void => {
  out
    .sendMail({
      from: 'Acme Support <support@mailroom.test>',
      to: t.requester,
      subject: `[Acme] Re: ${t.subject}`,
      text: `Your request (#${t.id}) has been received and is being reviewed by our support staff.\n`,
      ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
    })
    .catch(() => void acksFailed++);
};

const server = new SMTPServer({
  // The same library as Mailroom's SMTP edge, with its defaults (greeting delay included).
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const from = mail.from?.value[0]?.address;
        if (!from) return callback(Object.assign(new Error('no sender'), { responseCode: 550 }));
        const ticket: Ticket = { id: tickets.size + 1, requester: from, subject: mail.subject ?? '', comments: [{ body: mail.text ?? '', messageId: mail.messageId ?? null }] };
        tickets.set(ticket.id, ticket);
        callback();
        acknowledge(ticket, mail.messageId ?? null);
      })
      .catch((err: Error) => callback(err));
  },
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo;
  if (process.send) process.send({ type: 'listening', port });
  else process.stdout.write(`listening ${port}\n`);
});

process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stats?') process.send!({ type: 'stats', tickets: tickets.size, acksFailed });
});
process.channel?.unref();

const stop = (): void => {
  server.close(() => {
    out.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
