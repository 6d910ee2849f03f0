// docker-compose.yml, checked without Docker: valid against the Compose Specification schema,
// and right for Mailroom (services, start order, health checks, pinned images, ports, env).
import { readFileSync } from 'node:fs';
import {
  COMPOSE_FILE,
  type Compose,
  composeProblems,
  composeSchemaErrors,
  environment,
  interpolate,
  loadCompose,
  parseComposeYaml,
} from './support/compose';
import { DEFAULTS } from '@mailroom/config';
import { isPinnedImage } from './support/facts';

const clone = (c: Compose): Compose => structuredClone(c);

describe('docker-compose.yml', () => {
  const compose = loadCompose();

  it('is valid against the Compose Specification schema', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  it('the schema check rejects what Compose would reject', () => {
    const bad = clone(compose);
    bad.services.ticket.ports = 3000;
    bad.services.ingest.depends_on.postgres.condition = 'service_happy';
    bad.services.rules.helthcheck = bad.services.rules.healthcheck;
    const errors = composeSchemaErrors(bad);
    expect(errors.join('\n')).toMatch(/\/services\/ticket\/ports must be array/);
    expect(errors.join('\n')).toMatch(/\/services\/ingest\/depends_on\/postgres\/condition must be equal to one of the allowed values/);
    expect(errors.join('\n')).toMatch(/\/services\/rules must NOT have additional properties.*helthcheck/);
  });

  it('is right for Mailroom: services, start order, health checks, pinned images, ports, env', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it('gives development secret values only to services that run with MAILROOM_ENV=development', () => {
    const dev = [DEFAULTS.DEV_ADMIN_TOKEN, DEFAULTS.DEV_SECRET];
    const services = Object.entries(compose.services as Record<string, { environment?: Record<string, string> }>);
    const withDevValues = services.filter(([, svc]) => dev.some((v) => Object.values(svc.environment ?? {}).includes(v)));
    expect(withDevValues.map(([name]) => name).sort()).toEqual(['ingest', 'migrate', 'notifier', 'rules', 'scheduler', 'ticket']);
    for (const [, svc] of withDevValues) expect(svc.environment?.MAILROOM_ENV).toBe('development');
    // An operator who says production gets production, and then must bring their own secrets.
    const prod = loadCompose({ MAILROOM_ENV: 'production', MAILROOM_SECRET: 's3cret-of-theirs', MAILROOM_ADMIN_TOKEN: 'b'.repeat(32) });
    const text = JSON.stringify(prod.services);
    for (const v of dev) expect(text).not.toContain(v);
    expect((prod.services as Record<string, { environment: Record<string, string> }>).ticket.environment.MAILROOM_ENV).toBe('production');
  });

  it('is also right with the secrets set from the environment', () => {
    const withEnv = loadCompose({ MAILROOM_SECRET: 's3cret', MAILROOM_ADMIN_TOKEN: 'a'.repeat(32), POSTGRES_PASSWORD: 'pw' });
    expect(composeProblems(withEnv)).toEqual([]);
    expect(environment(withEnv.services.ticket).MAILROOM_SECRET).toBe('s3cret');
    expect(environment(withEnv.services.ticket).MAILROOM_ADMIN_TOKEN).toBe('a'.repeat(32));
    expect(environment(withEnv.services.ticket).DATABASE_URL).toBe('postgres://mailroom:pw@postgres:5432/mailroom');
  });

  describe('each Mailroom check can fail', () => {
    const cases: Array<[string, (c: Compose) => void, RegExp]> = [
      ['a missing service', (c) => delete c.services.scheduler, /service scheduler is missing/],
      ['depends_on an unknown service', (c) => (c.services.rules.depends_on.redis = { condition: 'service_started' }), /rules: depends_on redis, which is not a service/],
      ['waiting for health of a service without healthcheck', (c) => delete c.services.catcher.healthcheck, /notifier: waits for catcher to be healthy, but catcher has no healthcheck/],
      ['a service without healthcheck', (c) => delete c.services.rules.healthcheck, /rules: no healthcheck/],
      ['a :latest image', (c) => (c.services.postgres.image = 'postgres:latest'), /postgres: image postgres:latest is not pinned/],
      ['an untagged image', (c) => (c.services.rabbitmq.image = 'rabbitmq'), /rabbitmq: image rabbitmq is not pinned/],
      ['a service built twice', (c) => (c.services.ticket.build = '.'), /exactly one service \(migrate\) should build/],
      ['a service not waiting for migrations', (c) => delete c.services.ingest.depends_on.migrate, /ingest: does not wait for migrate to complete/],
      ['a wrong entry point', (c) => (c.services.rules.command[3] = 'dist/apps/rule/src/main.js'), /rules: command is not/],
      ['a missing env var', (c) => delete c.services.notifier.environment.MAILROOM_SMTP_RELAY, /notifier: MAILROOM_SMTP_RELAY is not set/],
      ['a wrong health port', (c) => (c.services.scheduler.environment.MAILROOM_HEALTH_PORT = '3009'), /scheduler: health port is 3009, expected 3003/],
      ['a health server on loopback only', (c) => delete c.services.rules.environment.MAILROOM_HEALTH_HOST, /rules: listens on the default 127.0.0.1/],
      ['the API not published', (c) => (c.services.ticket.ports = ['3001:3000']), /ticket: port 3000:3000 is not published/],
      ['SMTP not published', (c) => delete c.services.ingest.ports, /ingest: port 2525:2525 is not published/],
      ['the catcher page not published', (c) => (c.services.catcher.ports = ['127.0.0.1:1025:1025']), /catcher: port 1080:1080 is not published/],
      ['a relay that is not the catcher', (c) => (c.services.notifier.environment.MAILROOM_SMTP_RELAY = 'smtp://127.0.0.1:1025'), /notifier: relay .* is not the catcher/],
      ['a database elsewhere', (c) => (c.services.rules.environment.DATABASE_URL = 'postgres://x@127.0.0.1/mailroom'), /rules: DATABASE_URL does not point at postgres/],
      ['an unexpected service', (c) => (c.services.redis = { image: 'redis:7.4', healthcheck: { test: ['CMD', 'true'] } }), /unexpected service redis/],
    ];
    it.each(cases)('%s', (_name, mutate, expected) => {
      const c = clone(compose);
      mutate(c);
      expect(composeProblems(c).join('\n')).toMatch(expected);
    });
  });

  it('parses with merge keys and rejects duplicate keys', () => {
    expect(parseComposeYaml('a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n')).toEqual({ a: { k: 1 }, b: { k: 1, j: 2 } });
    expect(() => parseComposeYaml('services:\n  a: {image: x:1}\n  a: {image: y:1}\n')).toThrow(/docker-compose\.yml/);
    expect(() => parseComposeYaml(readFileSync(COMPOSE_FILE, 'utf8'))).not.toThrow();
  });

  it('interpolates like Compose', () => {
    const env = { A: 'a', EMPTY: '' };
    expect(interpolate(['$A ${A} $$A ${B:-b} ${EMPTY:-e} ${EMPTY-e} ${A:+set} ${B+set}'], env)).toEqual(['a a $A b e  set ']);
    expect(() => interpolate('${B:?B is required}', env)).toThrow(/B is missing: B is required/);
  });

  it('knows a pinned image', () => {
    expect(['postgres:16.4-bookworm', 'rabbitmq:3.13.7-management', 'mailroom:0.1.0', 'r.example.com:5000/m:1.2'].every(isPinnedImage)).toBe(true);
    expect(['postgres', 'postgres:latest', 'r.example.com:5000/m', 'node:lts'].some(isPinnedImage)).toBe(false);
  });
});
