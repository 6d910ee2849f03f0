// Rendering and checking the Kubernetes manifests without a cluster.
//
// Rendering: `kubectl kustomize <dir>` (kubectl ships kustomize and needs no cluster for it).
// Where kubectl is not installed, a small fallback renderer reads kustomization.yaml itself:
// `resources` (files and directories with their own kustomization.yaml), `labels`,
// `commonLabels`, `namespace` and `images`; anything else makes it throw, naming the field, so
// it never renders something different from kustomize without saying so. A test compares the
// two renderers on k8s/base wherever kubectl is there.
//
// Validation: every object against the Kubernetes JSON schemas of the `kubernetes-models`
// package (k8s-validate.mjs, in a child process because that package is ES-module only).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { FIVE, HEALTH_PORT, REQUIRED_ENV, SECRET_KEYS, entryCommand, isPinnedImage } from './facts';

/** The API host's public path prefixes (the ticket service serves it): the API, attachment downloads (ingest's http/attachments-controller.ts), the rating page. */
export const PUBLIC_TICKET_PATHS = ['/api/v2', '/attachments', '/satisfaction'] as const;

export const ROOT = join(__dirname, '..', '..', '..');

export type K8sObject = Record<string, any>;

export function findKubectl(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    try {
      if (dir && statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function parseYamlStream(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value as K8sObject);
  }
  return out;
}

export function renderWithKubectl(dir: string, kubectl = findKubectl()): K8sObject[] {
  if (!kubectl) throw new Error('kubectl is not installed');
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  return parseYamlStream(out, `kubectl kustomize ${dir}`);
}

const TEMPLATE_PATHS: Record<string, string[][]> = {
  Deployment: [['spec', 'template', 'metadata', 'labels']],
  StatefulSet: [['spec', 'template', 'metadata', 'labels']],
  DaemonSet: [['spec', 'template', 'metadata', 'labels']],
  ReplicaSet: [['spec', 'template', 'metadata', 'labels']],
  Job: [['spec', 'template', 'metadata', 'labels']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']],
};
const SELECTOR_PATHS: Record<string, string[][]> = {
  Deployment: [['spec', 'selector', 'matchLabels']],
  StatefulSet: [['spec', 'selector', 'matchLabels']],
  DaemonSet: [['spec', 'selector', 'matchLabels']],
  ReplicaSet: [['spec', 'selector', 'matchLabels']],
  Service: [['spec', 'selector']],
};

function addAt(obj: K8sObject, path: string[], pairs: Record<string, string>): void {
  let node = obj;
  for (const key of path) node = node[key] ??= {};
  Object.assign(node, pairs);
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass']);

/** The fallback renderer: a subset of kustomize, enough for k8s/base (see the header). */
export function renderFallback(dir: string): K8sObject[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const k = (doc.toJS() ?? {}) as K8sObject;
  const supported = new Set(['apiVersion', 'kind', 'resources', 'labels', 'commonLabels', 'namespace', 'images']);
  const unsupported = Object.keys(k).filter((key) => !supported.has(key));
  if (unsupported.length) {
    throw new Error(`${file}: the fallback renderer does not support ${unsupported.join(', ')}; install kubectl to render it`);
  }

  const objects: K8sObject[] = [];
  for (const res of (k.resources ?? []) as string[]) {
    const path = join(dir, res);
    if (!existsSync(path)) throw new Error(`${file}: resource ${res} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderFallback(path));
    else objects.push(...parseYamlStream(readFileSync(path, 'utf8'), path));
  }

  const labelSets: Array<{ pairs: Record<string, string>; selectors: boolean; templates: boolean }> = [];
  if (k.commonLabels) labelSets.push({ pairs: k.commonLabels, selectors: true, templates: true });
  for (const l of (k.labels ?? []) as K8sObject[]) {
    labelSets.push({ pairs: l.pairs ?? {}, selectors: !!l.includeSelectors, templates: !!l.includeSelectors || !!l.includeTemplates });
  }
  for (const obj of objects) {
    for (const { pairs, selectors, templates } of labelSets) {
      const stringPairs = Object.fromEntries(Object.entries(pairs).map(([a, b]) => [a, String(b)]));
      addAt(obj, ['metadata', 'labels'], stringPairs);
      if (templates) for (const p of TEMPLATE_PATHS[obj.kind] ?? []) addAt(obj, p, stringPairs);
      if (selectors) for (const p of SELECTOR_PATHS[obj.kind] ?? []) addAt(obj, p, stringPairs);
    }
    if (k.namespace && !CLUSTER_SCOPED.has(obj.kind)) obj.metadata.namespace = k.namespace;
    for (const image of (k.images ?? []) as K8sObject[]) {
      for (const c of containersOf(obj)) {
        const [name, tag] = splitImage(c.image);
        if (name !== image.name) continue;
        c.image = image.digest ? `${image.newName ?? name}@${image.digest}` : `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
      }
    }
  }
  return objects;
}

function splitImage(image: string): [string, string | undefined] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}

export interface Rendered {
  objects: K8sObject[];
  renderer: 'kubectl' | 'fallback';
}

export function render(dir: string): Rendered {
  const kubectl = findKubectl();
  if (kubectl) return { objects: renderWithKubectl(dir, kubectl), renderer: 'kubectl' };
  return { objects: renderFallback(dir), renderer: 'fallback' };
}

export interface SchemaResult {
  ref: string;
  errors: string[];
}

/** Schema errors per object, from k8s-validate.mjs. */
export function validateK8s(objects: K8sObject[]): SchemaResult[] {
  const run = spawnSync(process.execPath, [join(__dirname, 'k8s-validate.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`k8s-validate.mjs failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout) as SchemaResult[];
}

// ---------------------------------------------------------------------------------------------

export function podSpecOf(obj: K8sObject): K8sObject | undefined {
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template?.spec;
  if (obj.kind === 'Pod') return obj.spec;
  return obj.spec?.template?.spec;
}

export function containersOf(obj: K8sObject): K8sObject[] {
  const pod = podSpecOf(obj);
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

function portNumber(container: K8sObject, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: K8sObject) => p.name === port);
  return named?.containerPort;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export interface K8sExpectations {
  /** Namespace every namespaced object must have; undefined: none may have one (a base). */
  namespace?: string;
  /** Image every Mailroom container must run. */
  image: string;
}

/** Everything that is wrong with the rendered manifests for Mailroom; empty when they are right. */
/**
 * The Secret the operator creates (k8s/README.md): never rendered from the manifests, so no value
 * in git can end up in a cluster. Checks stand it in with the keys it must have.
 */
export const OPERATOR_SECRET: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mailroom-secrets' }, stringData: Object.fromEntries(SECRET_KEYS.map((k) => [k, '(created by the operator)'])) };

export function k8sProblems(rendered: K8sObject[], expect: K8sExpectations): string[] {
  const problems: string[] = [];
  if (find(rendered, 'Secret', 'mailroom-secrets')) problems.push('Secret mailroom-secrets is rendered from the manifests; the operator creates it (k8s/README.md)');
  const objects = [...rendered, OPERATOR_SECRET];
  const configMap = find(objects, 'ConfigMap', 'mailroom-config');
  const secret = find(objects, 'Secret', 'mailroom-secrets');
  const job = find(objects, 'Job', 'mailroom-migrate');
  const ingress = find(objects, 'Ingress', 'mailroom');
  if (!configMap) problems.push('ConfigMap mailroom-config is missing');
  if (!secret) problems.push('Secret mailroom-secrets is missing');
  if (!job) problems.push('Job mailroom-migrate is missing');
  if (!ingress) problems.push('Ingress mailroom is missing');

  const names = new Set<string>();
  for (const obj of rendered) {
    const ref = `${obj.kind}/${obj.metadata?.name}`;
    if (names.has(ref)) problems.push(`${ref} is defined twice`);
    names.add(ref);
    const ns = obj.metadata?.namespace;
    if (CLUSTER_SCOPED.has(obj.kind)) continue;
    if (expect.namespace === undefined && ns !== undefined) problems.push(`${ref}: sets namespace ${ns}; the base must be namespace-agnostic`);
    if (expect.namespace !== undefined && ns !== expect.namespace) problems.push(`${ref}: namespace ${ns}, expected ${expect.namespace}`);
  }

  const configKeys = new Set(Object.keys({ ...(configMap?.data ?? {}) }));
  const secretKeys = new Set(Object.keys({ ...(secret?.data ?? {}), ...(secret?.stringData ?? {}) }));
  for (const key of SECRET_KEYS) {
    if (!secretKeys.has(key)) problems.push(`Secret mailroom-secrets has no ${key}`);
    if (configKeys.has(key)) problems.push(`ConfigMap mailroom-config holds the secret ${key}`);
  }

  /** The env a container gets, as name → literal value, or `<ref>` for values from a Secret. */
  const envOf = (ref: string, c: K8sObject): Map<string, { value?: string; from: 'literal' | 'config' | 'secret' | 'other' }> => {
    const env = new Map<string, { value?: string; from: 'literal' | 'config' | 'secret' | 'other' }>();
    for (const source of c.envFrom ?? []) {
      const cmName = source.configMapRef?.name;
      const secName = source.secretRef?.name;
      const prefix = source.prefix ?? '';
      if (cmName) {
        const cm = find(objects, 'ConfigMap', cmName);
        if (!cm && !source.configMapRef.optional) problems.push(`${ref}: envFrom ConfigMap ${cmName}, which does not exist`);
        for (const [k, v] of Object.entries(cm?.data ?? {})) env.set(prefix + k, { value: String(v), from: 'config' });
      }
      if (secName) {
        const s = find(objects, 'Secret', secName);
        if (!s && !source.secretRef.optional) problems.push(`${ref}: envFrom Secret ${secName}, which does not exist`);
        for (const k of Object.keys({ ...(s?.data ?? {}), ...(s?.stringData ?? {}) })) env.set(prefix + k, { from: 'secret' });
      }
    }
    for (const e of c.env ?? []) {
      const cmRef = e.valueFrom?.configMapKeyRef;
      const secRef = e.valueFrom?.secretKeyRef;
      if (cmRef) {
        const cm = find(objects, 'ConfigMap', cmRef.name);
        if (!cm || !(cmRef.key in (cm.data ?? {}))) {
          if (!cmRef.optional) problems.push(`${ref}: env ${e.name} refers to ConfigMap ${cmRef.name} key ${cmRef.key}, which does not exist`);
        } else env.set(e.name, { value: String(cm.data[cmRef.key]), from: 'config' });
      } else if (secRef) {
        const s = find(objects, 'Secret', secRef.name);
        const keys = new Set(Object.keys({ ...(s?.data ?? {}), ...(s?.stringData ?? {}) }));
        if (!keys.has(secRef.key)) {
          if (!secRef.optional) problems.push(`${ref}: env ${e.name} refers to Secret ${secRef.name} key ${secRef.key}, which does not exist`);
        } else env.set(e.name, { from: 'secret' });
      } else if (e.valueFrom) {
        env.set(e.name, { from: 'other' });
      } else {
        env.set(e.name, { value: e.value ?? '', from: 'literal' });
      }
    }
    return env;
  };

  const checkPod = (ref: string, obj: K8sObject, component: string): void => {
    const pod = podSpecOf(obj) ?? {};
    for (const c of containersOf(obj)) {
      const cref = `${ref} container ${c.name}`;
      if (c.image !== expect.image) problems.push(`${cref}: image ${c.image}, expected ${expect.image}`);
      if (!isPinnedImage(String(c.image))) problems.push(`${cref}: image ${c.image} is not pinned`);
      const r = c.resources ?? {};
      for (const kind of ['requests', 'limits']) {
        for (const res of ['cpu', 'memory']) if (!r[kind]?.[res]) problems.push(`${cref}: no ${res} ${kind}`);
      }
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (nonRoot !== true) problems.push(`${cref}: runAsNonRoot is not set`);
      if (uid === 0) problems.push(`${cref}: runs as uid 0`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${cref}: allowPrivilegeEscalation is not false`);
    }
    const labels = obj.spec?.template?.metadata?.labels ?? {};
    if (labels['app.kubernetes.io/component'] !== component) problems.push(`${ref}: pods are not labelled component ${component}`);
  };

  // Migrations.
  if (job) {
    const ref = 'Job/mailroom-migrate';
    checkPod(ref, job, 'migrate');
    const c = (podSpecOf(job)?.containers ?? [])[0] ?? {};
    if (JSON.stringify(c.command) !== JSON.stringify(entryCommand('dist/scripts/migrate.js'))) problems.push(`${ref}: does not run the migration script`);
    if (!['OnFailure', 'Never'].includes(podSpecOf(job)?.restartPolicy)) problems.push(`${ref}: restartPolicy must be OnFailure or Never`);
    const env = envOf(ref, c);
    for (const key of REQUIRED_ENV.migrate) if (!env.has(key)) problems.push(`${ref}: ${key} is not set`);
  }

  // The five services.
  for (const svc of FIVE) {
    const ref = `Deployment/mailroom-${svc}`;
    const dep = find(objects, 'Deployment', `mailroom-${svc}`);
    if (!dep) {
      problems.push(`${ref} is missing`);
      continue;
    }
    checkPod(ref, dep, svc);
    if (!selects(dep.spec?.selector?.matchLabels, dep.spec?.template?.metadata?.labels)) problems.push(`${ref}: selector does not match its pod labels`);
    const containers = podSpecOf(dep)?.containers ?? [];
    const c = containers.find((x: K8sObject) => x.name === svc) ?? containers[0] ?? {};
    if (JSON.stringify(c.command ?? c.args) !== JSON.stringify(entryCommand(`dist/apps/${svc}/src/main.js`))) problems.push(`${ref}: does not run dist/apps/${svc}/src/main.js`);

    const env = envOf(ref, c);
    for (const key of REQUIRED_ENV[svc]) if (!env.has(key)) problems.push(`${ref}: ${key} is not set`);
    for (const key of SECRET_KEYS) {
      const e = env.get(key);
      if (e && e.from !== 'secret') problems.push(`${ref}: ${key} does not come from a Secret`);
    }
    const value = (key: string) => env.get(key)?.value;
    const healthPort = Number(svc === 'ticket' ? value('MAILROOM_HTTP_PORT') : value('MAILROOM_HEALTH_PORT'));
    if (healthPort !== HEALTH_PORT[svc]) problems.push(`${ref}: health port is ${healthPort}, expected ${HEALTH_PORT[svc]}`);
    const host = svc === 'ticket' ? value('MAILROOM_HTTP_HOST') : value('MAILROOM_HEALTH_HOST');
    if (host !== '0.0.0.0') problems.push(`${ref}: listens on ${host ?? 'the default 127.0.0.1'}, so the kubelet cannot probe it`);
    if (svc === 'ingest' && value('MAILROOM_SMTP_HOST') !== '0.0.0.0') problems.push(`${ref}: SMTP does not listen on 0.0.0.0`);

    for (const [probe, path] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live']] as const) {
      const p = c[probe];
      if (!p?.httpGet) {
        problems.push(`${ref}: no ${probe} (httpGet)`);
        continue;
      }
      if (p.httpGet.path !== path) problems.push(`${ref}: ${probe} asks ${p.httpGet.path}, expected ${path}`);
      const port = portNumber(c, p.httpGet.port);
      if (port !== HEALTH_PORT[svc]) problems.push(`${ref}: ${probe} port ${p.httpGet.port} is ${port ?? 'not a container port'}, expected ${HEALTH_PORT[svc]}`);
    }
  }

  // Services in front of ticket (API) and ingest (SMTP).
  const serviceTarget = (name: string, port: string | number): { container?: K8sObject; containerPort?: number } => {
    const s = find(objects, 'Service', name);
    const sp = (s?.spec?.ports ?? []).find((p: K8sObject) => p.name === port || p.port === port);
    if (!s || !sp) return {};
    const deps = objects.filter((o) => o.kind === 'Deployment' && selects(s.spec.selector, o.spec?.template?.metadata?.labels));
    if (deps.length !== 1) return {};
    for (const c of podSpecOf(deps[0])?.containers ?? []) {
      const n = portNumber(c, sp.targetPort ?? sp.port);
      if (n !== undefined) return { container: c, containerPort: n };
    }
    return {};
  };
  const ticketSvc = find(objects, 'Service', 'mailroom-ticket');
  if (!ticketSvc) problems.push('Service mailroom-ticket is missing');
  else if (serviceTarget('mailroom-ticket', 3000).containerPort !== 3000) problems.push('Service mailroom-ticket: port 3000 does not reach the ticket container port 3000');
  const ingestSvc = find(objects, 'Service', 'mailroom-ingest');
  if (!ingestSvc) problems.push('Service mailroom-ingest is missing');
  else {
    if ((ingestSvc.spec?.type ?? 'ClusterIP') !== 'ClusterIP') problems.push('Service mailroom-ingest: should be ClusterIP (expose it with a LoadBalancer in an overlay)');
    if (serviceTarget('mailroom-ingest', 2525).containerPort !== 2525) problems.push('Service mailroom-ingest: port 2525 does not reach the ingest SMTP port 2525');
  }

  // The Ingress: /api/v2 (the API), /satisfaction (the rating page) and /attachments (attachment downloads, the content_url of
  // Zendesk's attachment shape, opened by browsers without a login) to the ticket service.
  if (ingress) {
    const routes = (ingress.spec?.rules ?? []).flatMap((r: K8sObject) => r.http?.paths ?? []);
    for (const path of PUBLIC_TICKET_PATHS) {
      const route = routes.find((p: K8sObject) => p.path === path && ['Prefix', 'ImplementationSpecific'].includes(p.pathType));
      if (!route) {
        problems.push(`Ingress mailroom: no Prefix route for ${path}`);
        continue;
      }
      const backend = route.backend?.service ?? {};
      const port = backend.port?.name ?? backend.port?.number;
      const target = serviceTarget(backend.name, port);
      if (backend.name !== 'mailroom-ticket') problems.push(`Ingress mailroom: ${path} goes to ${backend.name}, not mailroom-ticket`);
      else if (!target.container || target.containerPort !== 3000) problems.push(`Ingress mailroom: ${path} goes to port ${port}, which does not reach the ticket API on 3000`);
    }
  }
  return problems;
}
