import { deterministicUuid, type Message, type RecordWebhookDeliveriesV1, type WebhookRequestedV1, type WebhookRequestFormat } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { type NotificationView, renderWebhookBody } from '@mailroom/notifier-domain';

/**
 * Records webhook calls' final outcomes on their ticket with one command. A call ends once, so its
 * request ids (sorted) name the command: the same calls recorded again are the same command, and
 * the ticket skips a call it already has whatever batch it came in.
 */
export const sendWebhookRecords = async (store: EventStore, tx: Db, record: RecordWebhookDeliveriesV1): Promise<void> => {
  if (record.calls.length === 0) return;
  await store.sendCommand(tx, { id: deterministicUuid('webhook-deliveries', ...record.calls.map((c) => c.requestId).sort()), type: 'ticket.record_webhook_deliveries', data: record });
};

/**
 * Turns a `ticket.webhook_requested` into a row of notifier.webhook_calls, in the consumer's
 * transaction (beside its inbox row): the body is rendered now, from the ticket as it was at the
 * update, and sent later by the WebhookSender. The request id is the row's key, so a redelivered
 * request changes nothing. A request that cannot be made — unknown or inactive webhook, a body that
 * does not render — is recorded as failed at once. Returns true when a call waits to be sent.
 */
export const queueWebhookCall = async (store: EventStore, tx: Db, view: NotificationView, req: WebhookRequestedV1, m: Message): Promise<boolean> => {
  const seen = await tx.query(`SELECT 1 FROM notifier.webhook_calls WHERE request_id = $1`, [req.requestId]);
  if (seen.length) return false;
  const at = m.metadata.occurredAt;
  const hooks = await tx.query<{ status: string; endpoint: string; request_format: WebhookRequestFormat; http_method: string }>(
    `SELECT status, endpoint, request_format, http_method FROM notifier.webhooks WHERE id = $1`,
    [req.webhookId],
  );
  const hook = hooks[0];
  let body = '';
  let problem: string | null = null;
  if (!hook) problem = `webhook ${req.webhookId} does not exist`;
  else if (hook.status !== 'active') problem = `webhook ${req.webhookId} is inactive`;
  else {
    const rendered = renderWebhookBody(req.body, hook.request_format, view);
    if (rendered.ok) body = rendered.body;
    else problem = rendered.error;
  }
  await tx.query(
    `INSERT INTO notifier.webhook_calls (request_id, ticket_id, webhook_id, rule, body, status, next_attempt_at, last_error, endpoint, created_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, $10) ON CONFLICT (request_id) DO NOTHING`,
    [req.requestId, req.ticketId, req.webhookId, JSON.stringify(req.rule), body, problem ? 'failed' : 'pending', at, problem, hook?.endpoint ?? null, problem ? at : null],
  );
  if (!problem) return true;
  await sendWebhookRecords(store, tx, {
    ticketId: req.ticketId,
    calls: [{ requestId: req.requestId, webhookId: req.webhookId, endpoint: hook?.endpoint ?? '', outcome: { status: 'failed', statusCode: null, error: problem, attempts: 0, at } }],
  });
  return false;
};
