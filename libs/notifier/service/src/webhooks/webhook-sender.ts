import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RecordWebhookDeliveriesV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  type AttemptResult,
  decideAfterAttempt,
  DEFAULT_WEBHOOK_RETRY_POLICY,
  parseRetryAfter,
  signatureHeaders,
  WEBHOOK_ID_HEADER,
  WEBHOOK_INVOCATION_HEADER,
  WEBHOOK_USER_AGENT,
  type WebhookAuthentication,
  type WebhookRetryPolicy,
} from '@mailroom/notifier-domain';
import type { Logger } from '@mailroom/observability';
import { BlockedTarget, checkLiteralHost, guardedLookup } from './target-guard';
import { DrainLoop } from '../drain-loop';
import { sendWebhookRecords } from './webhook-calls';

interface DueCall {
  request_id: string;
  ticket_id: string;
  webhook_id: string;
  body: string;
  attempts: number;
  status: string | null;
  endpoint: string | null;
  http_method: string | null;
  request_format: 'json' | 'xml' | 'form_encoded' | null;
  authentication: WebhookAuthentication | null;
  custom_headers: Record<string, string> | null;
  signing_secret: string | null;
}

/** One call's attempt in a pass and what follows from it. */
interface Decided {
  call: DueCall;
  n: number;
  decision: ReturnType<typeof decideAfterAttempt>;
  at: string;
}

export interface WebhookSenderOptions {
  db: Db;
  store: EventStore;
  log: Logger;
  allowPrivateTargets: boolean;
  timeoutMs?: number;
  retry?: WebhookRetryPolicy;
  batchSize?: number;
  clock?: () => Date;
}

const CONTENT_TYPES = { json: 'application/json', xml: 'application/xml', form_encoded: 'application/x-www-form-urlencoded' } as const;

const authHeaders = (auth: WebhookAuthentication | null): Record<string, string> => {
  if (!auth) return {};
  switch (auth.type) {
    case 'basic_auth':
      return { Authorization: `Basic ${Buffer.from(`${auth.data.username}:${auth.data.password}`).toString('base64')}` };
    case 'bearer_token':
      return { Authorization: `Bearer ${auth.data.token}` };
    case 'api_key':
      return { [auth.data.name]: auth.data.value };
    default: {
      const _exhaustive: never = auth.type;
      return _exhaustive;
    }
  }
};

/**
 * One HTTP attempt, with a deadline for the whole exchange up to the response headers. The answer's
 * body is drained, not read. Redirects are never followed (a redirect could point inward).
 */
const attempt = (url: URL, method: string, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<AttemptResult> =>
  new Promise((resolve) => {
    try {
      checkLiteralHost(url.hostname, allowPrivate);
    } catch (err) {
      resolve({ kind: 'error', error: (err as Error).message, retryable: false });
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (r: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = send(url, { method, headers, lookup: guardedLookup(allowPrivate), agent: false }, (res: IncomingMessage) => {
      res.resume();
      res.on('error', () => undefined);
      const retryAfter = res.headers['retry-after'];
      finish({ kind: 'response', statusCode: res.statusCode ?? 0, retryAfterSeconds: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, new Date()) });
    });
    const timer = setTimeout(() => {
      finish({ kind: 'error', error: `no answer within ${timeoutMs} ms`, retryable: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => {
      const blocked = err instanceof BlockedTarget || /^blocked: /.test(err.message);
      finish({ kind: 'error', error: blocked ? err.message : `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`, retryable: !blocked });
    });
    if (body && method !== 'GET' && method !== 'DELETE') req.end(body);
    else req.end();
  });

/**
 * Calls the webhooks that are due: claims them with a lease (SKIP LOCKED, so replicas share the
 * work), signs each attempt with the webhook's current secret, and writes a pass's outcomes — delivered,
 * retry later, or failed for good — in one transaction with, per ticket, one record of the final
 * ones for the audit. A call that succeeded is never made again; a crash between the receiver's
 * answer and our commit repeats it once the lease ends (same X-Zendesk-Webhook-Invocation-Id).
 */
export class WebhookSender {
  private readonly drain: DrainLoop;
  private readonly timeoutMs: number;
  private readonly retry: WebhookRetryPolicy;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.timeoutMs = opts.timeoutMs ?? 12_000;
    this.retry = opts.retry ?? DEFAULT_WEBHOOK_RETRY_POLICY;
    this.drain = new DrainLoop('webhook sender', () => this.runOnce(), opts.log);
  }

  notify(): void {
    this.drain.notify();
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  async runOnce(): Promise<number> {
    const now = this.now();
    const lease = new Date(now.getTime() + this.timeoutMs + 60_000);
    const due = await this.opts.db.query<DueCall>(
      `WITH claimed AS (
         UPDATE notifier.webhook_calls SET next_attempt_at = $3
         WHERE request_id IN (SELECT request_id FROM notifier.webhook_calls WHERE status = 'pending' AND next_attempt_at <= $1
                              ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING request_id, ticket_id, webhook_id, body, attempts)
       SELECT c.*, w.status, w.endpoint, w.http_method, w.request_format, w.authentication, w.custom_headers, w.signing_secret
       FROM claimed c LEFT JOIN notifier.webhooks w ON w.id = c.webhook_id`,
      [now.toISOString(), this.opts.batchSize ?? 20, lease.toISOString()],
    );
    if (due.length === 0) return 0;
    const decided = await Promise.all(due.map(async (call): Promise<Decided> => ({ call, ...(await this.attemptCall(call)) })));
    await this.record(decided);
    return due.length;
  }

  /** One attempt of a call and what follows from it; writes nothing (the pass records every call at once). */
  private async attemptCall(call: DueCall): Promise<Omit<Decided, 'call'>> {
    const n = call.attempts + 1;
    let result: AttemptResult;
    if (!call.endpoint || !call.signing_secret) result = { kind: 'error', error: `webhook ${call.webhook_id} was deleted`, retryable: false };
    else if (call.status !== 'active') result = { kind: 'error', error: `webhook ${call.webhook_id} is inactive`, retryable: false };
    else {
      const method = call.http_method ?? 'POST';
      const sendsBody = method !== 'GET' && method !== 'DELETE';
      const body = sendsBody ? call.body : '';
      const headers: Record<string, string> = {
        ...(call.custom_headers ?? {}),
        ...authHeaders(call.authentication),
        'User-Agent': WEBHOOK_USER_AGENT,
        [WEBHOOK_ID_HEADER]: call.webhook_id,
        [WEBHOOK_INVOCATION_HEADER]: call.request_id,
        ...signatureHeaders(call.signing_secret, this.now(), body),
        ...(sendsBody ? { 'Content-Type': `${CONTENT_TYPES[call.request_format ?? 'json']}; charset=utf-8`, 'Content-Length': String(Buffer.byteLength(body)) } : {}),
      };
      result = await attempt(new URL(call.endpoint), method, headers, body, this.timeoutMs, this.opts.allowPrivateTargets);
    }
    const decision = decideAfterAttempt(result, n, this.retry);
    if (decision.next === 'retry') this.opts.log.warn('webhook call failed, will retry', { webhook: call.webhook_id, attempt: n, error: decision.error });
    if (decision.next === 'failed') this.opts.log.warn('webhook call failed', { webhook: call.webhook_id, attempt: n, error: decision.error });
    return { n, decision, at: this.now().toISOString() };
  }

  /**
   * Writes a pass in one transaction: each call's row and, per ticket, one record of the calls that
   * ended (issue 8). A call another replica finished meanwhile (our lease ran out) is left to its record.
   */
  private async record(decided: Decided[]): Promise<void> {
    await this.opts.db.transaction(async (tx) => {
      const byTicket = new Map<number, RecordWebhookDeliveriesV1['calls']>();
      for (const { call, n, decision, at } of decided) {
        if (decision.next === 'retry') {
          await tx.query(`UPDATE notifier.webhook_calls SET attempts = $2, last_status_code = $3, last_error = $4, next_attempt_at = $5 WHERE request_id = $1 AND status = 'pending'`, [
            call.request_id,
            n,
            decision.statusCode,
            decision.error,
            new Date(Date.parse(at) + decision.delayMs).toISOString(),
          ]);
          continue;
        }
        const updated = await tx.query(
          `UPDATE notifier.webhook_calls SET status = $2, attempts = $3, last_status_code = $4, last_error = $5, finished_at = $6, endpoint = COALESCE($7, endpoint)
           WHERE request_id = $1 AND status = 'pending' RETURNING request_id`,
          [call.request_id, decision.next, n, decision.statusCode, decision.next === 'failed' ? decision.error : null, at, call.endpoint],
        );
        if (!updated.length) continue;
        const ticketId = Number(call.ticket_id);
        const outcome: RecordWebhookDeliveriesV1['calls'][number]['outcome'] =
          decision.next === 'delivered'
            ? { status: 'delivered', statusCode: decision.statusCode, attempts: n, at }
            : { status: 'failed', statusCode: decision.statusCode, error: decision.error, attempts: n, at };
        byTicket.set(ticketId, [...(byTicket.get(ticketId) ?? []), { requestId: call.request_id, webhookId: call.webhook_id, endpoint: call.endpoint ?? '', outcome }]);
      }
      for (const [ticketId, calls] of byTicket) await sendWebhookRecords(this.opts.store, tx, { ticketId, calls });
    });
  }

  start(): void {
    this.drain.start();
  }

  async stop(): Promise<void> {
    await this.drain.stop();
  }
}
