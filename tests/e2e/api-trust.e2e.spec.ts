import { readTicketConfig } from '@mailroom/config';
import { silentLogger } from '@mailroom/observability';
import { startTicketService, type RunningTicketService } from '@mailroom/ticket';
import { TEST_AMQP_URL } from '@mailroom/testing';
import { ADMIN_EMAIL, ADMIN_TOKEN, SECRET, startSystem, type System } from '../support/system';

/**
 * Who may use the API, and what it accepts: admin-managed API tokens shown once and revocable,
 * a rotated MAILROOM_ADMIN_TOKEN that really replaces the old one, token guessing stopped with
 * 429 by counters every replica shares, the scheduler's clock closed to strangers, webhook header
 * values that are never read back, and request text PostgreSQL cannot store refused with a 400.
 */
describe('API trust, end to end', () => {
  let sys: System;
  const replicas: RunningTicketService[] = [];

  const basic = (email: string, token: string) => 'Basic ' + Buffer.from(`${email}/token:${token}`).toString('base64');
  /** A call from a given client address: the system trusts X-Forwarded-For from loopback, as behind an Ingress. */
  const call = async (base: string, path: string, init: { method?: string; auth?: string; client?: string; body?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.auth) headers.authorization = init.auth;
    if (init.client) headers['x-forwarded-for'] = init.client;
    const res = await fetch(`${base}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
  };
  /** Another ticket service on the same database: a second replica, or a restart with other settings. */
  const startReplica = async (env: Record<string, string> = {}) => {
    const r = await startTicketService(
      readTicketConfig({
        DATABASE_URL: sys.databaseUrl,
        AMQP_URL: TEST_AMQP_URL,
        MAILROOM_AMQP_NAMESPACE: sys.namespace,
        MAILROOM_SECRET: SECRET,
        MAILROOM_ADMIN_EMAIL: ADMIN_EMAIL,
        MAILROOM_ADMIN_TOKEN: ADMIN_TOKEN,
        MAILROOM_HTTP_PORT: '0',
        MAILROOM_HTTP_TRUST_PROXY: 'loopback',
        MAILROOM_AUTH_FAILURE_LIMIT: '5',
        ...env,
      }),
      silentLogger,
    );
    replicas.push(r);
    return `http://127.0.0.1:${r.httpPort}/api/v2`;
  };

  beforeAll(async () => {
    sys = await startSystem({ env: { MAILROOM_HTTP_TRUST_PROXY: 'loopback', MAILROOM_AUTH_FAILURE_LIMIT: '5', MAILROOM_AUTH_FAILURE_WINDOW_SECONDS: '300' } });
  });
  afterAll(async () => {
    for (const r of replicas) await r.close().catch(() => undefined);
    await sys?.close();
  });

  describe('request bodies', () => {
    const create = (raw: string) => call(sys.apiBase, '/tickets', { method: 'POST', auth: sys.adminAuth, body: raw });

    it('refuse a NUL character anywhere in a JSON body with a Zendesk-shaped 400', async () => {
      for (const raw of [
        JSON.stringify({ ticket: { subject: 'nul\u0000here', comment: { body: 'hello' } } }),
        JSON.stringify({ ticket: { subject: 'ok', comment: { body: 'hello' }, tags: ['a', 'b\u0000'] } }),
        JSON.stringify({ ticket: { subject: 'ok', comment: { body: 'hello' }, ['k\u0000']: 1 } }),
      ]) {
        const r = await create(raw);
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ error: 'InvalidRequest', description: expect.stringContaining('NUL') });
      }
      const users = await call(sys.apiBase, '/users', { method: 'POST', auth: sys.adminAuth, body: JSON.stringify({ user: { name: 'x\u0000', email: 'nul@customer.test' } }) });
      expect(users.status).toBe(400);
    });

    it('refuse a lone surrogate, accept a paired one', async () => {
      const lone = await create('{"ticket": {"subject": "half \\ud83d", "comment": {"body": "hello"}}}');
      expect(lone.status).toBe(400);
      expect(lone.body).toMatchObject({ error: 'InvalidRequest', description: expect.stringContaining('surrogate') });
      const trailing = await create('{"ticket": {"subject": "\\ude00 tail", "comment": {"body": "hello"}}}');
      expect(trailing.status).toBe(400);
      const paired = await create('{"ticket": {"subject": "smile \\ud83d\\ude00", "comment": {"body": "hello"}}}');
      expect(paired.status).toBe(201);
      expect(paired.body.ticket.subject).toBe('smile 😀');
    });

    it('answer JSON that does not parse with a Zendesk-shaped 400, not an HTML page', async () => {
      const r = await create('{"ticket": ');
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'InvalidRequest' });
    });
  });

  describe('API tokens', () => {
    it('are created by admins, shown once, listed without the secret, and refused once revoked', async () => {
      const created = await sys.api('/api_tokens', { method: 'POST', body: { api_token: { description: 'CRM sync' } } });
      expect(created.status).toBe(201);
      const { id, token } = created.body.api_token;
      expect(created.body.api_token).toMatchObject({ description: 'CRM sync', active: true, created_at: expect.any(String) });
      expect(token).toMatch(/^[A-Za-z0-9_-]{40}$/);

      const list = await call(sys.apiBase, '/api_tokens', { auth: sys.adminAuth });
      expect(list.status).toBe(200);
      expect(list.body.api_tokens.map((t: { description: string }) => t.description)).toEqual(['seeded from MAILROOM_ADMIN_TOKEN', 'CRM sync']);
      for (const t of list.body.api_tokens) expect(t).not.toHaveProperty('token');
      expect(list.text).not.toContain(token);
      expect(list.text).not.toContain(ADMIN_TOKEN);
      const shown = await call(sys.apiBase, `/api_tokens/${id}.json`, { auth: sys.adminAuth });
      expect(shown.body.api_token).toMatchObject({ id, description: 'CRM sync' });
      expect(shown.text).not.toContain(token);

      // The token works for any agent or admin by email (Zendesk's account tokens)...
      const me = await call(sys.apiBase, '/users/me', { auth: basic(ADMIN_EMAIL, token) });
      expect(me.status).toBe(200);
      const agent = await sys.api('/users', { method: 'POST', body: { user: { name: 'Agnes', email: 'agnes@mailroom.test', role: 'agent' } } });
      expect(agent.status).toBe(201);
      // ...but only admins manage tokens.
      expect((await call(sys.apiBase, '/api_tokens', { auth: basic('agnes@mailroom.test', token) })).status).toBe(403);
      expect((await call(sys.apiBase, '/api_tokens', { method: 'POST', auth: basic('agnes@mailroom.test', token), body: '{"api_token": {}}' })).status).toBe(403);

      const revoked = await sys.api(`/api_tokens/${id}`, { method: 'DELETE' });
      expect(revoked.status).toBe(204);
      const after = await call(sys.apiBase, '/users/me', { auth: basic(ADMIN_EMAIL, token), client: '198.51.100.1' });
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ error: "Couldn't authenticate you" });
      expect((await sys.api(`/api_tokens/${id}`)).status).toBe(404);
      expect((await sys.api('/api_tokens')).body.api_tokens).toHaveLength(1);
    });

    it('are stored as hashes only', async () => {
      const created = await sys.api('/api_tokens', { method: 'POST', body: { api_token: { description: 'hashed' } } });
      const rows = await sys.ticket.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ticket.api_tokens t`);
      expect(rows.map((r) => r.row).join('\n')).not.toContain(created.body.api_token.token);
      await sys.api(`/api_tokens/${created.body.api_token.id}`, { method: 'DELETE' });
    });
  });

  describe('rate limits', () => {
    it('carry Zendesk rate-limit headers on successful calls', async () => {
      const r = await call(sys.apiBase, '/users/me', { auth: sys.adminAuth });
      expect(r.status).toBe(200);
      expect(Number(r.headers.get('x-rate-limit'))).toBe(100000);
      expect(Number(r.headers.get('x-rate-limit-remaining'))).toBeLessThan(100000);
      expect(r.headers.get('ratelimit-limit')).toBe('100000');
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    });

    it('stop token guessing from one address with 429 and Retry-After, on every replica, while other clients go on', async () => {
      const replica = await startReplica();
      const guesser = '203.0.113.7';
      const statuses: number[] = [];
      // Attempts alternate between the two replicas: the count is kept in PostgreSQL, not in either.
      for (let i = 0; i < 8; i++) {
        const base = i % 2 === 0 ? sys.apiBase : replica;
        statuses.push((await call(base, '/tickets', { auth: basic(`guess${i}@example.com`, `wrong-token-${i}`), client: guesser })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      for (const base of [sys.apiBase, replica]) {
        // Even the right token is refused from that address until the window has passed.
        const blocked = await call(base, '/users/me', { auth: sys.adminAuth, client: guesser });
        expect(blocked.status).toBe(429);
        expect(blocked.body).toMatchObject({ error: 'TooManyRequests' });
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(300);
      }
      expect((await call(sys.apiBase, '/users/me', { auth: sys.adminAuth, client: '203.0.113.8' })).status).toBe(200);
      // One shared count: five failures (the refused attempts are not even looked at).
      const rows = await sys.ticket.db.query<{ count: number }>(`SELECT count FROM ticket.rate_counters WHERE key = $1`, [`auth-failure:client:${guesser}`]);
      expect(rows).toEqual([{ count: 5 }]);
    });

    it('stop guessing the tokens of one email from many addresses', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await call(sys.apiBase, '/tickets', { auth: basic('Victim@Example.com', `wrong-${i}`), client: `192.0.2.${i + 1}` })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect((await call(sys.apiBase, '/tickets', { auth: basic('victim@example.com', 'another'), client: '192.0.2.99' })).status).toBe(429);
    });
  });

  describe('the scheduler clock', () => {
    const tick = (auth?: string) =>
      fetch(`http://127.0.0.1:${sys.scheduler.healthPort}/internal/tick?at=${encodeURIComponent('2030-01-01T00:00:00.000Z')}`, { method: 'POST', headers: auth ? { authorization: auth } : {} });

    it('does not move without the admin token', async () => {
      expect((await tick()).status).toBe(401);
      expect((await tick('Bearer not-the-admin-token')).status).toBe(401);
      expect((await tick(sys.adminAuth)).status).toBe(401);
      const [clock] = await sys.scheduler.db.query<{ n: string }>(`SELECT count(*) AS n FROM scheduler.clock`);
      expect(clock.n).toBe('0');
      const moved = await tick(`Bearer ${ADMIN_TOKEN}`);
      expect(moved.status).toBe(200);
      expect(await moved.json()).toMatchObject({ at: '2030-01-01T00:00:00.000Z' });
    });
  });

  describe('webhooks', () => {
    it('never show custom header values, while PATCH still sets them', async () => {
      const created = await sys.api('/webhooks', {
        method: 'POST',
        body: { webhook: { name: 'CRM', endpoint: 'https://crm.example.com/hook', http_method: 'POST', request_format: 'json', status: 'active', subscriptions: ['conditional_ticket_events'], custom_headers: { 'X-Api-Key': 'crm-key-1234567890' } } },
      });
      expect(created.status).toBe(201);
      const id = created.body.webhook.id;
      const patched = await sys.api(`/webhooks/${id}`, { method: 'PATCH', body: { webhook: { custom_headers: { 'X-Api-Key': 'crm-key-rotated-0987', 'X-Tenant': 'acme-tenant-42' } } } });
      expect(patched.status).toBe(204);
      const list = await call(sys.apiBase, '/webhooks', { auth: sys.adminAuth });
      const one = await call(sys.apiBase, `/webhooks/${id}`, { auth: sys.adminAuth });
      for (const text of [created.body && JSON.stringify(created.body), list.text, one.text]) {
        for (const secret of ['crm-key-1234567890', 'crm-key-rotated-0987', 'acme-tenant-42']) expect(text).not.toContain(secret);
      }
      expect(one.body.webhook.custom_header_names).toEqual(['X-Api-Key', 'X-Tenant']);
      const [stored] = await sys.ticket.db.query<{ custom_headers: Record<string, string> }>(`SELECT custom_headers FROM notifier.webhooks WHERE id = $1`, [id]);
      expect(stored.custom_headers).toEqual({ 'X-Api-Key': 'crm-key-rotated-0987', 'X-Tenant': 'acme-tenant-42' });
    });
  });

  describe('a changed MAILROOM_ADMIN_TOKEN', () => {
    it('replaces the seeded token: the old one stops working, basic and bearer', async () => {
      const rotated = 'rotated-admin-token-0123456789';
      const restarted = await startReplica({ MAILROOM_ADMIN_TOKEN: rotated });
      for (const base of [restarted, sys.apiBase]) {
        expect((await call(base, '/users/me', { auth: basic(ADMIN_EMAIL, ADMIN_TOKEN), client: '198.51.100.20' })).status).toBe(401);
        expect((await call(base, '/users/me', { auth: `Bearer ${ADMIN_TOKEN}`, client: '198.51.100.21' })).status).toBe(401);
        expect((await call(base, '/users/me', { auth: basic(ADMIN_EMAIL, rotated) })).status).toBe(200);
        expect((await call(base, '/users/me', { auth: `Bearer ${rotated}` })).status).toBe(200);
      }
    });
  });
});
