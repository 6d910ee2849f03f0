// What every deployment of Mailroom must get right, whatever the tool (Compose, Kubernetes).

export const FIVE = ['ingest', 'ticket', 'rules', 'scheduler', 'notifier'] as const;
export type ServiceName = (typeof FIVE)[number];

/** Port of GET /health/live and /health/ready; the ticket service serves them on its API port. */
export const HEALTH_PORT: Record<ServiceName, number> = { ticket: 3000, ingest: 3001, rules: 3002, scheduler: 3003, notifier: 3004 };

const COMMON = [
  'DATABASE_URL',
  'AMQP_URL',
  'MAILROOM_AMQP_NAMESPACE',
  'MAILROOM_SECRET',
  'MAILROOM_SUPPORT_ADDRESSES',
  'MAILROOM_BASE_URL',
  'MAILROOM_ACCOUNT_NAME',
  'MAILROOM_LOG_LEVEL',
];

/** Variables each process must be given explicitly in a container (defaults are for a dev machine). */
export const REQUIRED_ENV: Record<ServiceName | 'migrate', string[]> = {
  migrate: ['DATABASE_URL'],
  ticket: [...COMMON, 'MAILROOM_HTTP_PORT', 'MAILROOM_HTTP_HOST', 'MAILROOM_ADMIN_EMAIL', 'MAILROOM_ADMIN_TOKEN'],
  ingest: [...COMMON, 'MAILROOM_SMTP_HOST', 'MAILROOM_SMTP_PORT', 'MAILROOM_MAX_MESSAGE_BYTES', 'MAILROOM_HEALTH_PORT', 'MAILROOM_HEALTH_HOST'],
  rules: [...COMMON, 'MAILROOM_HEALTH_PORT', 'MAILROOM_HEALTH_HOST'],
  scheduler: [...COMMON, 'MAILROOM_HEALTH_PORT', 'MAILROOM_HEALTH_HOST', 'MAILROOM_ADMIN_TOKEN'],
  notifier: [...COMMON, 'MAILROOM_SMTP_RELAY', 'MAILROOM_HEALTH_PORT', 'MAILROOM_HEALTH_HOST'],
};

/** Values that belong in a Secret, never in a ConfigMap or a literal in a manifest. */
export const SECRET_KEYS = ['DATABASE_URL', 'AMQP_URL', 'MAILROOM_SECRET', 'MAILROOM_ADMIN_TOKEN'];

export const entryCommand = (script: string): string[] => ['node', '-r', './scripts/runtime-paths.js', script];

/** `name:tag` with a version-like tag (not latest, not missing), or a digest. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) return false;
  const tag = image.slice(colon + 1);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) && tag !== 'latest' && /\d/.test(tag);
}
