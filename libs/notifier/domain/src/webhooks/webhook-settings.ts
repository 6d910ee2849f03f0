import {
  WEBHOOK_AUTH_TYPES,
  WEBHOOK_HTTP_METHODS,
  WEBHOOK_REQUEST_FORMATS,
  type WebhookAuthType,
  type WebhookHttpMethod,
  type WebhookRequestFormat,
  type WebhookSettingsV1,
  type WebhookStatus,
} from '@mailroom/contracts';

/**
 * A webhook as an admin defines it through `/api/v2/webhooks` (Zendesk's Webhooks API), and the
 * pure checks on what the API accepts. Only webhooks connected to triggers and automations
 * (`conditional_ticket_events`) exist here; event subscriptions are not offered.
 */

export interface WebhookAuthentication {
  type: WebhookAuthType;
  addPosition: 'header';
  /** basic_auth: username, password; bearer_token: token; api_key: name, value. */
  data: Record<string, string>;
}

export interface WebhookSettings {
  name: string;
  description: string;
  status: WebhookStatus;
  endpoint: string;
  httpMethod: WebhookHttpMethod;
  requestFormat: WebhookRequestFormat;
  subscriptions: string[];
  authentication: WebhookAuthentication | null;
  customHeaders: Record<string, string>;
}

export interface WebhookRecord extends WebhookSettings {
  id: string;
  signingSecret: string;
  createdBy: number | null;
  updatedBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export type WebhookRefusal = { field: string; description: string };
export type WebhookInputResult = { ok: true; settings: WebhookSettings; credentialsChanged: boolean } | { ok: false; refusal: WebhookRefusal };

export const WEBHOOK_SUBSCRIPTIONS: readonly string[] = ['conditional_ticket_events'];
export const MAX_CUSTOM_HEADERS = 5;
const MAX_NAME = 255;
const MAX_ENDPOINT = 2048;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Headers Mailroom sets itself (or the HTTP stack does): a webhook cannot replace them. */
const RESERVED_HEADERS = /^(host|content-length|content-type|transfer-encoding|connection|user-agent|authorization|x-zendesk-.*)$/i;

const refuse = (field: string, description: string): WebhookInputResult => ({ ok: false, refusal: { field, description } });
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const oneLine = (v: string) => !/[\r\n\0]/.test(v);

const AUTH_FIELDS: Readonly<Record<WebhookAuthType, readonly string[]>> = {
  basic_auth: ['username', 'password'],
  bearer_token: ['token'],
  api_key: ['name', 'value'],
};

const parseAuthentication = (raw: unknown): { ok: true; value: WebhookAuthentication | null } | { ok: false; description: string } => {
  if (raw === null) return { ok: true, value: null };
  if (!isObject(raw)) return { ok: false, description: 'Authentication: must be an object or null' };
  const type = raw.type as WebhookAuthType;
  if (!WEBHOOK_AUTH_TYPES.includes(type)) return { ok: false, description: `Authentication: type must be one of ${WEBHOOK_AUTH_TYPES.join(', ')}` };
  if (raw.add_position !== undefined && raw.add_position !== 'header') return { ok: false, description: 'Authentication: add_position must be header' };
  if (!isObject(raw.data)) return { ok: false, description: 'Authentication: data is required' };
  const data: Record<string, string> = {};
  for (const key of AUTH_FIELDS[type]) {
    const v = raw.data[key];
    if (typeof v !== 'string' || v === '' || !oneLine(v) || v.length > 1024) return { ok: false, description: `Authentication: data.${key} is required (one line of text)` };
    data[key] = v;
  }
  if (type === 'api_key' && (!HEADER_NAME.test(data.name) || RESERVED_HEADERS.test(data.name))) {
    return { ok: false, description: 'Authentication: data.name must be a header name Mailroom does not set itself' };
  }
  return { ok: true, value: { type, addPosition: 'header', data } };
};

const parseCustomHeaders = (raw: unknown): { ok: true; value: Record<string, string> } | { ok: false; description: string } => {
  if (raw === null) return { ok: true, value: {} };
  if (!isObject(raw)) return { ok: false, description: 'Custom headers: must be an object of header names and values' };
  const entries = Object.entries(raw);
  if (entries.length > MAX_CUSTOM_HEADERS) return { ok: false, description: `Custom headers: at most ${MAX_CUSTOM_HEADERS}` };
  const value: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.test(name)) return { ok: false, description: `Custom headers: "${name}" is not a header name a webhook may set` };
    if (typeof v !== 'string' || !oneLine(v) || v.length > 1024) return { ok: false, description: `Custom headers: the value of "${name}" must be one line of text` };
    value[name] = v;
  }
  return { ok: true, value };
};

/** An http(s) URL without credentials in it (those belong in `authentication`). */
export const endpointProblem = (endpoint: string): string | null => {
  if (endpoint.length > MAX_ENDPOINT) return `Endpoint: is too long (at most ${MAX_ENDPOINT} characters)`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'Endpoint: is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Endpoint: must be an http or https URL';
  if (url.username || url.password) return 'Endpoint: must not hold credentials; use authentication';
  if (!url.hostname) return 'Endpoint: has no host';
  return null;
};

/**
 * Checks a create (current = null) or a change (PATCH/PUT: fields left out keep their value) and
 * returns the settings to store. Defaults on create: active, POST, json, conditional ticket events.
 */
export const validateWebhookInput = (input: Record<string, unknown>, current: WebhookSettings | null): WebhookInputResult => {
  const s: WebhookSettings = current
    ? { ...current, subscriptions: [...current.subscriptions], customHeaders: { ...current.customHeaders } }
    : { name: '', description: '', status: 'active', endpoint: '', httpMethod: 'POST', requestFormat: 'json', subscriptions: [...WEBHOOK_SUBSCRIPTIONS], authentication: null, customHeaders: {} };
  let credentialsChanged = false;
  if (input.name !== undefined || !current) {
    if (typeof input.name !== 'string' || !input.name.trim()) return refuse('name', 'Name: cannot be blank');
    const name = input.name.replace(/\s+/g, ' ').trim();
    if (name.length > MAX_NAME) return refuse('name', `Name: is too long (at most ${MAX_NAME} characters)`);
    s.name = name;
  }
  if (input.description !== undefined) {
    if (input.description !== null && typeof input.description !== 'string') return refuse('description', 'Description: must be text');
    s.description = (input.description ?? '').slice(0, 1000);
  }
  if (input.status !== undefined) {
    if (input.status !== 'active' && input.status !== 'inactive') return refuse('status', 'Status: must be active or inactive');
    s.status = input.status;
  }
  if (input.endpoint !== undefined || !current) {
    if (typeof input.endpoint !== 'string' || !input.endpoint.trim()) return refuse('endpoint', 'Endpoint: cannot be blank');
    const problem = endpointProblem(input.endpoint.trim());
    if (problem) return refuse('endpoint', problem);
    s.endpoint = input.endpoint.trim();
  }
  if (input.http_method !== undefined) {
    const method = typeof input.http_method === 'string' ? input.http_method.toUpperCase() : '';
    if (!WEBHOOK_HTTP_METHODS.includes(method as WebhookHttpMethod)) return refuse('http_method', `Http method: must be one of ${WEBHOOK_HTTP_METHODS.join(', ')}`);
    s.httpMethod = method as WebhookHttpMethod;
  }
  if (input.request_format !== undefined) {
    if (!WEBHOOK_REQUEST_FORMATS.includes(input.request_format as WebhookRequestFormat)) return refuse('request_format', `Request format: must be one of ${WEBHOOK_REQUEST_FORMATS.join(', ')}`);
    s.requestFormat = input.request_format as WebhookRequestFormat;
  }
  if (input.subscriptions !== undefined) {
    if (!Array.isArray(input.subscriptions) || input.subscriptions.length === 0 || input.subscriptions.some((x) => !WEBHOOK_SUBSCRIPTIONS.includes(x as string))) {
      return refuse('subscriptions', 'Subscriptions: only ["conditional_ticket_events"] is supported (webhooks connected to triggers and automations)');
    }
    s.subscriptions = [...new Set(input.subscriptions as string[])];
  }
  if (input.authentication !== undefined) {
    const auth = parseAuthentication(input.authentication);
    if (!auth.ok) return refuse('authentication', auth.description);
    s.authentication = auth.value;
    credentialsChanged = true;
  }
  if (input.custom_headers !== undefined) {
    const headers = parseCustomHeaders(input.custom_headers);
    if (!headers.ok) return refuse('custom_headers', headers.description);
    s.customHeaders = headers.value;
    credentialsChanged = true;
  }
  return { ok: true, settings: s, credentialsChanged };
};

/** The part events may carry: no credentials, no header values. */
export const publicSettings = (s: WebhookSettings): WebhookSettingsV1 => ({
  name: s.name,
  description: s.description,
  status: s.status,
  endpoint: s.endpoint,
  httpMethod: s.httpMethod,
  requestFormat: s.requestFormat,
  subscriptions: s.subscriptions,
  customHeaderNames: Object.keys(s.customHeaders),
  authentication: s.authentication ? { type: s.authentication.type, addPosition: 'header' } : null,
});

/**
 * Zendesk's webhook JSON. Credentials and custom header values are write-only (a header often
 * carries an API key of the receiving system): only the header names are shown, as
 * `custom_header_names`. `custom_headers` is left out rather than shown with blank values, so a
 * client that sends a webhook back as it read it keeps the stored values (left-out fields keep
 * their value) instead of blanking them.
 */
export const webhookJson = (w: WebhookRecord): Record<string, unknown> => ({
  id: w.id,
  name: w.name,
  description: w.description,
  status: w.status,
  endpoint: w.endpoint,
  http_method: w.httpMethod,
  request_format: w.requestFormat,
  subscriptions: w.subscriptions,
  authentication: w.authentication ? { type: w.authentication.type, add_position: w.authentication.addPosition } : null,
  custom_header_names: Object.keys(w.customHeaders).sort(),
  created_by: w.createdBy === null ? null : String(w.createdBy),
  updated_by: w.updatedBy === null ? null : String(w.updatedBy),
  created_at: w.createdAt,
  updated_at: w.updatedAt,
});

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (Zendesk's webhook id shape): 48 bits of time, 80 bits of the given randomness. */
export const webhookIdFrom = (at: Date, random: Uint8Array): string => {
  if (random.length < 10) throw new Error('webhookIdFrom needs 10 random bytes');
  let time = at.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(random[i]);
  let randomPart = '';
  for (let i = 0; i < 16; i++) {
    randomPart = CROCKFORD[Number(bits & 31n)] + randomPart;
    bits >>= 5n;
  }
  return timePart + randomPart;
};
