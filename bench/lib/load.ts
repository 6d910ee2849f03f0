// The load both systems get in one invocation: a relaying MTA's — SENDERS customers writing
// N mails in all, each a new ticket, over C SMTP connections with several mails per connection —
// and the acknowledgements matched back to the mails at the catching relay.
import { createTransport, type Transporter } from 'nodemailer';
import type { MailCatcher } from '@mailroom/mail-catcher';
import { stats, type LatencyStats, round } from './figures';

export const SUPPORT = 'support@mailroom.test';

const BODY = [
  'Hello,',
  '',
  'since this morning the invoices we download from the customer portal are empty: the PDF opens,',
  'shows the header with our company name, and then nothing. Yesterday they were fine. We tried two',
  'browsers and two machines. Our accounting closes the month on Friday, so this is fairly urgent.',
  '',
  'Order numbers affected so far: 10431, 10433, 10440. Could you have a look and tell us whether we',
  'should wait for a fix or whether there is another way to get the invoices in the meantime?',
  '',
  'Thanks in advance,',
].join('\n');

export interface BenchMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/**
 * Mail i of a run: sender i mod `senders`, so each customer's mails are spread over the run. Each
 * has its own subject and no In-Reply-To/References, so each opens a new ticket.
 */
export const mailFor = (run: string, i: number, senders: number): BenchMail => {
  const s = i % senders;
  return {
    from: `Customer ${s} <customer${s}@bench.test>`,
    to: `Acme Support <${SUPPORT}>`,
    // No "#n" in the subject: Mailroom threads a ticket number in the subject from that ticket's
    // requester, so a later phase's mail from the same sender would become a comment, not a ticket.
    subject: `Invoices empty since this morning (${run} mail ${i})`,
    text: `${BODY}\nCustomer ${s}\n`,
    messageId: `<bench-${run}-${i}@bench.test>`,
  };
};

/** Size in bytes of one mail as sent over SMTP, for smtp-source's -l. */
export const mailSize = async (run: string): Promise<number> => {
  const info = await createTransport({ streamTransport: true, buffer: true }).sendMail(mailFor(run, 0, 1));
  return (info.message as Buffer).length;
};

export interface LoadOptions {
  /** Distinguishes this phase's mails (Message-IDs, subjects) from every other phase's. */
  run: string;
  mails: number;
  senders: number;
  /** SMTP connections in all, spread over the ports. */
  concurrency: number;
  /** One per receiving replica; mail i goes to port i mod ports.length. */
  ports: number[];
  /** null: every mail queued at once (an open-loop burst); else mails offered per second, evenly spaced. */
  ratePerSec: number | null;
  deadline: number;
}

export interface LoadResult {
  /** Message-ID → epoch ms of its 250. */
  acceptedAt: Map<string, number>;
  /** Message-ID → the address the acknowledgement must go to. */
  requesterOf: Map<string, string>;
  failed: number;
  firstError?: string;
  timedOut: boolean;
  startedAt: number;
  lastAcceptAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** No new acknowledgement for this long ends a phase as incomplete. */
const STALL_MS = 90_000;

export const sendLoad = async (o: LoadOptions): Promise<LoadResult> => {
  const pools: Transporter[] = o.ports.map((port, k) =>
    createTransport({
      pool: true,
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      // 20 connections over 3 replicas: 7, 7, 6.
      maxConnections: Math.max(1, Math.floor(o.concurrency / o.ports.length) + (k < o.concurrency % o.ports.length ? 1 : 0)),
      maxMessages: Infinity,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    }),
  );
  const r: LoadResult = { acceptedAt: new Map(), requesterOf: new Map(), failed: 0, timedOut: false, startedAt: Date.now(), lastAcceptAt: 0 };
  const sends: Promise<void>[] = [];
  for (let i = 0; i < o.mails; i++) {
    if (o.ratePerSec !== null) {
      const due = r.startedAt + (i * 1000) / o.ratePerSec;
      if (due > Date.now()) await sleep(due - Date.now());
      if (Date.now() > o.deadline) break;
    }
    const mail = mailFor(o.run, i, o.senders);
    r.requesterOf.set(mail.messageId, /<([^>]+)>/.exec(mail.from)![1]);
    sends.push(
      pools[i % pools.length].sendMail(mail).then(
        () => {
          const now = Date.now();
          r.acceptedAt.set(mail.messageId, now);
          r.lastAcceptAt = Math.max(r.lastAcceptAt, now);
        },
        (err: Error) => {
          r.failed++;
          r.firstError ??= err.message;
        },
      ),
    );
  }
  r.timedOut = await Promise.race([Promise.all(sends).then(() => false), sleep(Math.max(0, o.deadline - Date.now())).then(() => true)]);
  for (const p of pools) p.close();
  return r;
};

export interface AckResult {
  acknowledged: number;
  /** Caught mails that are not a first acknowledgement of this phase's mails (agent notices, other phases). */
  otherMails: number;
  lastAckAt: number;
  /** Per mail: its 250 → its acknowledgement caught by the relay. */
  latencyMs: LatencyStats | null;
}

/**
 * Waits until every accepted mail's acknowledgement reached the relay (or the deadline). An
 * acknowledgement is the first caught mail whose In-Reply-To is the mail's Message-ID and whose
 * recipient is the mail's sender: agent notices about the same ticket go to agents.
 */
export const collectAcks = async (relay: MailCatcher, load: LoadResult, fromIndex: number, deadline: number, progress: (line: string) => void): Promise<AckResult> => {
  const latencies: number[] = [];
  const seen = new Set<string>();
  let other = 0;
  let scanned = fromIndex;
  let lastAckAt = 0;
  let lastReport = Date.now();
  let lastCount = 0;
  let lastProgress = Date.now();
  for (;;) {
    const msgs = relay.messages;
    for (; scanned < msgs.length; scanned++) {
      const m = msgs[scanned];
      const id = m.inReplyTo;
      const sentAt = id ? load.acceptedAt.get(id) : undefined;
      const requester = id ? load.requesterOf.get(id) : undefined;
      if (sentAt === undefined || seen.has(id!) || !m.envelope.to.some((t) => t.toLowerCase() === requester)) {
        other++;
        continue;
      }
      seen.add(id!);
      const at = m.receivedAt.getTime();
      latencies.push(at - sentAt);
      lastAckAt = Math.max(lastAckAt, at);
    }
    if (seen.size >= load.acceptedAt.size || Date.now() > deadline) break;
    // A system that stopped acknowledging is reported as such, not waited for until the deadline.
    if (seen.size !== lastCount) [lastCount, lastProgress] = [seen.size, Date.now()];
    else if (Date.now() - lastProgress > STALL_MS) {
      progress(`  no acknowledgement for ${STALL_MS / 1000} s: giving up on this phase`);
      break;
    }
    if (Date.now() - lastReport > 5000) {
      progress(`  ${seen.size}/${load.acceptedAt.size} acknowledged`);
      lastReport = Date.now();
    }
    await sleep(20);
  }
  return { acknowledged: seen.size, otherMails: other, lastAckAt, latencyMs: stats(latencies) };
};

/** Mails per second from the first connection to the last acknowledgement. */
export const endToEndRate = (load: LoadResult, acks: AckResult): { durationMs: number; mailsPerSec: number } => {
  const durationMs = Math.max(1, (acks.lastAckAt || Date.now()) - load.startedAt);
  return { durationMs, mailsPerSec: round((acks.acknowledged / durationMs) * 1000) };
};
