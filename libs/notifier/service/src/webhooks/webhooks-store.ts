import { randomBytes } from 'node:crypto';
import { webhookStreamId, type Actor, type NewMessage } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  publicSettings,
  validateWebhookInput,
  webhookIdFrom,
  type WebhookRecord,
  type WebhookRefusal,
  type WebhookSettings,
} from '@mailroom/notifier-domain';

export type WebhookResult = { ok: true; webhook: WebhookRecord } | { ok: false; refusal: WebhookRefusal | { field: null; description: 'not_found' } };

interface Row {
  id: string;
  name: string;
  description: string;
  status: 'active' | 'inactive';
  endpoint: string;
  http_method: WebhookRecord['httpMethod'];
  request_format: WebhookRecord['requestFormat'];
  subscriptions: string[];
  authentication: WebhookRecord['authentication'];
  custom_headers: Record<string, string>;
  signing_secret: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (r: Row): WebhookRecord => ({
  id: r.id,
  name: r.name,
  description: r.description,
  status: r.status,
  endpoint: r.endpoint,
  httpMethod: r.http_method,
  requestFormat: r.request_format,
  subscriptions: r.subscriptions,
  authentication: r.authentication,
  customHeaders: r.custom_headers,
  signingSecret: r.signing_secret,
  createdBy: r.created_by === null ? null : Number(r.created_by),
  updatedBy: r.updated_by === null ? null : Number(r.updated_by),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const SELECT = `SELECT id, name, description, status, endpoint, http_method, request_format, subscriptions, authentication, custom_headers, signing_secret,
  created_by, updated_by, created_at, updated_at FROM notifier.webhooks`;

/** A new signing secret: 32 random bytes, base64 (as Zendesk's look). */
export const newSigningSecret = (): string => randomBytes(32).toString('base64');

const settingsOf = (w: WebhookRecord): WebhookSettings => ({
  name: w.name,
  description: w.description,
  status: w.status,
  endpoint: w.endpoint,
  httpMethod: w.httpMethod,
  requestFormat: w.requestFormat,
  subscriptions: w.subscriptions,
  authentication: w.authentication,
  customHeaders: w.customHeaders,
});

/**
 * Webhooks as the API changes them: each change writes notifier.webhooks and appends its event to
 * the webhook's stream in the caller's transaction (the row is locked, so two admins changing one
 * webhook take turns). The notifier reads the same table when it calls.
 */
export class Webhooks {
  constructor(private readonly store: EventStore) {}

  async list(db: Db): Promise<WebhookRecord[]> {
    return (await db.query<Row>(`${SELECT} ORDER BY id`)).map(toRecord);
  }

  async byId(db: Db, id: string, lock = false): Promise<WebhookRecord | null> {
    const rows = await db.query<Row>(`${SELECT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async create(tx: Db, input: Record<string, unknown>, actor: Actor, now: string): Promise<WebhookResult> {
    const checked = validateWebhookInput(input, null);
    if (!checked.ok) return checked;
    const given = (input.signing_secret as { secret?: unknown } | undefined)?.secret;
    if (given !== undefined && (typeof given !== 'string' || given.length < 16 || given.length > 256)) {
      return { ok: false, refusal: { field: 'signing_secret', description: 'Signing secret: must be text of 16 to 256 characters' } };
    }
    const id = webhookIdFrom(new Date(now), randomBytes(10));
    const s = checked.settings;
    await tx.query(
      `INSERT INTO notifier.webhooks (id, name, description, status, endpoint, http_method, request_format, subscriptions, authentication, custom_headers, signing_secret, created_by, updated_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $13)`,
      [id, s.name, s.description, s.status, s.endpoint, s.httpMethod, s.requestFormat, JSON.stringify(s.subscriptions), s.authentication ? JSON.stringify(s.authentication) : null, JSON.stringify(s.customHeaders), (given as string | undefined) ?? newSigningSecret(), actor.userId, now],
    );
    await this.append(tx, id, 'no_stream', { type: 'webhook.created', data: { webhookId: id, ...publicSettings(s), createdAt: now, createdBy: actor.userId } }, actor, now);
    return { ok: true, webhook: (await this.byId(tx, id))! };
  }

  async update(tx: Db, id: string, input: Record<string, unknown>, actor: Actor, now: string): Promise<WebhookResult> {
    const current = await this.byId(tx, id, true);
    if (!current) return { ok: false, refusal: { field: null, description: 'not_found' } };
    const checked = validateWebhookInput(input, settingsOf(current));
    if (!checked.ok) return checked;
    const s = checked.settings;
    await tx.query(
      `UPDATE notifier.webhooks SET name = $2, description = $3, status = $4, endpoint = $5, http_method = $6, request_format = $7, subscriptions = $8,
         authentication = $9, custom_headers = $10, updated_by = $11, updated_at = $12 WHERE id = $1`,
      [id, s.name, s.description, s.status, s.endpoint, s.httpMethod, s.requestFormat, JSON.stringify(s.subscriptions), s.authentication ? JSON.stringify(s.authentication) : null, JSON.stringify(s.customHeaders), actor.userId, now],
    );
    const before = publicSettings(settingsOf(current));
    const after = publicSettings(s);
    const changed = Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before])));
    await this.append(tx, id, 'any', { type: 'webhook.updated', data: { webhookId: id, ...changed, updatedAt: now, updatedBy: actor.userId, ...(checked.credentialsChanged ? { credentialsChanged: true } : {}) } }, actor, now);
    return { ok: true, webhook: (await this.byId(tx, id))! };
  }

  async resetSigningSecret(tx: Db, id: string, actor: Actor, now: string): Promise<WebhookResult> {
    const current = await this.byId(tx, id, true);
    if (!current) return { ok: false, refusal: { field: null, description: 'not_found' } };
    await tx.query(`UPDATE notifier.webhooks SET signing_secret = $2, updated_by = $3, updated_at = $4 WHERE id = $1`, [id, newSigningSecret(), actor.userId, now]);
    await this.append(tx, id, 'any', { type: 'webhook.signing_secret_reset', data: { webhookId: id, resetAt: now, resetBy: actor.userId } }, actor, now);
    return { ok: true, webhook: (await this.byId(tx, id))! };
  }

  async delete(tx: Db, id: string, actor: Actor, now: string): Promise<WebhookResult> {
    const current = await this.byId(tx, id, true);
    if (!current) return { ok: false, refusal: { field: null, description: 'not_found' } };
    await tx.query(`DELETE FROM notifier.webhooks WHERE id = $1`, [id]);
    await this.append(tx, id, 'any', { type: 'webhook.deleted', data: { webhookId: id, deletedAt: now, deletedBy: actor.userId } }, actor, now);
    return { ok: true, webhook: current };
  }

  private async append(tx: Db, id: string, expected: 'no_stream' | 'any', message: NewMessage, actor: Actor, now: string): Promise<void> {
    await this.store.append(tx, webhookStreamId(id), 'webhook', expected, [message], { actor, occurredAt: now });
  }
}
