import { mailStreamId, type MailReceivedV1, type MailRoutedV1, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { matchSupportAddress } from '@mailroom/mail-domain';
import { handleOnce } from '@mailroom/messaging';
import { storableText } from '../parsing/storable-text';
import { MAIL_WORKER_CONSUMER } from '../mail-worker';
import type { SupportAddressBook } from '../support-address-book';
import { suspendMail } from './suspend-mail';

export interface LastResortDeps {
  db: Db;
  store: EventStore;
  addresses: SupportAddressBook;
  clock?: () => Date;
}

/** Longest error text kept on the suspended ticket (a stack of causes can be long). */
const MAX_DETAIL_CHARS = 2000;

/**
 * The end of the line for a mail the worker could not handle however often it tried (DESIGN.md
 * §2.1: a mail that got 250 ends as a ticket, a comment or a suspended ticket — never only in a
 * dead-letter queue). It suspends the mail as `unprocessable_email` with the error as its detail.
 *
 * Whatever broke the worker may be in the parsed mail, so nothing here parses it again or reads
 * any of its text: only the envelope recipients stored by the SMTP edge. An agent sees the raw
 * mail on the suspended ticket and can recover it once the cause is fixed. It runs as the mail
 * worker (same inbox key), so it takes effect at most once and never after the worker succeeded.
 */
export const suspendUnprocessableMail = async (deps: LastResortDeps, m: Message, failure: { attempts: number; error: string }): Promise<void> => {
  const received = m.data as MailReceivedV1 | undefined;
  if (m.type !== 'mail.received' || typeof received?.mailId !== 'string') throw new Error(`${m.type} ${m.id} is not a received mail`);
  const at = (deps.clock ?? (() => new Date()))();
  const detail = storableText(`processing failed ${failure.attempts} times, set aside: ${failure.error}`).slice(0, MAX_DETAIL_CHARS);
  await handleOnce(deps.db, MAIL_WORKER_CONSUMER, m.id, async (tx) => {
    const [row] = await tx.query<{ rcpt_to: string[] }>(`SELECT rcpt_to FROM ingest.raw_mail WHERE id = $1`, [received.mailId]);
    if (!row) return; // deleted by an operator meanwhile: nothing left to set aside
    const ours = row.rcpt_to.map((a) => matchSupportAddress(a, deps.addresses.current())).find((x) => x !== null);
    const supportAddress = ours?.address.address ?? '';
    const suspendedTicketId = await suspendMail(tx, {
      mailId: received.mailId,
      cause: 'unprocessable_email',
      detail,
      mail: null,
      author: null,
      recipient: supportAddress || null,
      ticketId: null,
      at,
    });
    const routed: MailRoutedV1 = {
      mailId: received.mailId,
      messageId: '',
      supportAddress,
      outcome: 'suspended',
      ticketId: null,
      matchedBy: null,
      duplicateOf: null,
      reason: detail,
      cause: 'unprocessable_email',
      suspendedTicketId,
    };
    await deps.store.append(tx, mailStreamId(received.mailId), 'mail', 'any', [{ type: 'mail.routed', data: routed }], { causationId: m.id, correlationId: received.mailId });
  });
};
