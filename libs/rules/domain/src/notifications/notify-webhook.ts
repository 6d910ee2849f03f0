import { type ActionHandler, skipped } from '../actions/action-handler';
import { deterministicUuid } from '../deterministic-id';
import type { RuleWebhookRequest } from '../model';

/**
 * `notification_webhook`: `[webhook_id, body]`. The body is a Liquid template (usually JSON) that
 * the notifier renders and sends; it is not parsed here because placeholders may sit outside quotes.
 */
export const notifyWebhook: ActionHandler = (action, ctx) => {
  const value = action.value;
  if (!Array.isArray(value) || value.length < 1) return skipped(ctx, 'notification_webhook expects [webhook id, body]');
  const [webhookId, body = ''] = value as [unknown, unknown];
  if ((typeof webhookId !== 'string' || webhookId.trim() === '') && typeof webhookId !== 'number') {
    return skipped(ctx, `${JSON.stringify(webhookId ?? null)} is not a webhook id`);
  }
  if (typeof body !== 'string') return skipped(ctx, 'the webhook body must be a string');
  const webhook: RuleWebhookRequest = {
    requestId: deterministicUuid('webhook', ctx.update.updateId, ctx.trigger.id, ctx.actionIndex),
    webhookId: String(webhookId).trim(),
    body,
  };
  return { ticket: ctx.ticket, outcome: 'webhook', webhook };
};
