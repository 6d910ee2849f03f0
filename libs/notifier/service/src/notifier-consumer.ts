import {
  type ConsumedUpdateKey,
  deterministicUuid,
  type Message,
  type NotificationRequestedV1,
  type RecordDeliveriesV1,
  type RecordDeliveryV1,
  type TicketEvent,
  type Update,
  updateOf,
  personPatchOf,
} from '@mailroom/contracts';
import { mergeVersionedRow, type Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { encodeTicketId, MAILROOM_NOTIFICATION_HEADER, matchSupportAddress, notificationMessageId, replyToAddress, senderFor, ticketRootMessageId, type SupportAddress } from '@mailroom/mail-domain';
import { eventsToApply, handleOnce, RetryLater, type HandlerMap, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';
import {
  type AccountEmailTemplate,
  composeEmail,
  type ComposedEmail,
  recipientRenderKey,
  DEFAULT_ACCOUNT_EMAIL_TEMPLATE,
  DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION,
  type NotificationView,
  type Person,
  satisfactionToken,
  shouldSuppressCommentPlaceholders,
} from '@mailroom/notifier-domain';
import { evolveNotifierTicket, notifierTicketOf, viewOf, viewSatisfaction, type NotifierTicket, type StoredView } from './notifier-projection';
import { applyPeopleNameEvent, isPeopleNameEvent, loadPeopleNames } from './people-names';
import { queueWebhookCall } from './webhooks/webhook-calls';

export const NOTIFIER_CONSUMER = 'notifier.ticket-events';
/**
 * What can ask for a notification or a webhook call (a rules update), or change what one shows:
 * the ticket's other updates, users, groups and organizations (names). Not the delivery records:
 * the notifier wrote them itself and its view holds nothing of them.
 */
const NOTIFIER_KEYS: readonly ConsumedUpdateKey[] = [
  'ticket.created',
  'ticket.updated',
  'ticket.rule_actions',
  'user.created',
  'user.updated',
  'user.email_bounced',
  'group.created',
  'group.updated',
  'group.deleted',
  'group_membership.created',
  'group_membership.deleted',
  'group_membership.default_changed',
  'organization.created',
  'organization.updated',
  'organization.deleted',
];
export const NOTIFIER_QUEUE: QueueSpec = {
  name: NOTIFIER_CONSUMER,
  bindings: NOTIFIER_KEYS.map((pattern) => ({ exchange: 'updates', pattern })),
  retiredBindings: ['ticket.#', 'user.#', 'group.#', 'group_membership.#', 'organization.#'].map((pattern) => ({ exchange: 'events', pattern })),
};

/** The notifier's handler map; `depsFor` gives the dependencies for one update (the template in force when it renders). */
export const notifierHandlers = (depsFor: (update: Update) => Promise<NotifierDeps>): HandlerMap => {
  const handle: UpdateHandler = async (u) => handleNotifierUpdate(await depsFor(u), u);
  return { updates: NOTIFIER_KEYS.map((key) => [key, handle] as const) };
};

/** Whether an update asks for a notification (only then are the template and suppression setting read). */
export const requestsNotification = (u: Update): boolean => u.events.some((e) => e.type === 'ticket.notification_requested');

export class OutOfOrder extends RetryLater {}

export interface NotifierDeps {
  db: Db;
  store: EventStore;
  secret: string;
  /** The support addresses in force when the message is handled (see @mailroom/support-addresses). */
  supportAddresses: readonly SupportAddress[];
  /** Re-reads the support addresses (an address added a moment ago); asked only when a ticket's is not known. */
  refreshSupportAddresses?: () => Promise<readonly SupportAddress[]>;
  accountName: string;
  baseUrl: string;
  /** Called after new outgoing mail is stored, to wake the sender. */
  onQueued: () => void;
  /** The account email template (until an account settings API stores one, the default). */
  emailTemplate?: AccountEmailTemplate;
  /** Placeholder suppression on ticket creation (reference §4.2); off by default. */
  suppressPlaceholdersOnCreation?: boolean;
  /** Called after a webhook call is stored, to wake the webhook sender. */
  onWebhookQueued?: () => void;
}

/** The reason a notification to a bounced address is not sent, as the ticket's audit shows it. */
export const UNDELIVERABLE_REASON = 'not sent: address marked undeliverable';

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

const formatAddress = (name: string, address: string): string => (name ? `"${name.replace(/["\\\r\n]/g, '')}" <${address}>` : address);

export type DeliveryOutcome = RecordDeliveryV1['outcome'];
/** One outgoing mail's final outcome (the outgoing id is one mail: one notification, one recipient). */
export interface DeliveryRecord {
  outgoingId: string;
  notificationId: string;
  outcome: DeliveryOutcome;
}

/**
 * Records outcomes of one ticket's outgoing mails with one command. Its id is derived from the
 * outgoing mails and their outcomes (sorted), so the same batch written again is the same command
 * (not sent twice); the ticket skips any outcome it already has, so overlapping batches are harmless.
 */
export const deliveryRecordsCommand = (ticketId: number, outcomes: readonly DeliveryRecord[]) => {
  const key = outcomes.map((o) => `${o.outgoingId}:${o.outcome.status}`).sort();
  const data: RecordDeliveriesV1 = { ticketId, deliveries: outcomes.map((o) => ({ notificationId: o.notificationId, outcome: o.outcome })) };
  return { id: deterministicUuid('deliveries', ...key), type: 'ticket.record_deliveries' as const, data };
};

export const sendDeliveryRecords = async (store: EventStore, tx: Db, ticketId: number, outcomes: readonly DeliveryRecord[]): Promise<void> => {
  if (outcomes.length === 0) return;
  await store.sendCommand(tx, deliveryRecordsCommand(ticketId, outcomes));
};

const applyUserEvent = async (tx: Db, m: Message): Promise<void> => {
  const patch = personPatchOf(m);
  if (patch) await mergeVersionedRow(tx, 'notifier.users', patch.id, m.streamVersion, patch);
};

/**
 * Keeps the notifier's projection of tickets and users; for each `notification_requested` renders
 * one email per recipient (pure: from the ticket as it was at that point of the update) and stores
 * it as pending outgoing mail. Sending is a separate, retried step (outbound-sender.ts). One
 * update: one transaction, one inbox row, the ticket's view read and written once.
 */
export const handleNotifierUpdate = async (deps: NotifierDeps, update: Update): Promise<void> => {
  let queued = false;
  let webhookQueued = false;
  await handleOnce(deps.db, NOTIFIER_CONSUMER, update.id, async (tx) => {
    const first = update.events[0];
    if (first.type.startsWith('user.')) {
      for (const m of update.events) await applyUserEvent(tx, m);
      return;
    }
    if (isPeopleNameEvent(first)) {
      for (const m of update.events) await applyPeopleNameEvent(tx, m);
      return;
    }
    if (!first.type.startsWith('ticket.')) return;
    const ticketId = (first.data as { ticketId: number }).ticketId;
    const rows = await tx.query<{ version: string; view: StoredView }>(`SELECT version, view FROM notifier.tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
    const events = await eventsToApply(tx, NOTIFIER_QUEUE, rows.length ? Number(rows[0].version) : 0, update);
    if (events.length === 0) return;
    // The update is folded on the ticket's snapshot; a view is made where a request needs the ticket as it was then, and once to store.
    let ticket: NotifierTicket | null = rows.length ? notifierTicketOf(rows[0].view) : null;
    for (const m of events) {
      const e = { type: m.type, data: m.data } as TicketEvent;
      ticket = evolveNotifierTicket(ticket, m);
      if (!ticket) continue;
      if (e.type === 'ticket.webhook_requested') webhookQueued = (await queueWebhookCall(deps.store, tx, (await loadNotificationView(deps, tx, viewOf(ticket), m)).view, e.data, m)) || webhookQueued;
      else if (e.type === 'ticket.notification_requested') queued = (await queueNotification(deps, tx, viewOf(ticket), e.data, m)) || queued;
    }
    await tx.query(`INSERT INTO notifier.tickets (id, version, view) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET version = $2, view = $3`, [
      ticketId,
      events[events.length - 1].streamVersion,
      JSON.stringify(ticket && viewOf(ticket)),
    ]);
  });
  if (queued) deps.onQueued();
  if (webhookQueued) deps.onWebhookQueued?.();
};

/** One log event handed over as its own update (for tests that feed the consumer event by event). */
export const handleNotifierMessage = (deps: NotifierDeps, m: Message): Promise<void> => handleNotifierUpdate(deps, updateOf([m]));

/** The ticket as notifications see it at this update, with everyone its placeholders can name. */
export const loadNotificationView = async (
  deps: Pick<NotifierDeps, 'secret' | 'accountName' | 'baseUrl'>,
  tx: Db,
  v: StoredView,
  m: Message,
  recipientIds: readonly number[] = [],
): Promise<{ view: NotificationView; person: (id: number) => Person & { undeliverable?: boolean } }> => {
  const ids = [...new Set([v.requesterId, v.assigneeId, ...v.ccIds, ...recipientIds, ...v.comments.map((c) => c.authorId), m.metadata.actor?.userId].filter((x): x is number => typeof x === 'number'))];
  const people = new Map(
    (await tx.query<{ id: string; data: Person & { undeliverable?: boolean } }>(`SELECT id, data FROM notifier.users WHERE id = ANY($1::bigint[])`, [
      v.submitterId === undefined ? ids : [...ids, v.submitterId],
    ])).map((r) => [Number(r.id), r.data]),
  );
  const missing = ids.filter((id) => !people.has(id));
  if (missing.length) throw new OutOfOrder(`ticket ${v.id}: users ${missing.join(', ')} not projected yet`);
  // Group and organization names come from their own streams (see people-names.ts).
  const names = await loadPeopleNames(tx, v.id, v.groupId, [...people.values()].map((p) => (p as { organizationId?: number | null }).organizationId).filter((x): x is number => typeof x === 'number'));
  for (const p of people.values()) p.organization = names.organization((p as { organizationId?: number | null }).organizationId);
  const person = (id: number) => people.get(id)!;
  // The submitter is shown when known, but a notification does not wait for it.
  const submitter = v.submitterId === undefined ? null : (people.get(v.submitterId) ?? null);
  const view: NotificationView = {
    ticket: {
      id: v.id,
      encodedId: encodeTicketId(v.id, deps.secret),
      subject: v.subject,
      status: v.status,
      priority: v.priority,
      type: v.type,
      tags: v.tags,
      recipient: v.recipient,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      via: v.via,
      groupName: names.groupName,
      requester: person(v.requesterId),
      assignee: v.assigneeId ? person(v.assigneeId) : null,
      ccs: v.ccIds.map(person),
      submitter,
      externalId: v.externalId ?? null,
      comments: v.comments.map((c) => ({ id: c.id, author: person(c.authorId), body: c.body, htmlBody: c.htmlBody, public: c.public, createdAt: c.createdAt, attachments: c.attachments ?? [] })),
    },
    account: { name: deps.accountName, baseUrl: deps.baseUrl },
    currentUser: m.metadata.actor?.userId ? person(m.metadata.actor.userId) : null,
    // The rating as the ticket's events left it; the requester's links are issued at the
    // notification's update, so a re-render makes the same link.
    satisfaction: viewSatisfaction(v, satisfactionToken(v.id, v.requesterId, m.metadata.occurredAt, deps.secret)),
    now: m.metadata.occurredAt,
  };
  return { view, person };
};

const queueNotification = async (deps: NotifierDeps, tx: Db, v: StoredView, n: NotificationRequestedV1, m: Message): Promise<boolean> => {
  const { view, person } = await loadNotificationView(deps, tx, v, m, n.recipientIds);
  // From the address the ticket was received at (also one a wildcard accepted), else the default.
  let known = deps.supportAddresses;
  if (v.recipient && deps.refreshSupportAddresses && !matchSupportAddress(v.recipient, known)) known = await deps.refreshSupportAddresses();
  const address = senderFor(v.recipient, known) ?? known[0];
  // An address configured without a display name goes out under the account's name.
  const support = address.name ? address : { ...address, name: deps.accountName };
  // The rules' update names the update that fired the trigger as its cause.
  const firedOnTicketCreation = !!v.createdUpdateId && (m.metadata.causationId === v.createdUpdateId || m.metadata.updateId === v.createdUpdateId);
  const domain = domainOf(support.address);
  let queued = false;
  // Recipients that get no mail (bounced address, broken template): their outcomes in one record.
  const unsent: DeliveryRecord[] = [];
  const mails: (string | number)[][] = [];
  const rendered = new Map<string, ComposedEmail>();
  for (const recipientId of n.recipientIds) {
    const recipient = person(recipientId);
    const outgoingId = deterministicUuid('outgoing', n.notificationId, recipientId);
    if (!recipient.email) continue; // rules suppress these; nothing to send to
    if (recipient.undeliverable) {
      // Bounced before (reference §6.5): not mailed until an agent marks the email deliverable again.
      unsent.push({ outgoingId, notificationId: n.notificationId, outcome: { status: 'failed', to: [recipient.email], error: UNDELIVERABLE_REASON, permanent: true, at: m.metadata.occurredAt } });
      continue;
    }
    const suppressCommentPlaceholders = shouldSuppressCommentPlaceholders({
      suppressOnCreation: deps.suppressPlaceholdersOnCreation ?? DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION,
      ruleKind: n.rule.kind,
      firedOnTicketCreation,
      createdVia: v.createdVia ?? null,
      creatorRole: (v.createdByRole as Person['role'] | 'system' | null | undefined) ?? null,
      recipientRole: recipient.role,
    });
    const options = { emailTemplate: deps.emailTemplate ?? DEFAULT_ACCOUNT_EMAIL_TEMPLATE, suppressCommentPlaceholders };
    // Recipients who would get the same mail share one rendering (all agents, a group: recipientRenderKey).
    const key = recipientRenderKey(view, recipient, options);
    let composed = rendered.get(key);
    if (!composed) rendered.set(key, (composed = composeEmail({ subject: n.subject, body: n.body }, view, recipient, options)));
    if (!composed.ok) {
      // A broken template fails this one notification, with the reason on the ticket.
      unsent.push({ outgoingId, notificationId: n.notificationId, outcome: { status: 'failed', to: [recipient.email], error: `could not render: ${composed.error}`, permanent: true, at: m.metadata.occurredAt } });
      continue;
    }
    const messageId = notificationMessageId(v.id, outgoingId, domain, deps.secret);
    const root = ticketRootMessageId(v.id, domain, deps.secret);
    const inReplyTo = v.inboundMessageIds[v.inboundMessageIds.length - 1] ?? root;
    const references = [root, ...v.inboundMessageIds.slice(-10)];
    const headers: Record<string, string> = {
      'Reply-To': formatAddress(support.name, replyToAddress(support.address, v.id, deps.secret)),
      'In-Reply-To': inReplyTo,
      References: [...new Set(references)].join(' '),
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      [MAILROOM_NOTIFICATION_HEADER]: n.notificationId,
    };
    mails.push([outgoingId, n.notificationId, v.id, recipientId, recipient.email, messageId, formatAddress(support.name, support.address), JSON.stringify(headers), composed.subject, composed.text, composed.html]);
  }
  // The notification's mails in one statement, whatever the number of recipients.
  if (mails.length) {
    const column = (i: number) => mails.map((row) => row[i]);
    const inserted = await tx.query(
      `INSERT INTO notifier.outgoing (id, notification_id, ticket_id, recipient_id, to_address, message_id, envelope_from, headers, subject, text_body, html_body, status)
       SELECT id, notification_id, ticket_id, recipient_id, to_address, message_id, envelope_from, headers::jsonb, subject, text_body, html_body, 'pending'
       FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS m(id, notification_id, ticket_id, recipient_id, to_address, message_id, envelope_from, headers, subject, text_body, html_body)
       ON CONFLICT DO NOTHING RETURNING id`,
      mails[0].map((_, i) => column(i)),
    );
    queued = inserted.length > 0;
  }
  await sendDeliveryRecords(deps.store, tx, v.id, unsent);
  return queued;
};
