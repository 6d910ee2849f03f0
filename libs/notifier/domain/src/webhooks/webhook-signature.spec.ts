import { createHmac } from 'node:crypto';
import { signatureHeaders, signWebhookBody, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, webhookTimestamp } from './webhook-signature';

describe('webhook signatures (Zendesk: base64 HMAC-SHA256 of timestamp + body)', () => {
  const secret = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
  const body = '{"ticket":{"id":42,"title":"Printer \\"on fire\\""}}';

  it('signs the timestamp followed by the raw body, as a receiver recomputes it', () => {
    const ts = '2026-03-01T09:00:00Z';
    const expected = createHmac('sha256', secret).update(ts + body).digest('base64');
    expect(signWebhookBody(secret, ts, body)).toBe(expected);
    expect(verifyWebhookSignature(secret, ts, body, expected)).toBe(true);
  });

  it('a changed body, timestamp or secret does not verify', () => {
    const ts = '2026-03-01T09:00:00Z';
    const sig = signWebhookBody(secret, ts, body);
    expect(verifyWebhookSignature(secret, ts, body.replace('42', '43'), sig)).toBe(false);
    expect(verifyWebhookSignature(secret, '2026-03-01T09:00:01Z', body, sig)).toBe(false);
    expect(verifyWebhookSignature('another secret', ts, body, sig)).toBe(false);
    expect(verifyWebhookSignature(secret, ts, body, 'short')).toBe(false);
  });

  it('sends the signature and the second-precise UTC timestamp under Zendesk header names', () => {
    const at = new Date('2026-03-01T09:00:00.789Z');
    expect(webhookTimestamp(at)).toBe('2026-03-01T09:00:00Z');
    const headers = signatureHeaders(secret, at, body);
    expect(headers[WEBHOOK_TIMESTAMP_HEADER]).toBe('2026-03-01T09:00:00Z');
    expect(headers[WEBHOOK_SIGNATURE_HEADER]).toBe(signWebhookBody(secret, '2026-03-01T09:00:00Z', body));
    expect(WEBHOOK_SIGNATURE_HEADER).toBe('X-Zendesk-Webhook-Signature');
    expect(WEBHOOK_TIMESTAMP_HEADER).toBe('X-Zendesk-Webhook-Signature-Timestamp');
  });
});
