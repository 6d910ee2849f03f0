// Loading, interpolating and checking docker-compose.yml without Docker: the file is parsed with
// `yaml` (merge keys on, as Compose does), interpolated the way Compose does it, validated
// against the official Compose Specification schema, then checked against what Mailroom needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { FIVE, HEALTH_PORT, REQUIRED_ENV, entryCommand, isPinnedImage } from './facts';

export const ROOT = join(__dirname, '..', '..', '..');
export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

export type Compose = Record<string, any>;

/** Parses YAML the way Compose does (YAML 1.1 merge keys); any YAML error or warning throws. */
export function parseComposeYaml(text: string): Compose {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length) throw new Error(`docker-compose.yml: ${issues.map((e) => e.message).join('; ')}`);
  return doc.toJS({ maxAliasCount: 1000 }) as Compose;
}

/**
 * Compose variable interpolation on every string (keys stay as they are): `$$` → `$`, `$VAR`,
 * `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` / `${VAR?error}`,
 * `${VAR:+alt}` / `${VAR+alt}`. Values come from `env` (an empty one: the file's defaults).
 */
export function interpolate<T>(value: T, env: Record<string, string | undefined> = {}): T {
  const one = (s: string): string =>
    s.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, _m, braced: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s.exec(braced ?? '');
      if (!m) throw new Error(`invalid interpolation ${whole}`);
      const [, name, colon, op, arg = ''] = m;
      const v = env[name];
      const unset = v === undefined || (colon === ':' && v === '');
      if (!op) return v ?? '';
      if (op === '-') return unset ? arg : v!;
      if (op === '+') return unset ? '' : arg;
      if (unset) throw new Error(`required variable ${name} is missing: ${arg}`);
      return v!;
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export function loadCompose(env: Record<string, string | undefined> = {}): Compose {
  return interpolate(parseComposeYaml(readFileSync(COMPOSE_FILE, 'utf8')), env);
}

let validator: ((data: unknown) => ErrorObject[]) | undefined;

/** Errors of the Compose Specification JSON schema (vendored in tests/deploy/schemas). */
export function composeSchemaErrors(compose: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', 'schemas', 'compose-spec.schema.json'), 'utf8'));
    delete schema.$schema; // draft-07, Ajv's default; the https spelling is not a key Ajv knows
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    validator = (data) => (validate(data) ? [] : (validate.errors ?? []));
  }
  return validator(compose).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/** `environment` as a map, from either the map or the list syntax. */
export function environment(service: Compose): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((line: string) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export function dependsOn(service: Compose): Record<string, string> {
  const d = service.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((name: string) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, (v as Compose)?.condition ?? 'service_started']));
}

/** Published ports as { published, target } pairs, from the short and the long syntax. */
export function publishedPorts(service: Compose): Array<{ published: number; target: number }> {
  return (service.ports ?? []).map((p: unknown) => {
    if (typeof p === 'object' && p !== null) {
      const long = p as Compose;
      return { published: Number(long.published), target: Number(long.target) };
    }
    const parts = String(p).split('/')[0].split(':');
    const target = Number(parts[parts.length - 1]);
    const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
    return { published, target };
  });
}

function commandOf(service: Compose): string[] {
  const c = service.command;
  return Array.isArray(c) ? c.map(String) : typeof c === 'string' ? c.split(/\s+/) : [];
}

const SERVICES = [...FIVE, 'migrate', 'catcher', 'postgres', 'rabbitmq'] as const;

/** Everything that is wrong with the compose file for Mailroom; empty when it is right. */
export function composeProblems(compose: Compose): string[] {
  const problems: string[] = [];
  const services: Record<string, Compose> = compose.services ?? {};
  const names = Object.keys(services);

  for (const name of SERVICES) if (!services[name]) problems.push(`service ${name} is missing`);
  for (const name of names) if (!(SERVICES as readonly string[]).includes(name)) problems.push(`unexpected service ${name}`);

  for (const [name, svc] of Object.entries(services)) {
    if (!svc.image) problems.push(`${name}: no image`);
    else if (!isPinnedImage(svc.image)) problems.push(`${name}: image ${svc.image} is not pinned to a version tag`);
    for (const [dep, condition] of Object.entries(dependsOn(svc))) {
      if (!services[dep]) problems.push(`${name}: depends_on ${dep}, which is not a service`);
      else if (condition === 'service_healthy' && !services[dep].healthcheck) {
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
    if (name !== 'migrate') {
      const hc = svc.healthcheck;
      if (!hc || hc.disable || !Array.isArray(hc.test) || hc.test.length < 2) problems.push(`${name}: no healthcheck`);
    }
  }
  if (problems.some((p) => p.endsWith('is missing'))) return problems;

  // One image for all Mailroom processes, built once (by migrate).
  const mailroom = [...FIVE, 'migrate', 'catcher'].map((n) => services[n]);
  const images = new Set(mailroom.map((s) => s.image));
  if (images.size !== 1) problems.push(`Mailroom processes use different images: ${[...images].join(', ')}`);
  const builders = Object.entries(services).filter(([, s]) => s.build);
  if (builders.length !== 1 || builders[0][0] !== 'migrate') {
    problems.push(`exactly one service (migrate) should build the image, got: ${builders.map(([n]) => n).join(', ') || 'none'}`);
  } else {
    const build = builders[0][1].build;
    const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile');
    const context = typeof build === 'string' ? build : build.context;
    if (context !== '.' || dockerfile !== 'Dockerfile') problems.push(`migrate builds ${context}/${dockerfile}, not ./Dockerfile`);
  }

  // Commands.
  for (const svc of FIVE) {
    const want = entryCommand(`dist/apps/${svc}/src/main.js`);
    if (JSON.stringify(commandOf(services[svc])) !== JSON.stringify(want)) problems.push(`${svc}: command is not ${want.join(' ')}`);
  }
  if (JSON.stringify(commandOf(services.migrate)) !== JSON.stringify(entryCommand('dist/scripts/migrate.js'))) {
    problems.push('migrate: command is not the migration script');
  }
  if (JSON.stringify(commandOf(services.catcher)) !== JSON.stringify(entryCommand('dist/tools/mail-catcher/src/main.js'))) {
    problems.push('catcher: command is not the mail catcher');
  }

  // Start order.
  const pgHealthy = dependsOn(services.migrate).postgres === 'service_healthy';
  if (!pgHealthy) problems.push('migrate: does not wait for postgres to be healthy');
  if (services.migrate.restart && !['no', 'on-failure'].includes(String(services.migrate.restart))) {
    problems.push(`migrate: restart ${services.migrate.restart} would run the one-shot job forever`);
  }
  for (const svc of FIVE) {
    const deps = dependsOn(services[svc]);
    if (deps.postgres !== 'service_healthy') problems.push(`${svc}: does not wait for postgres to be healthy`);
    if (deps.rabbitmq !== 'service_healthy') problems.push(`${svc}: does not wait for rabbitmq to be healthy`);
    if (deps.migrate !== 'service_completed_successfully') problems.push(`${svc}: does not wait for migrate to complete`);
  }
  const pgTest = JSON.stringify(services.postgres.healthcheck?.test ?? '');
  if (!pgTest.includes('pg_isready')) problems.push('postgres: healthcheck does not use pg_isready');
  const mqTest = JSON.stringify(services.rabbitmq.healthcheck?.test ?? '');
  if (!mqTest.includes('rabbitmq-diagnostics')) problems.push('rabbitmq: healthcheck does not use rabbitmq-diagnostics');

  // Environment and health.
  for (const svc of [...FIVE, 'migrate'] as const) {
    const env = environment(services[svc]);
    for (const key of REQUIRED_ENV[svc]) if (!env[key]) problems.push(`${svc}: ${key} is not set`);
    if (env.DATABASE_URL) {
      const db = new URL(env.DATABASE_URL);
      if (db.hostname !== 'postgres' || db.pathname !== '/mailroom') problems.push(`${svc}: DATABASE_URL does not point at postgres/mailroom`);
    }
    if (env.AMQP_URL && new URL(env.AMQP_URL).hostname !== 'rabbitmq') problems.push(`${svc}: AMQP_URL does not point at rabbitmq`);
  }
  for (const svc of FIVE) {
    const env = environment(services[svc]);
    const port = svc === 'ticket' ? Number(env.MAILROOM_HTTP_PORT) : Number(env.MAILROOM_HEALTH_PORT);
    if (port !== HEALTH_PORT[svc]) problems.push(`${svc}: health port is ${port}, expected ${HEALTH_PORT[svc]}`);
    const host = svc === 'ticket' ? env.MAILROOM_HTTP_HOST : env.MAILROOM_HEALTH_HOST;
    if (host !== '0.0.0.0') problems.push(`${svc}: listens on ${host ?? 'the default 127.0.0.1'}, not 0.0.0.0`);
    const test = JSON.stringify(services[svc].healthcheck?.test ?? '');
    if (!test.includes(`127.0.0.1:${HEALTH_PORT[svc]}/health/ready`)) problems.push(`${svc}: healthcheck does not ask /health/ready on its health port`);
  }
  const ingestEnv = environment(services.ingest);
  if (ingestEnv.MAILROOM_SMTP_HOST !== '0.0.0.0') problems.push('ingest: SMTP does not listen on 0.0.0.0');
  const catcherEnv = environment(services.catcher);
  if (catcherEnv.MAILROOM_CATCHER_HOST !== '0.0.0.0') problems.push('catcher: does not listen on 0.0.0.0');
  const relay = environment(services.notifier).MAILROOM_SMTP_RELAY;
  const catcherSmtp = catcherEnv.MAILROOM_CATCHER_SMTP_PORT ?? '1025';
  if (relay !== `smtp://catcher:${catcherSmtp}`) problems.push(`notifier: relay ${relay} is not the catcher (smtp://catcher:${catcherSmtp})`);

  // Published ports.
  const expectPort = (svc: string, published: number, target: number): void => {
    if (!publishedPorts(services[svc]).some((p) => p.published === published && p.target === target)) {
      problems.push(`${svc}: port ${published}:${target} is not published`);
    }
  };
  expectPort('ticket', 3000, Number(environment(services.ticket).MAILROOM_HTTP_PORT));
  expectPort('ingest', 2525, Number(ingestEnv.MAILROOM_SMTP_PORT));
  expectPort('catcher', 1080, Number(catcherEnv.MAILROOM_CATCHER_HTTP_PORT ?? 1080));
  expectPort('catcher', 1025, Number(catcherSmtp));
  const seen = new Map<number, string>();
  for (const [name, svc] of Object.entries(services)) {
    for (const { published } of publishedPorts(svc)) {
      if (seen.has(published)) problems.push(`host port ${published} is published by both ${seen.get(published)} and ${name}`);
      seen.set(published, name);
    }
  }
  return problems;
}
