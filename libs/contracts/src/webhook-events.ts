/**
 * Webhooks (`/api/v2/webhooks`): one stream per webhook, so every change an admin makes has a place
 * in the log. Secrets (the signing secret, credentials) never travel in events — the log is
 * forwarded to every subscriber — only the fact that they changed; they stay in notifier.webhooks.
 */
export const webhookStreamId = (webhookId: string): string => `webhook-${webhookId}`;

export type WebhookStatus = 'active' | 'inactive';
export type WebhookHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type WebhookRequestFormat = 'json' | 'xml' | 'form_encoded';
export type WebhookAuthType = 'basic_auth' | 'bearer_token' | 'api_key';

export const WEBHOOK_HTTP_METHODS: readonly WebhookHttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const WEBHOOK_REQUEST_FORMATS: readonly WebhookRequestFormat[] = ['json', 'xml', 'form_encoded'];
export const WEBHOOK_AUTH_TYPES: readonly WebhookAuthType[] = ['basic_auth', 'bearer_token', 'api_key'];

/** The non-secret part of a webhook, as events carry it. */
export interface WebhookSettingsV1 {
  name: string;
  description: string;
  status: WebhookStatus;
  endpoint: string;
  httpMethod: WebhookHttpMethod;
  requestFormat: WebhookRequestFormat;
  subscriptions: string[];
  /** Header names only; values may be credentials. */
  customHeaderNames: string[];
  /** The kind of credentials, without them. */
  authentication: { type: WebhookAuthType; addPosition: 'header' } | null;
}

export interface WebhookCreatedV1 extends WebhookSettingsV1 {
  webhookId: string;
  createdAt: string;
  createdBy: number | null;
}

export interface WebhookUpdatedV1 extends Partial<WebhookSettingsV1> {
  webhookId: string;
  updatedAt: string;
  updatedBy: number | null;
  /** True when the credentials or custom header values changed. */
  credentialsChanged?: boolean;
}

export interface WebhookSigningSecretResetV1 {
  webhookId: string;
  resetAt: string;
  resetBy: number | null;
}

export interface WebhookDeletedV1 {
  webhookId: string;
  deletedAt: string;
  deletedBy: number | null;
}

export type WebhookEvent =
  | { type: 'webhook.created'; data: WebhookCreatedV1 }
  | { type: 'webhook.updated'; data: WebhookUpdatedV1 }
  | { type: 'webhook.signing_secret_reset'; data: WebhookSigningSecretResetV1 }
  | { type: 'webhook.deleted'; data: WebhookDeletedV1 };
