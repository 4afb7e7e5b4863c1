import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';

/**
 * The Kubernetes manifests as a cluster would receive them: each overlay rendered by
 * `kubectl kustomize`, every object checked against its schema, and the rules every pod and
 * namespace must follow (docs/decisions/0024-kubernetes-manifests-and-image.md).
 */
export const deployDir = path.resolve('deploy/kubernetes');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered YAML, checked field by field below
  [field: string]: any;
}

export function overlays(): string[] {
  return fs
    .readdirSync(path.join(deployDir, 'overlays'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function render(directory: string): KubeObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'kubectl (with kustomize v5) is needed to render deploy/kubernetes: export PATH="$(.ci/kubectl.sh):$PATH" (.ci/run does)',
      );
    }
    throw new Error(`kubectl kustomize ${directory} failed:\n${failure.stderr ?? failure.message}`);
  }
  return YAML.parseAllDocuments(output)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

export const describe = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;

// --- schemas -------------------------------------------------------------------------------------

/**
 * A CRD's schema as the API server applies it with strict field validation: an object that lists
 * its properties takes no other field unless it says it preserves unknown fields.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] =
      key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as object).map(([name, property]) => [name, strict(property)]),
          )
        : strict(value);
  }
  if (
    result.type === 'object' &&
    result.properties &&
    result.additionalProperties === undefined &&
    result['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}

// The formats Kubernetes schemas name; the API server checks the integer ranges, and so do we.
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isSafeInteger(n) });
const crdValidators = new Map<string, ValidateFunction>();
for (const file of fs
  .readdirSync(path.resolve('test/deploy/schemas'))
  .filter((name) => name.endsWith('.json'))) {
  const crd = JSON.parse(fs.readFileSync(path.resolve('test/deploy/schemas', file), 'utf8')) as {
    apiVersion: string;
    kind: string;
    openAPIV3Schema: object;
  };
  crdValidators.set(`${crd.apiVersion}/${crd.kind}`, ajv.compile(strict(crd.openAPIV3Schema) as object));
}

const builtInGroups = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'policy/v1',
  'autoscaling/v2',
  'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1',
]);

/** The schema errors of one object, or none; an object of an unknown kind is an error. */
export async function schemaErrors(object: KubeObject): Promise<string[]> {
  const { apiVersion, kind } = object;
  let modulePath: string | undefined;
  if (builtInGroups.has(apiVersion)) modulePath = `kubernetes-models/${apiVersion}/${kind}`;
  if (apiVersion === 'monitoring.coreos.com/v1') {
    modulePath = `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;
  }
  if (modulePath) {
    const models = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[kind];
    if (!Model) return [`${describe(object)}: no schema for ${apiVersion} ${kind}`];
    try {
      new Model(object).validate();
      return [];
    } catch (error) {
      return [`${describe(object)}: ${(error as Error).message}`];
    }
  }
  const validate = crdValidators.get(`${apiVersion}/${kind}`);
  if (!validate) return [`${describe(object)}: no schema for ${apiVersion} ${kind}`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${describe(object)}: ${error.instancePath || '/'} ${error.message}${
        error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : ''
      }`,
  );
}

// --- policy --------------------------------------------------------------------------------------

const UID = 10001;
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

// biome-ignore lint/suspicious/noExplicitAny: a pod spec from rendered YAML
function podSpecOf(object: KubeObject): any {
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.spec;
  return object.spec?.template?.spec;
}

/**
 * Every rule a pod and a namespace must follow, as messages naming the object and the field; an
 * empty list means the manifests comply.
 */
export function policyViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const fail = (object: KubeObject, message: string) => problems.push(`${describe(object)}: ${message}`);

  for (const object of objects.filter((candidate) => workloadKinds.has(candidate.kind))) {
    const pod = podSpecOf(object);
    if (!pod) {
      fail(object, 'has no pod template');
      continue;
    }
    if (pod.automountServiceAccountToken !== false) fail(object, 'automountServiceAccountToken is not false');
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) fail(object, 'shares a host namespace');
    for (const volume of pod.volumes ?? [])
      if (volume.hostPath) fail(object, `volume ${volume.name} is a hostPath`);
    const podSecurity = pod.securityContext ?? {};
    if (podSecurity.runAsNonRoot !== true) fail(object, 'pod securityContext.runAsNonRoot is not true');
    if (podSecurity.runAsUser !== UID) fail(object, `pod securityContext.runAsUser is not ${UID}`);
    if (podSecurity.seccompProfile?.type !== 'RuntimeDefault')
      fail(object, 'pod seccompProfile is not RuntimeDefault');

    const containers = [
      ...(pod.initContainers ?? []).map((container: object) => ({ container, init: true })),
      ...(pod.containers ?? []).map((container: object) => ({ container, init: false })),
    ];
    // biome-ignore lint/suspicious/noExplicitAny: containers from rendered YAML
    for (const { container, init } of containers as { container: any; init: boolean }[]) {
      const where = `container ${container.name}`;
      const security = container.securityContext;
      if (!security) {
        fail(object, `${where} has no securityContext`);
      } else {
        if (security.runAsNonRoot !== true) fail(object, `${where} runAsNonRoot is not true`);
        if (security.runAsUser !== UID) fail(object, `${where} runAsUser is not ${UID}`);
        if (security.readOnlyRootFilesystem !== true)
          fail(object, `${where} readOnlyRootFilesystem is not true`);
        if (security.allowPrivilegeEscalation !== false)
          fail(object, `${where} allowPrivilegeEscalation is not false`);
        if (security.privileged === true) fail(object, `${where} is privileged`);
        if (!security.capabilities?.drop?.includes('ALL'))
          fail(object, `${where} does not drop ALL capabilities`);
        if (security.capabilities?.add?.length) fail(object, `${where} adds capabilities`);
        const seccomp = security.seccompProfile?.type ?? podSecurity.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault') fail(object, `${where} seccompProfile is not RuntimeDefault`);
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!container.resources?.[kind]?.[resource]) fail(object, `${where} has no ${resource} ${kind}`);
        }
      }
      if (init) continue;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (!container[probe]) fail(object, `${where} has no ${probe}`);
      }
      const servesHttp = (container.ports ?? []).some((port: { name?: string }) => port.name === 'http');
      if (servesHttp) {
        if (container.livenessProbe?.httpGet?.path !== '/healthz')
          fail(object, `${where} livenessProbe is not /healthz`);
        if (container.readinessProbe?.httpGet?.path !== '/readyz')
          fail(object, `${where} readinessProbe is not /readyz`);
        if (container.startupProbe?.httpGet?.path !== '/readyz')
          fail(object, `${where} startupProbe is not /readyz`);
      }
    }
  }

  const namespaces = new Set<string>();
  for (const object of objects) {
    if (object.kind === 'Namespace') namespaces.add(object.metadata.name);
    else if (object.metadata.namespace) namespaces.add(object.metadata.namespace);
  }
  for (const namespace of namespaces) {
    const denies = objects.some(
      (object) =>
        object.kind === 'NetworkPolicy' &&
        object.metadata.namespace === namespace &&
        Object.keys(object.spec?.podSelector ?? { none: true }).length === 0 &&
        ['Ingress', 'Egress'].every((type) => object.spec?.policyTypes?.includes(type)) &&
        !object.spec?.ingress?.length &&
        !object.spec?.egress?.length,
    );
    if (!denies)
      problems.push(`Namespace/${namespace}: no default-deny NetworkPolicy for ingress and egress`);
  }
  for (const object of objects) {
    if (object.kind === 'Secret')
      fail(object, 'is rendered in clear; secrets come from the SOPS-encrypted files');
  }
  return problems;
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}
