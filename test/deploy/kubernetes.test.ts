import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  deployDir,
  find,
  type KubeObject,
  overlays,
  policyViolations,
  render,
  schemaErrors,
} from './manifests.js';

const clone = <T>(value: T): T => structuredClone(value);
const names = overlays();

it('has a staging and a production overlay', () => {
  expect(names).toEqual(expect.arrayContaining(['production', 'staging']));
});

describe.each(names)('the %s overlay, as kubectl kustomize renders it', (overlay) => {
  let objects: KubeObject[];
  let namespace: string;
  beforeAll(() => {
    objects = render(path.join(deployDir, 'overlays', overlay));
    namespace = objects.find((object) => object.kind === 'Namespace')?.metadata.name ?? '';
  });

  it('puts every object in its one namespace', () => {
    expect(namespace).toMatch(/^attest/);
    const elsewhere = objects.filter(
      (object) => object.kind !== 'Namespace' && object.metadata.namespace !== namespace,
    );
    expect(elsewhere.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([]);
  });

  it('validates every object against the Kubernetes, prometheus-operator and CloudNativePG schemas', async () => {
    const errors = (await Promise.all(objects.map(schemaErrors))).flat();
    expect(errors).toEqual([]);
  });

  it('follows the pod and namespace policy: security context, limits, probes, default deny', () => {
    expect(policyViolations(objects)).toEqual([]);
  });

  it('runs at least two web pods spread over nodes, under a disruption budget and an autoscaler', () => {
    const web = find(objects, 'Deployment', 'attest-web');
    const pod = web.spec.template.spec;
    expect(web.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(pod.containers[0].args).toEqual(['start', '--role', 'web', '--no-demo']);
    expect(pod.topologySpreadConstraints).toContainEqual(
      expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }),
    );
    const budget = find(objects, 'PodDisruptionBudget', 'attest-web');
    expect(budget.spec.selector.matchLabels).toEqual(web.spec.selector.matchLabels);
    const autoscaler = find(objects, 'HorizontalPodAutoscaler', 'attest-web');
    expect(autoscaler.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'attest-web' });
    expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(find(objects, 'Deployment', 'attest-worker').spec.template.spec.containers[0].args).toEqual([
      'start',
      '--role',
      'worker',
    ]);
  });

  it('migrates before each pod starts, and connects to the cluster primary with verify-full TLS', () => {
    const cluster = find(objects, 'Cluster', 'attest-db').metadata.name;
    for (const name of ['attest-web', 'attest-worker']) {
      const pod = find(objects, 'Deployment', name).spec.template.spec;
      expect(pod.initContainers.map((container: { args: string[] }) => container.args)).toEqual([
        ['migrate'],
      ]);
      for (const container of [...pod.initContainers, ...pod.containers]) {
        const url: string = container.env.find(
          (variable: { name: string }) => variable.name === 'DATABASE_URL',
        ).value;
        const parsed = new URL(url);
        expect(parsed.hostname).toBe(`${cluster}-rw`);
        expect(parsed.searchParams.get('sslmode')).toBe('verify-full');
        const caFile = parsed.searchParams.get('sslrootcert') ?? '';
        const mount = container.volumeMounts.find((volumeMount: { mountPath: string }) =>
          caFile.startsWith(`${volumeMount.mountPath}/`),
        );
        const volume = pod.volumes.find((candidate: { name: string }) => candidate.name === mount?.name);
        expect(volume?.secret).toEqual({
          secretName: `${cluster}-ca`,
          items: [{ key: 'ca.crt', path: 'ca.crt' }],
        });
      }
    }
  });

  it('has a CloudNativePG cluster with a synchronous standby, TLS only, daily backups, WAL archiving and 30 days', () => {
    const cluster = find(objects, 'Cluster', 'attest-db');
    expect(cluster.spec.instances).toBeGreaterThanOrEqual(overlay === 'production' ? 3 : 2);
    expect(cluster.spec.postgresql.synchronous).toMatchObject({ number: 1 });
    if (overlay === 'production') expect(cluster.spec.postgresql.synchronous.dataDurability).toBe('required');
    expect(cluster.spec.postgresql.pg_hba).toContain('hostnossl all all all reject');
    expect(cluster.spec.backup.retentionPolicy).toBe('30d');
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.spec.backup.barmanObjectStore.wal).toBeDefined();
    const daily = objects.find((object) => object.kind === 'ScheduledBackup');
    expect(daily?.spec.cluster.name).toBe('attest-db');
    // Six fields, seconds first: once a day.
    expect(daily?.spec.schedule).toMatch(/^\d+ \d+ \d+ \* \* \*$/);
  });

  it('scrapes the metrics port of every Attest service and alerts on what the trust center promises', () => {
    const monitor = find(objects, 'ServiceMonitor', 'attest');
    const services = objects.filter(
      (object) =>
        object.kind === 'Service' && object.metadata.labels?.['app.kubernetes.io/name'] === 'attest',
    );
    expect(services.map((service) => service.metadata.name).sort()).toEqual(['attest-web', 'attest-worker']);
    for (const service of services) {
      expect(service.spec.ports.map((port: { name: string }) => port.name)).toContain('metrics');
    }
    expect(monitor.spec.endpoints.map((endpoint: { port: string }) => endpoint.port)).toEqual(['metrics']);
    const alerts = find(objects, 'PrometheusRule', 'attest').spec.groups.flatMap(
      (group: { rules: object[] }) => group.rules.map((rule) => (rule as { alert: string }).alert),
    );
    expect(alerts).toEqual(
      expect.arrayContaining([
        'AttestHighErrorRate',
        'AttestSlowResponses',
        'AttestMailFailing',
        'AttestSignInBurst',
        'AttestBackupTooOld',
        'AttestArchiveBackupTooOld',
        'AttestRestoreDrillFailing',
        'AttestEvidenceCheckFailing',
      ]),
    );
  });

  it('lets traffic in only from the ingress controller and monitoring, and out only to what each pod needs', () => {
    const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
    const toDatabase = find(objects, 'NetworkPolicy', 'attest-to-database');
    expect(toDatabase.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
    const fromIngress = find(objects, 'NetworkPolicy', 'web-from-ingress-controller');
    expect(fromIngress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
    const outward = find(objects, 'NetworkPolicy', 'attest-to-smtp-and-s3');
    expect(outward.spec.egress[0].to[0].ipBlock.except).toEqual(
      expect.arrayContaining(['169.254.0.0/16', '10.0.0.0/8']),
    );
    // No rule anywhere admits every source or every port of an Attest pod.
    for (const policy of policies) {
      for (const rule of policy.spec.ingress ?? []) {
        expect(rule.from?.length, `${policy.metadata.name} ingress`).toBeGreaterThan(0);
        expect(rule.ports?.length, `${policy.metadata.name} ingress`).toBeGreaterThan(0);
      }
    }
  });

  it('serves HTTPS at the ingress for the host ATTEST_PUBLIC_URL names', () => {
    const ingress = find(objects, 'Ingress', 'attest');
    const host = new URL(find(objects, 'ConfigMap', 'attest-config').data.ATTEST_PUBLIC_URL).hostname;
    expect(ingress.spec.rules.map((rule: { host: string }) => rule.host)).toEqual([host]);
    expect(ingress.spec.tls[0].hosts).toEqual([host]);
  });

  it('refers only to secrets and keys that the SOPS-encrypted files of the overlay hold', () => {
    const secrets = render(path.join(deployDir, 'overlays', overlay, 'secrets'));
    const held = new Set(
      secrets.flatMap((secret) =>
        Object.keys({ ...secret.data, ...secret.stringData }).map((key) => `${secret.metadata.name}/${key}`),
      ),
    );
    expect(
      secrets.every((secret) => secret.kind === 'Secret' && secret.metadata.namespace === namespace),
    ).toBe(true);
    const referenced = new Set<string>();
    JSON.stringify(objects, (key, value) => {
      if (key === 'secretKeyRef') referenced.add(`${value.name}/${value.key}`);
      if (value && typeof value === 'object' && 'accessKeyId' in value) {
        for (const ref of [value.accessKeyId, value.secretAccessKey])
          referenced.add(`${ref.name}/${ref.key}`);
      }
      return value;
    });
    const cluster = find(objects, 'Cluster', 'attest-db');
    const owner = cluster.spec.bootstrap.initdb.secret.name;
    referenced.add(`${owner}/username`).add(`${owner}/password`);
    expect([...referenced].filter((ref) => !held.has(ref))).toEqual([]);
  });
});

describe('the policy checks', () => {
  let production: KubeObject[];
  beforeAll(() => {
    production = render(path.join(deployDir, 'overlays', 'production'));
  });

  it('fail when a container may write its root filesystem', () => {
    const objects = clone(production);
    delete find(objects, 'Deployment', 'attest-web').spec.template.spec.containers[0].securityContext
      .readOnlyRootFilesystem;
    expect(policyViolations(objects)).toEqual([
      'Deployment/attest-web: container attest readOnlyRootFilesystem is not true',
    ]);
  });

  it('fail when the namespace has no default-deny policy', () => {
    const objects = clone(production).filter(
      (object) => !(object.kind === 'NetworkPolicy' && object.metadata.name === 'default-deny'),
    );
    expect(policyViolations(objects)).toEqual([
      'Namespace/attest: no default-deny NetworkPolicy for ingress and egress',
    ]);
  });

  it('fail when a container has no limits, no probe, keeps a capability or mounts the token', () => {
    const objects = clone(production);
    const worker = find(objects, 'Deployment', 'attest-worker').spec.template.spec;
    delete worker.containers[0].resources.limits;
    delete worker.containers[0].livenessProbe;
    worker.initContainers[0].securityContext.capabilities = { drop: ['NET_RAW'] };
    worker.automountServiceAccountToken = true;
    expect(policyViolations(objects).sort()).toEqual([
      'Deployment/attest-worker: automountServiceAccountToken is not false',
      'Deployment/attest-worker: container attest has no cpu limits',
      'Deployment/attest-worker: container attest has no livenessProbe',
      'Deployment/attest-worker: container attest has no memory limits',
      'Deployment/attest-worker: container migrate does not drop ALL capabilities',
    ]);
  });

  it('fail when a Secret would be applied in clear', () => {
    const objects = [
      ...production,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'plain', namespace: 'attest' },
        stringData: { a: 'b' },
      },
    ];
    expect(policyViolations(objects)).toEqual([
      'Secret/plain: is rendered in clear; secrets come from the SOPS-encrypted files',
    ]);
  });

  it('and the schemas refuse a misspelt CloudNativePG field and a wrongly typed Kubernetes one', async () => {
    const cluster = clone(find(production, 'Cluster', 'attest-db'));
    cluster.spec.instance = 3;
    expect(await schemaErrors(cluster)).toEqual([
      'Cluster/attest-db: /spec must NOT have additional properties (instance)',
    ]);
    const web = clone(find(production, 'Deployment', 'attest-web'));
    web.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect((await schemaErrors(web)).join('\n')).toContain('containerPort must be integer');
  });
});

describe('the SOPS example', () => {
  const sopsConfig = YAML.parse(fs.readFileSync('.sops.yaml', 'utf8')) as {
    creation_rules: { path_regex: string; encrypted_regex: string; age: string }[];
  };
  const encryptedFiles = fs
    .readdirSync(deployDir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.enc.yaml'))
    .map((file) => path.join('deploy/kubernetes', file));

  it('encrypts every secret value to the age recipients .sops.yaml names for its path', () => {
    expect(encryptedFiles.length).toBeGreaterThanOrEqual(6);
    for (const file of encryptedFiles) {
      const rule = sopsConfig.creation_rules.find((candidate) => new RegExp(candidate.path_regex).test(file));
      expect(rule, file).toBeDefined();
      expect(rule?.age).toMatch(/^age1[0-9a-z]{58}$/);
      const document = YAML.parse(fs.readFileSync(file, 'utf8'));
      expect(document.sops.age.map((key: { recipient: string }) => key.recipient)).toEqual(
        rule?.age.split(',').map((recipient) => recipient.trim()),
      );
      expect(document.sops.encrypted_regex).toBe(rule?.encrypted_regex);
      expect(document.sops.age[0].enc).toMatch(
        /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+-----END AGE ENCRYPTED FILE-----\n?$/,
      );
      expect(document.sops.mac).toMatch(/^ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]$/);
      const values = Object.values({ ...document.data, ...document.stringData });
      expect(values.length, file).toBeGreaterThan(0);
      for (const value of values) {
        expect(value, file).toMatch(
          /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/,
        );
      }
    }
  });

  it('holds no private key', () => {
    const files = [
      '.sops.yaml',
      ...fs.readdirSync(deployDir, { recursive: true }).map((file) => path.join(deployDir, String(file))),
    ];
    for (const file of files) {
      if (!fs.statSync(file).isFile()) continue;
      expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(
        /AGE-SECRET-KEY-|BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY/,
      );
    }
  });
});
