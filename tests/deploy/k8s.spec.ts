// k8s/, checked without a cluster: rendered with kustomize, every object valid against the
// Kubernetes schemas, and right for Mailroom (probes, resources, non-root, env refs, the Ingress).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '@mailroom/config';
import {
  type K8sObject,
  ROOT,
  containersOf,
  findKubectl,
  k8sProblems,
  render,
  renderFallback,
  renderWithKubectl,
  validateK8s,
} from './support/k8s';

const BASE = join(ROOT, 'k8s', 'base');
const OVERLAY = join(ROOT, 'k8s', 'overlays', 'example');
const kubectl = findKubectl();
const withKubectl = kubectl ? it : it.skip;
if (!kubectl) {
  // Visible in the run, and the kubectl-only tests below show as skipped.
  console.warn('kubectl is not installed: k8s/base is rendered by the fallback renderer (tests/deploy/support/k8s.ts) and the overlay is not rendered');
}

const byRef = (objects: K8sObject[]) =>
  Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
const clone = (objects: K8sObject[]): K8sObject[] => structuredClone(objects);
const get = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
};
const container = (objects: K8sObject[], svc: string): K8sObject => containersOf(get(objects, 'Deployment', `mailroom-${svc}`))[0];

describe('k8s/base', () => {
  const { objects, renderer } = render(BASE);

  it(`renders (${renderer}) to the expected objects`, () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/mailroom-config',
        'Job/mailroom-migrate',
        ...['ingest', 'notifier', 'rules', 'scheduler', 'ticket'].map((s) => `Deployment/mailroom-${s}`),
        'Service/mailroom-ingest',
        'Service/mailroom-ticket',
        'Ingress/mailroom',
      ].sort(),
    );
  });

  it('every object is valid against the Kubernetes schemas', () => {
    const results = validateK8s(objects);
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
  });

  it('the schema validation rejects broken objects', () => {
    const broken = clone(objects);
    get(broken, 'Deployment', 'mailroom-rules').spec.replicas = 'two';
    delete container(broken, 'ticket').name;
    get(broken, 'Ingress', 'mailroom').spec.rules[0].http.paths[0].pathType = 'Sometimes';
    get(broken, 'Job', 'mailroom-migrate').spec.template.spec.containers[0].resources.limits.memory = { big: true };
    broken.push({ apiVersion: 'v1', kind: 'Servce', metadata: { name: 'typo' } });
    const errors = Object.fromEntries(validateK8s(broken).map((r) => [r.ref, r.errors.join('; ')]));
    expect(errors['apps/v1/Deployment/mailroom-rules']).toMatch(/spec\/replicas must be integer/);
    expect(errors['apps/v1/Deployment/mailroom-ticket']).toMatch(/containers\/0 must have required property name/);
    expect(errors['networking.k8s.io/v1/Ingress/mailroom']).toMatch(/pathType must be equal to one of the allowed values/);
    expect(errors['batch/v1/Job/mailroom-migrate']).toMatch(/limits\/memory/);
    expect(errors['v1/Servce/typo']).toMatch(/no schema for v1 Servce/);
    expect(errors['v1/ConfigMap/mailroom-config']).toBe('');
  });

  it('is right for Mailroom: probes, resources, non-root, env refs, Services, the Ingress', () => {
    expect(k8sProblems(objects, { image: 'mailroom:0.1.0' })).toEqual([]);
  });

  describe('each Mailroom check can fail', () => {
    const cases: Array<[string, (o: K8sObject[]) => void, RegExp]> = [
      ['no readiness probe', (o) => delete container(o, 'rules').readinessProbe, /mailroom-rules: no readinessProbe/],
      ['no liveness probe', (o) => delete container(o, 'ticket').livenessProbe, /mailroom-ticket: no livenessProbe/],
      ['a probe on the wrong port', (o) => (container(o, 'notifier').readinessProbe.httpGet.port = 3003), /mailroom-notifier: readinessProbe port 3003 is 3003, expected 3004/],
      ['a probe on an unknown named port', (o) => (container(o, 'ingest').livenessProbe.httpGet.port = 'helth'), /livenessProbe port helth is not a container port/],
      ['a probe on the wrong path', (o) => (container(o, 'scheduler').livenessProbe.httpGet.path = '/health'), /livenessProbe asks \/health, expected \/health\/live/],
      ['no memory limit', (o) => delete container(o, 'ingest').resources.limits.memory, /container ingest: no memory limits/],
      ['no resources on the Job', (o) => delete get(o, 'Job', 'mailroom-migrate').spec.template.spec.containers[0].resources, /Job\/mailroom-migrate container migrate: no cpu requests/],
      ['root allowed', (o) => delete get(o, 'Deployment', 'mailroom-rules').spec.template.spec.securityContext.runAsNonRoot, /mailroom-rules container rules: runAsNonRoot is not set/],
      ['a :latest image', (o) => (container(o, 'ticket').image = 'mailroom:latest'), /image mailroom:latest, expected mailroom:0\.1\.0/],
      ['no Job', (o) => o.splice(o.findIndex((x) => x.kind === 'Job'), 1), /Job mailroom-migrate is missing/],
      ['a missing Deployment', (o) => o.splice(o.findIndex((x) => x.metadata.name === 'mailroom-scheduler'), 1), /Deployment\/mailroom-scheduler is missing/],
      ['a Secret key that does not exist', (o) => (container(o, 'rules').env[0].valueFrom.secretKeyRef.key = 'DATABASE_URI'), /env DATABASE_URL refers to Secret mailroom-secrets key DATABASE_URI, which does not exist/],
      ['a ConfigMap key that does not exist', (o) => container(o, 'notifier').env.push({ name: 'X', valueFrom: { configMapKeyRef: { name: 'mailroom-config', key: 'NOPE' } } }), /env X refers to ConfigMap mailroom-config key NOPE/],
      ['envFrom a ConfigMap that does not exist', (o) => (container(o, 'ingest').envFrom[0].configMapRef.name = 'mailroom-cfg'), /envFrom ConfigMap mailroom-cfg, which does not exist/],
      ['a required setting missing', (o) => delete get(o, 'ConfigMap', 'mailroom-config').data.MAILROOM_SMTP_RELAY, /mailroom-notifier: MAILROOM_SMTP_RELAY is not set/],
      ['a secret in the ConfigMap', (o) => (get(o, 'ConfigMap', 'mailroom-config').data.MAILROOM_ADMIN_TOKEN = 'x'.repeat(20)), /ConfigMap mailroom-config holds the secret MAILROOM_ADMIN_TOKEN/],
      ['a secret as a literal', (o) => (container(o, 'ticket').env.find((e: K8sObject) => e.name === 'MAILROOM_SECRET').valueFrom = undefined), /mailroom-ticket: MAILROOM_SECRET does not come from a Secret/],
      ['health on loopback only', (o) => delete get(o, 'ConfigMap', 'mailroom-config').data.MAILROOM_HEALTH_HOST, /mailroom-rules: listens on the default 127\.0\.0\.1/],
      ['a wrong entry point', (o) => (container(o, 'rules').command[3] = 'dist/apps/rules/main.js'), /does not run dist\/apps\/rules\/src\/main\.js/],
      ['a namespace in the base', (o) => (get(o, 'Service', 'mailroom-ticket').metadata.namespace = 'default'), /Service\/mailroom-ticket: sets namespace default/],
      ['no /api/v2 route', (o) => (get(o, 'Ingress', 'mailroom').spec.rules[0].http.paths[0].path = '/api'), /no Prefix route for \/api\/v2/],
      ['/api/v2 to another Service', (o) => (get(o, 'Ingress', 'mailroom').spec.rules[0].http.paths[0].backend.service.name = 'mailroom-ingest'), /\/api\/v2 goes to mailroom-ingest/],
      ['no /attachments route (attachment downloads)', (o) => get(o, 'Ingress', 'mailroom').spec.rules[0].http.paths.splice(1, 1), /no Prefix route for \/attachments/],
      ['no /satisfaction route (the rating page)', (o) => get(o, 'Ingress', 'mailroom').spec.rules[0].http.paths.splice(2, 1), /no Prefix route for \/satisfaction/],
      ['/api/v2 to a port the Service lacks', (o) => (get(o, 'Ingress', 'mailroom').spec.rules[0].http.paths[0].backend.service.port = { number: 80 }), /\/api\/v2 goes to port 80/],
      ['a ticket Service that selects nothing', (o) => (get(o, 'Service', 'mailroom-ticket').spec.selector['app.kubernetes.io/component'] = 'api'), /Service mailroom-ticket: port 3000 does not reach/],
      ['ingest as LoadBalancer in the base', (o) => (get(o, 'Service', 'mailroom-ingest').spec.type = 'LoadBalancer'), /mailroom-ingest: should be ClusterIP/],
      ['a selector that misses its pods', (o) => (get(o, 'Deployment', 'mailroom-rules').spec.selector.matchLabels['app.kubernetes.io/component'] = 'x'), /mailroom-rules: selector does not match/],
    ];
    it.each(cases)('%s', (_name, mutate, expected) => {
      const o = clone(objects);
      mutate(o);
      expect(k8sProblems(o, { image: 'mailroom:0.1.0' }).join('\n')).toMatch(expected);
    });
  });

  withKubectl('the fallback renderer gives what kubectl kustomize gives', () => {
    expect(byRef(renderFallback(BASE))).toEqual(byRef(renderWithKubectl(BASE)));
  });

  it('the fallback renderer refuses what it cannot render', () => {
    expect(() => renderFallback(OVERLAY)).toThrow(/does not support patches; install kubectl/);
  });
});

describe('secrets in k8s/', () => {
  const overlays = readdirSync(join(ROOT, 'k8s', 'overlays')).map((d) => join(ROOT, 'k8s', 'overlays', d)).filter((d) => existsSync(join(d, 'kustomization.yaml')));
  const DEVELOPMENT_VALUES = [DEFAULTS.DEV_ADMIN_TOKEN, DEFAULTS.DEV_SECRET, 'guest:guest'];

  it('the base and every overlay render no development secret, no guest:guest and no Secret with values', () => {
    expect(overlays.length).toBeGreaterThan(0);
    for (const dir of [BASE, ...(kubectl ? overlays : [])]) {
      const objects = render(dir).objects;
      const text = JSON.stringify(objects);
      for (const value of DEVELOPMENT_VALUES) expect({ dir, found: text.includes(value) }).toEqual({ dir, found: false });
      expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
    }
  });

  it('the check fails when a Secret is rendered from the manifests', () => {
    const objects = clone(render(BASE).objects);
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mailroom-secrets' }, stringData: { MAILROOM_SECRET: 'x' } });
    expect(k8sProblems(objects, { image: 'mailroom:0.1.0' }).join('\n')).toMatch(/Secret mailroom-secrets is rendered from the manifests/);
  });

  it('every service that needs the admin token reads it from the operator\'s Secret', () => {
    const objects = render(BASE).objects;
    for (const svc of ['ticket', 'scheduler']) {
      const env = container(objects, svc).env.find((e: K8sObject) => e.name === 'MAILROOM_ADMIN_TOKEN');
      expect(env?.valueFrom?.secretKeyRef).toEqual({ name: 'mailroom-secrets', key: 'MAILROOM_ADMIN_TOKEN' });
    }
  });
});

describe('k8s/overlays/example', () => {
  const objects = kubectl ? renderWithKubectl(OVERLAY) : [];

  withKubectl('renders, and every object is valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(validateK8s(objects).filter((r) => r.errors.length)).toEqual([]);
  });

  withKubectl('is right for Mailroom, in its namespace, with the registry image', () => {
    expect(k8sProblems(objects, { namespace: 'mailroom', image: 'registry.example.com/mailroom:0.1.0' })).toEqual([]);
  });

  withKubectl('exposes SMTP on port 25 through a LoadBalancer and the API on a TLS host', () => {
    const lb = get(objects, 'Service', 'mailroom-ingest-public');
    expect(lb.spec.type).toBe('LoadBalancer');
    expect(lb.spec.ports).toEqual([expect.objectContaining({ port: 25, targetPort: 'smtp' })]);
    expect(lb.spec.selector).toEqual(get(objects, 'Service', 'mailroom-ingest').spec.selector);
    const ingress = get(objects, 'Ingress', 'mailroom');
    const host = ingress.spec.rules[0].host;
    expect(ingress.spec.tls[0].hosts).toContain(host);
    expect(get(objects, 'ConfigMap', 'mailroom-config').data.MAILROOM_BASE_URL).toBe(`https://${host}`);
  });
});
