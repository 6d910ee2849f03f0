import {
  deterministicUuid,
  isUpdate,
  mailStreamId,
  type AddCommentV1,
  type AttachmentRef,
  type CreateTicketV1,
  type MailOrigin,
  type MailReceivedV1,
  type MailRoutedV1,
  type Message,
  type Via,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  AUTOMATED_SENDER_CAUSES,
  authorOf,
  decideCcs,
  decideSenderAuthentication,
  domainOf,
  mustAuthenticate,
  senderAuthRecord,
  dedupeKey,
  defaultSupportAddress,
  extractReply,
  matchSupportAddress,
  requesterOf,
  ticketSubject,
  type Address,
  type InboundMail,
  type SuspensionCause,
} from '@mailroom/mail-domain';
import { handleOnce, type Delivered, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';
import { parseMail, parseRefusalCause, type ParsedMailResult, type ParserPool } from './parse-mail';
import { screenMail, type ScreeningPolicy } from './screening/screen-mail';
import type { SupportAddressBook } from './support-address-book';
import { suspendMail } from './suspension/suspend-mail';
import { resolveThread } from './threading/resolve-thread';
import { loadIngestAccountSettings } from './account-settings';
import { commandRefusals, commentText, planComment, planNewTicket } from './threading/comment-plan';
import { PgTicketDirectory } from './threading/ticket-directory';
import { verifySender, type SenderAuthSetup } from './authentication/verify-sender';

export const MAIL_WORKER_CONSUMER = 'ingest.mail-worker';
export const MAIL_WORKER_QUEUE: QueueSpec = {
  name: MAIL_WORKER_CONSUMER,
  bindings: [{ exchange: 'updates', pattern: 'mail.received' }],
  retiredBindings: [{ exchange: 'events', pattern: 'mail.received.#' }],
};

/** The received mail a delivery to the mail worker is about (an update of the mail's stream, or a legacy single event). */
export const receivedMailOf = (input: Delivered): Message => (isUpdate(input) ? (input.events.find((e) => e.type === 'mail.received') ?? input.events[0]) : input);

export interface MailWorkerDeps {
  db: Db;
  store: EventStore;
  addresses: SupportAddressBook;
  secret: string;
  clock?: () => Date;
  /** Allowlist, blocklist and rate limit; the defaults when absent. */
  screening?: ScreeningPolicy;
  /** Parser threads with the parse limits; a shared default pool when absent. */
  parser?: ParserPool;
  /** Sender authentication: the policy, a trusted relay, the DNS resolver (always injected in tests). */
  senderAuth: SenderAuthSetup;
}

const directory = new PgTicketDirectory();
const isStaff = (p: { role: string } | null): boolean => p?.role === 'agent' || p?.role === 'admin';

/** The mail worker's handler: a mail's `mail.received` update (one event, the mail's own inbox row). */
export const mailReceivedUpdateHandler = (deps: MailWorkerDeps): UpdateHandler => async (update) => {
  for (const m of update.events) if (m.type === 'mail.received') await handleMailReceived(deps, m);
};

/** A suspended mail an agent recovers: the cause it was suspended for is not checked again. */
export interface MailRecovery {
  skip: SuspensionCause[];
  /** The requester when the mail has no usable sender of its own (the recovering agent). */
  requester: Address | null;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Customer HTML is never passed on as is: the comment's HTML is built from its text. */
const textToHtml = (s: string): string => `<p>${escapeHtml(s).replace(/\r?\n/g, '<br>')}</p>`;

type Route = Omit<MailRoutedV1, 'mailId'>;
const NO_ROUTE: Pick<Route, 'messageId' | 'supportAddress' | 'ticketId' | 'matchedBy' | 'duplicateOf' | 'reason'> = {
  messageId: '',
  supportAddress: '',
  ticketId: null,
  matchedBy: null,
  duplicateOf: null,
  reason: null,
};

/**
 * Turns a stored raw mail into a ticket command, in stages: match the support address, parse,
 * deduplicate by Message-ID per support address, screen (loops, auto-replies, bounces, limits),
 * thread to an existing ticket or start a new one. Every outcome — command, duplicate, suspended
 * ticket, rejection — is recorded as `mail.routed` on the mail's stream, and everything runs in
 * one transaction with the inbox row, so a redelivered `mail.received` does nothing the second time.
 */
export const handleMailReceived = async (deps: MailWorkerDeps, m: Message, recovery?: MailRecovery): Promise<void> => {
  const received = m.data as MailReceivedV1;
  const now = (deps.clock ?? (() => new Date()))();
  await handleOnce(deps.db, MAIL_WORKER_CONSUMER, m.id, async (tx) => {
    const rows = await tx.query<{ raw: Buffer; mail_from: string | null; rcpt_to: string[]; sha256: string; remote_address: string | null; helo: string | null }>(
      `SELECT raw, mail_from, rcpt_to, sha256, remote_address, helo FROM ingest.raw_mail WHERE id = $1`,
      [received.mailId],
    );
    if (rows.length === 0) return; // nothing to do: the mail is gone (deleted by an operator)
    const { raw, rcpt_to, sha256 } = rows[0];
    const meta = { causationId: m.id, correlationId: received.mailId };
    const route = async (r: Route) => {
      await deps.store.append(tx, mailStreamId(received.mailId), 'mail', 'any', [{ type: 'mail.routed', data: { mailId: received.mailId, ...r } }], meta);
    };
    const suspend = async (cause: SuspensionCause, detail: string, at: { mail: InboundMail | null; author: Address | null; supportAddress: string; messageId: string; ticketId: number | null }) => {
      const suspendedTicketId = await suspendMail(tx, { mailId: received.mailId, cause, detail, mail: at.mail, author: at.author, recipient: at.supportAddress || null, ticketId: at.ticketId, at: now });
      await route({ ...NO_ROUTE, messageId: at.messageId, supportAddress: at.supportAddress, ticketId: at.ticketId, outcome: 'suspended', reason: detail, cause, suspendedTicketId });
    };

    let supportAddresses = deps.addresses.current();
    // The SMTP edge accepted the mail for one of them: an address the book does not know yet was
    // added a moment ago, so catch up before deciding that none of the recipients is ours.
    if (deps.addresses.refresh && !rcpt_to.some((a) => matchSupportAddress(a, supportAddresses))) {
      await deps.addresses.refresh();
      supportAddresses = deps.addresses.current();
    }
    // A recovered mail that reached none of them (an address removed meanwhile) goes to the default one.
    const fallback = recovery ? defaultSupportAddress(supportAddresses) : null;
    const match = rcpt_to.map((a) => matchSupportAddress(a, supportAddresses)).find((x) => x !== null) ?? (fallback ? { address: fallback, tag: null } : null);
    if (!match) {
      await suspend('unprocessable_email', 'no support address among the recipients', { mail: null, author: null, supportAddress: '', messageId: '', ticketId: null });
      return;
    }
    const supportAddress = match.address.address;

    let parsed: ParsedMailResult;
    try {
      parsed = await parseMail(raw, rows[0].mail_from ?? '', deps.parser);
    } catch (err) {
      // Unreadable or over a limit: kept raw, never dropped, shown as suspended with the reason.
      // Any other failure is the parser's own (a thread that cannot start): retried, not suspended.
      const cause = parseRefusalCause(err);
      if (!cause) throw err;
      await suspend(cause, (err as Error).message, { mail: null, author: null, supportAddress, messageId: '', ticketId: null });
      return;
    }
    const { mail, attachments } = parsed;

    const key = dedupeKey(mail, sha256);
    const claimed = await tx.query<{ mail_id: string }>(
      `INSERT INTO ingest.message_keys (support_address, dedupe_key, mail_id) VALUES ($1, $2, $3)
       ON CONFLICT (support_address, dedupe_key) DO NOTHING RETURNING mail_id`,
      [supportAddress, key, received.mailId],
    );
    const [first] = claimed.length === 0 ? await tx.query<{ mail_id: string }>(`SELECT mail_id FROM ingest.message_keys WHERE support_address = $1 AND dedupe_key = $2`, [supportAddress, key]) : [];
    // A recovered mail finds its own claim: not a duplicate of itself.
    if (first && first.mail_id !== received.mailId) {
      await route({ ...NO_ROUTE, messageId: key, supportAddress, outcome: 'duplicate', duplicateOf: first.mail_id, reason: 'the same Message-ID arrived at this support address before' });
      return;
    }

    const requester = requesterOf(mail) ?? recovery?.requester ?? null;
    if (!requester) {
      await suspend('unknown_author', 'no sender address (From and Reply-To are empty)', { mail, author: null, supportAddress, messageId: key, ticketId: null });
      return;
    }
    // Who wrote the mail is its From address alone: agent status, mail commands, threading by a
    // subject number, CCs and visibility follow it. Reply-To is typed by the sender and only says
    // where a new ticket's requester is reached.
    const from = authorOf(mail);
    if (!from && !recovery?.skip.includes('unknown_author')) {
      await suspend('unknown_author', 'no usable From address (Reply-To alone does not say who wrote the mail)', { mail, author: requester, supportAddress, messageId: key, ticketId: null });
      return;
    }
    const author = from ?? requester;

    const verdict = await screenMail(tx, { mail, requester, supportAddresses, at: now, policy: deps.screening, mailId: received.mailId, parts: attachments, secret: deps.secret, rcptTag: match.tag, recovery, store: deps.store });
    if (verdict.kind === 'suspend') {
      await suspend(verdict.cause, verdict.detail, { mail, author: requester, supportAddress, messageId: key, ticketId: verdict.ticketId ?? null });
      return;
    }
    if (verdict.kind === 'reject') {
      await route({ ...NO_ROUTE, messageId: key, supportAddress, outcome: 'rejected', reason: verdict.detail });
      return;
    }

    // Sender authentication (README "Sender authentication"): does the From domain vouch for the mail?
    const fromPerson = await directory.person(tx, author.address);
    const authorDomain = domainOf(author.address);
    const claimedSender = { isStaff: isStaff(fromPerson), isOwnDomain: supportAddresses.some((a) => domainOf(a.address) === authorDomain) };
    const policy = deps.senderAuth.policy;
    // A mail with no From at all reaches here only recovered by an agent, who stands in as its
    // author: there is no sender to check, and no command of theirs runs.
    const authResults = from && mustAuthenticate(policy, claimedSender)
      ? await verifySender(raw, { remoteAddress: rows[0].remote_address, helo: rows[0].helo, mailFrom: rows[0].mail_from }, author.address, deps.senderAuth)
      : null;
    let authDecision = from
      ? decideSenderAuthentication(policy, claimedSender, authResults)
      : { kind: 'accept' as const, authenticated: false, potentialSpoofing: false, note: 'no From address; recovered by an agent' };
    if (authDecision.kind === 'suspend') {
      if (!recovery?.skip.includes('failed_email_authentication')) {
        await suspend('failed_email_authentication', authDecision.detail, { mail, author, supportAddress, messageId: key, ticketId: null });
        return;
      }
      // An agent vouched for the mail, not for its sender: it lands, but no mail command runs.
      authDecision = { kind: 'accept', authenticated: false, potentialSpoofing: false, note: `recovered from the suspended tickets; ${authDecision.detail}` };
    }
    const authentication = senderAuthRecord(policy, authResults, authDecision);
    const commandsRefusedBecause = authDecision.authenticated ? null : `the mail is not authenticated (${authDecision.note ?? `sender authentication policy ${policy}`})`;

    const thread = await resolveThread(tx, { mail, requester: author, rcptTag: match.tag, secret: deps.secret, at: now });
    if (thread.kind === 'suspend') {
      await suspend(thread.cause, thread.detail, { mail, author, supportAddress, messageId: key, ticketId: thread.ticketId });
      return;
    }
    // A reply's visibility, CCs and an agent's mail commands (threading/comment-plan.ts).
    // The comment is the reply and its signature; the quoted history stays in the raw mail (…/original).
    const reply = extractReply(mail.text);
    const replyText = commentText(reply, mail);
    const settings = await loadIngestAccountSettings(tx);
    const plan =
      thread.kind === 'comment'
        ? planComment({ mail, body: replyText, author, thread, supportAddresses, settings: settings.visibility, ccBlocklist: settings.ccBlocklist, recoveredFrom: recovery?.skip, commandsRefusedBecause })
        : null;
    if (plan?.kind === 'suspend') {
      await suspend(plan.cause, plan.detail, { mail, author, supportAddress, messageId: key, ticketId: thread.kind === 'comment' ? thread.ticketId : null });
      return;
    }

    const attachmentRefs: AttachmentRef[] = [];
    for (const a of attachments) {
      const id = a.id; // chosen by the parser: the sanitised HTML already links inline images to it
      await tx.query(
        `INSERT INTO ingest.attachments (id, mail_id, file_name, content_type, size, content_id, inline, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, received.mailId, a.fileName, a.contentType, a.size, a.contentId, a.inline, a.content],
      );
      attachmentRefs.push({ id, fileName: a.fileName, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline });
    }
    const automatedCause = recovery?.skip.find((c) => AUTOMATED_SENDER_CAUSES.includes(c));
    const origin: MailOrigin = {
      mailId: received.mailId,
      messageId: key,
      recipients: [...mail.to, ...mail.cc].map((a) => a.address.toLowerCase()),
      supportAddress,
      ...(automatedCause ? { automated: automatedCause } : {}),
      authentication,
    };
    const via: Via = {
      channel: 'email',
      source: { from: { address: author.address, name: author.name }, to: { address: supportAddress, name: match.address.name }, rel: null },
    };
    const commandId = deterministicUuid('ingest-command', received.mailId);
    if (thread.kind === 'comment') {
      if (plan?.kind !== 'comment') throw new Error('a reply without its plan'); // planned (or suspended) above
      const body = plan.body;
      const command: AddCommentV1 = {
        ticketId: thread.ticketId,
        commentKey: `mail:${received.mailId}`,
        author: { email: author.address, name: author.name },
        // The mail's own (sanitised) HTML only when no history was cut and no command lines were
        // taken out (a signature is kept, so it may stay); otherwise the comment is shown from its text.
        comment: {
          body,
          htmlBody: parsed.html && reply.cutBy === null && body === replyText ? parsed.html : textToHtml(body),
          public: plan.public,
          attachments: attachmentRefs,
          extraction: { replyCutBy: reply.cutBy },
        },
        via,
        mail: origin,
        ...(plan.ccs.length ? { ccs: plan.ccs.map((a) => ({ email: a.address, name: a.name })) } : {}),
        ...(plan.changes ? { changes: plan.changes } : {}),
        ...(plan.commandErrors.length ? { commandErrors: commandRefusals(plan.commandErrors) } : {}),
      };
      await deps.store.sendCommand(tx, { id: commandId, type: 'ticket.add_comment', data: command }, meta);
      await route({ ...NO_ROUTE, messageId: key, supportAddress, outcome: 'comment', ticketId: thread.ticketId, matchedBy: thread.matchedBy, reason: plan.privateBecause });
      return;
    }
    const text = mail.text.trim() || (attachments.length ? '(attachments only)' : mail.subject.trim() || '(empty message)');
    // An agent opening a ticket by mail may start it with mail commands (#requester, #assignee, …).
    const opening = planNewTicket(text, thread.kind === 'new_ticket' ? thread.author : null, commandsRefusedBecause);
    // The requester is reached at Reply-To (Zendesk), but an agent's mail is the agent's: they are
    // the sender (and name a requester with #requester), and Reply-To never lends a stranger an
    // agent's identity as the ticket's first author.
    const replyToPerson = requester.address === author.address ? fromPerson : await directory.person(tx, requester.address);
    const ticketRequester = isStaff(fromPerson) || isStaff(replyToPerson) ? author : requester;
    const body = opening.body;
    const command: CreateTicketV1 = {
      creationKey: `mail:${received.mailId}`,
      subject: ticketSubject(mail),
      requester: { email: ticketRequester.address, name: ticketRequester.name },
      recipient: supportAddress,
      comment: { body, htmlBody: parsed.html && body === text ? parsed.html : textToHtml(body), public: opening.public, attachments: attachmentRefs },
      ccs: decideCcs({ mail, supportAddresses, requester: ticketRequester, authorMayAddCcs: true, blocklist: settings.ccBlocklist }).add.map((a) => ({ email: a.address, name: a.name })),
      via,
      mail: origin,
      ...(opening.changes ? { changes: opening.changes } : {}),
      ...(opening.commandErrors.length ? { commandErrors: commandRefusals(opening.commandErrors) } : {}),
    };
    await deps.store.sendCommand(tx, { id: commandId, type: 'ticket.create_ticket', data: command }, meta);
    await route({ ...NO_ROUTE, messageId: key, supportAddress, outcome: 'new_ticket', reason: thread.note });
  });
};
