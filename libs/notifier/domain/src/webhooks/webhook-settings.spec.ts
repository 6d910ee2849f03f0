import { publicSettings, validateWebhookInput, webhookIdFrom } from './webhook-settings';

describe('webhook settings', () => {
  const minimal = { name: 'Order system', endpoint: 'https://orders.example.test/hooks/zendesk' };

  it('a create needs a name and an http(s) endpoint; the rest has Zendesk defaults', () => {
    const r = validateWebhookInput(minimal, null);
    expect(r).toEqual({
      ok: true,
      credentialsChanged: false,
      settings: { name: 'Order system', description: '', status: 'active', endpoint: minimal.endpoint, httpMethod: 'POST', requestFormat: 'json', subscriptions: ['conditional_ticket_events'], authentication: null, customHeaders: {} },
    });
    expect(validateWebhookInput({ endpoint: minimal.endpoint }, null)).toMatchObject({ ok: false, refusal: { field: 'name' } });
    expect(validateWebhookInput({ name: 'x' }, null)).toMatchObject({ ok: false, refusal: { field: 'endpoint' } });
    expect(validateWebhookInput({ ...minimal, endpoint: 'ftp://x.test/' }, null)).toMatchObject({ ok: false, refusal: { field: 'endpoint' } });
    expect(validateWebhookInput({ ...minimal, endpoint: 'https://user:pw@x.test/' }, null)).toMatchObject({ ok: false, refusal: { field: 'endpoint' } });
  });

  it('refuses unknown methods, formats, statuses and event subscriptions', () => {
    expect(validateWebhookInput({ ...minimal, http_method: 'TRACE' }, null)).toMatchObject({ ok: false, refusal: { field: 'http_method' } });
    expect(validateWebhookInput({ ...minimal, http_method: 'put' }, null)).toMatchObject({ ok: true, settings: { httpMethod: 'PUT' } });
    expect(validateWebhookInput({ ...minimal, request_format: 'yaml' }, null)).toMatchObject({ ok: false, refusal: { field: 'request_format' } });
    expect(validateWebhookInput({ ...minimal, status: 'paused' }, null)).toMatchObject({ ok: false, refusal: { field: 'status' } });
    expect(validateWebhookInput({ ...minimal, subscriptions: ['zen:event-type:ticket.created'] }, null)).toMatchObject({ ok: false, refusal: { field: 'subscriptions' } });
  });

  it('authentication needs the fields of its type; events never carry them', () => {
    expect(validateWebhookInput({ ...minimal, authentication: { type: 'bearer_token', add_position: 'header', data: {} } }, null)).toMatchObject({ ok: false, refusal: { field: 'authentication' } });
    expect(validateWebhookInput({ ...minimal, authentication: { type: 'api_key', data: { name: 'Authorization', value: 'x' } } }, null)).toMatchObject({ ok: false });
    const r = validateWebhookInput({ ...minimal, authentication: { type: 'basic_auth', add_position: 'header', data: { username: 'zd', password: 's3cret' } }, custom_headers: { 'X-Tenant': 'acme' } }, null);
    expect(r).toMatchObject({ ok: true, credentialsChanged: true, settings: { authentication: { type: 'basic_auth', data: { username: 'zd', password: 's3cret' } } } });
    if (!r.ok) return;
    const carried = JSON.stringify(publicSettings(r.settings));
    expect(carried).not.toContain('s3cret');
    expect(carried).not.toContain('acme');
    expect(publicSettings(r.settings)).toMatchObject({ authentication: { type: 'basic_auth', addPosition: 'header' }, customHeaderNames: ['X-Tenant'] });
  });

  it('custom headers may not replace ours or smuggle lines', () => {
    expect(validateWebhookInput({ ...minimal, custom_headers: { 'X-Zendesk-Webhook-Signature': 'forged' } }, null)).toMatchObject({ ok: false, refusal: { field: 'custom_headers' } });
    expect(validateWebhookInput({ ...minimal, custom_headers: { 'X-A': 'a\r\nX-B: b' } }, null)).toMatchObject({ ok: false });
    expect(validateWebhookInput({ ...minimal, custom_headers: Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`X-H${i}`, 'v'])) }, null)).toMatchObject({ ok: false });
  });

  it('a change keeps what it leaves out', () => {
    const created = validateWebhookInput({ ...minimal, http_method: 'PUT' }, null);
    if (!created.ok) throw new Error('create refused');
    const changed = validateWebhookInput({ status: 'inactive' }, created.settings);
    expect(changed).toMatchObject({ ok: true, credentialsChanged: false, settings: { ...created.settings, status: 'inactive' } });
  });

  it('ids are ULIDs: 26 Crockford characters, ordered by time', () => {
    const a = webhookIdFrom(new Date('2026-03-01T09:00:00Z'), new Uint8Array(10).fill(255));
    const b = webhookIdFrom(new Date('2026-03-01T09:00:01Z'), new Uint8Array(10));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a.slice(16)).toBe('ZZZZZZZZZZZZZZZZ'.slice(0, 10));
    expect(b > a).toBe(true);
  });
});
