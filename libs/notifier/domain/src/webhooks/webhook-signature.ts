import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Zendesk's webhook signature: base64(HMAC-SHA256(signing secret, timestamp + raw body)), sent in
 * `X-Zendesk-Webhook-Signature` with the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`, so
 * a receiver can check both who sent the call and that the body was not changed on the way.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Zendesk-Webhook-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Zendesk-Webhook-Signature-Timestamp';
export const WEBHOOK_ID_HEADER = 'X-Zendesk-Webhook-Id';
export const WEBHOOK_INVOCATION_HEADER = 'X-Zendesk-Webhook-Invocation-Id';
export const WEBHOOK_USER_AGENT = 'Zendesk Webhook';

export const signWebhookBody = (secret: string, timestamp: string, body: string): string =>
  createHmac('sha256', secret).update(timestamp + body, 'utf8').digest('base64');

/** What a receiver does: recompute and compare in constant time. */
export const verifyWebhookSignature = (secret: string, timestamp: string, body: string, signature: string): boolean => {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
};

/** The timestamp as Zendesk sends it: ISO 8601 in UTC, to the second. */
export const webhookTimestamp = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const signatureHeaders = (secret: string, at: Date, body: string): Record<string, string> => {
  const timestamp = webhookTimestamp(at);
  return { [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body), [WEBHOOK_TIMESTAMP_HEADER]: timestamp };
};
