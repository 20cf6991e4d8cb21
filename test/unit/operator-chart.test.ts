/**
 * The operator's deployment chart (R-O4): least-privilege RBAC derived from
 * the ACK kinds, a hardened Deployment, and objects that select each other.
 * That the RBAC is also *enough* is proven in test/integration/operator-rbac.
 */
import { describe, expect, test } from '@jest/globals';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { renderOperator } from '../../charts/app';
import { DEFERRABLE_KINDS } from '../../charts/constructs/late-binding';
import { DEFAULT_OPERATOR_IMAGE, OPERATOR_MANIFESTS, OperatorChart, type OperatorChartProps } from '../../charts/operator';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { OPERATOR_METRICS_PORT, OPERATOR_NAME } from '../../operator/identity';
import { DEFERRED_OBJECT_CRD } from '../../operator/deferred-object/crd';
import { TARGET_TRACKING_POLICY, TRAIL_LOGGING, WEB_ACL_ASSOCIATION } from '../../operator/aws-gaps/crd';
import { FAILOVER_GROUP_CRD } from '../../operator/failover-group/crd';
import { TAG_POLICY_CRD } from '../../operator/tag-policy/crd';
import { PEERING_ACTIVE_METRIC } from '../../operator/peering-health/peering-health';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { OPERATOR_BUNDLE, REPO_ROOT } from '../../lib/paths';
import { buildOperatorBundle, imageRuntime } from '../support/operator';

const render = (props?: OperatorChartProps) => {
  const files = renderOperator(props);
  const docs = (file: string) => parseAllDocuments(files.get(file)!).map((doc) => doc.toJS());
  return { crds: docs(OPERATOR_MANIFESTS.crds), objects: docs(OPERATOR_MANIFESTS.operator), monitoring: docs(OPERATOR_MANIFESTS.monitoring) };
};
const { crds, objects, monitoring } = render();
const only = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const deployment = only('Deployment');
const podLabels = deployment.spec.template.metadata.labels;
const container = deployment.spec.template.spec.containers[0];
const selects = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);

/** Which verbs the rules grant on `<group>/<resource>`. */
function granted(rules: any[], group: string, resource: string): string[] {
  return [...new Set(rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs))].sort();
}

describe('operator CRDs (R-O4)', () => {
  test('R-O4 R-O7 crds.k8s.yaml holds exactly the operator\'s CRDs: TagPolicy, FailoverGroup, DeferredObject and the ACK-gap kinds', () => {
    expect(crds).toEqual([TAG_POLICY_CRD, FAILOVER_GROUP_CRD, DEFERRED_OBJECT_CRD, WEB_ACL_ASSOCIATION.crd, TRAIL_LOGGING.crd, TARGET_TRACKING_POLICY.crd]);
  });
});

describe('operator RBAC (R-O4 least privilege)', () => {
  const clusterRules = only('ClusterRole').rules;
  const leaseRules = only('Role').rules;

  test('R-O4 no wildcard verb, resource or group anywhere', () => {
    for (const rule of [...clusterRules, ...leaseRules]) {
      expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain('*');
    }
  });

  test('R-O4 R-O2 R-O6 every ACK kind may be listed and watched; only kinds with tags, Route 53 records (failover) and the deferrable kinds may be patched; only the deferrable kinds created, read one by one and deleted', () => {
    const kinds = Object.entries(ACK_KINDS);
    expect(kinds.length).toBeGreaterThan(90);
    const deferrable = new Set(DEFERRABLE_KINDS.map((gvk) => `${gvk.apiVersion}/${gvk.kind}`));
    for (const [key, { plural, tagShape }] of kinds) {
      const group = key.split('/')[0];
      const patched = tagShape || (group === 'route53.services.k8s.aws' && plural === 'recordsets');
      const verbs = deferrable.has(key) ? ['create', 'delete', 'get', 'list', 'patch', 'watch'] : patched ? ['list', 'patch', 'watch'] : ['list', 'watch'];
      expect({ key, verbs: granted(clusterRules, group, plural) }).toEqual({ key, verbs });
    }
  });

  test('R-O6 DeferredObjects are read and get the operator\'s finalizer; only their status is written', () => {
    expect(granted(clusterRules, 'ack-systems.io', 'deferredobjects')).toEqual(['get', 'list', 'patch', 'watch']);
    expect(granted(clusterRules, 'ack-systems.io', 'deferredobjects/status')).toEqual(['update']);
  });

  test('R-O7 the ACK-gap kinds (exactly these three) are read and get the operator\'s finalizer; only their status is written', () => {
    for (const plural of ['targettrackingpolicies', 'trailloggings', 'webaclassociations']) {
      expect({ plural, verbs: granted(clusterRules, 'ack-systems.io', plural) }).toEqual({ plural, verbs: ['get', 'list', 'patch', 'watch'] });
      expect({ plural, verbs: granted(clusterRules, 'ack-systems.io', `${plural}/status`) }).toEqual({ plural, verbs: ['update'] });
    }
    const ours = clusterRules.filter((rule: any) => rule.apiGroups.includes('ack-systems.io')).flatMap((rule: any) => rule.resources as string[]);
    expect([...new Set(ours)].sort()).toEqual([
      'deferredobjects', 'deferredobjects/status', 'failovergroups', 'failovergroups/status', 'tagpolicies', 'tagpolicies/status',
      'targettrackingpolicies', 'targettrackingpolicies/status', 'trailloggings', 'trailloggings/status', 'webaclassociations', 'webaclassociations/status',
    ]);
  });

  test('R-O2 FailoverGroups are read, only their status is written', () => {
    expect(granted(clusterRules, 'ack-systems.io', 'failovergroups')).toEqual(['get', 'list', 'watch']);
    expect(granted(clusterRules, 'ack-systems.io', 'failovergroups/status')).toEqual(['update']);
  });

  test('R-O4 TagPolicies are read, only their status is written; events are created and aggregated', () => {
    expect(granted(clusterRules, 'ack-systems.io', 'tagpolicies')).toEqual(['get', 'list', 'watch']);
    expect(granted(clusterRules, 'ack-systems.io', 'tagpolicies/status')).toEqual(['update']);
    expect(granted(clusterRules, '', 'events')).toEqual(['create', 'patch']);
    expect(granted(clusterRules, 'apiextensions.k8s.io', 'customresourcedefinitions')).toEqual(['list', 'watch']);
    expect(granted(clusterRules, '', 'namespaces')).toEqual(['list', 'watch']);
  });

  test('R-O4 no access to secrets, config maps, pods or RBAC itself', () => {
    for (const [group, resource] of [['', 'secrets'], ['', 'configmaps'], ['', 'pods'], ['rbac.authorization.k8s.io', 'clusterroles']]) {
      expect(granted([...clusterRules, ...leaseRules], group, resource)).toEqual([]);
    }
  });

  test('R-O4 the Lease rules: create any (RBAC cannot name what does not exist yet), get and update only the operator Lease, in its namespace', () => {
    expect(only('Role').metadata.namespace).toBe(OPERATOR_NAME);
    expect(leaseRules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [OPERATOR_NAME], verbs: ['get', 'update'] },
    ]);
  });

  test('R-O4 both roles are bound to the Deployment service account', () => {
    const subject = { kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: OPERATOR_NAME };
    expect(only('ClusterRoleBinding')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: only('ClusterRole').metadata.name }, subjects: [subject] });
    expect(only('RoleBinding')).toMatchObject({ roleRef: { kind: 'Role', name: only('Role').metadata.name }, subjects: [subject] });
    expect(only('ServiceAccount').metadata.name).toBe(subject.name);
  });
});

describe('operator Deployment (R-O4)', () => {
  test('R-O4 R-O2 two replicas with leader election on, told their pod name and namespace, and the per-cluster settings of an optional ConfigMap', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.args).toContain('--leader-elect=true');
    const fromClusterConfig = (key: string) => ({ valueFrom: { configMapKeyRef: { name: 'ack-systems-operator-cluster', key, optional: true } } });
    expect(container.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=256 --max-semi-space-size=4' },
      { name: 'ACK_SYSTEMS_CLUSTER_NAME', ...fromClusterConfig('cluster-name') },
      { name: 'ACK_SYSTEMS_FAILOVER_LEASE', ...fromClusterConfig('failover-lease') },
    ]);
    expect(container.image).toBe(DEFAULT_OPERATOR_IMAGE);
  });

  test('R-O4 non-root, read-only root file system, no privilege escalation, no capabilities, seccomp RuntimeDefault', () => {
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(only('Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('R-O4 resource requests and limits for CPU and memory; the V8 heap capped at half the memory limit, with a small young generation', () => {
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(container.resources.limits).toEqual({ cpu: '1000m', memory: '512Mi' });
    expect(container.env.find((e: any) => e.name === 'NODE_OPTIONS').value).toBe('--max-old-space-size=256 --max-semi-space-size=4');
  });

  test('R-O4 source maps stay on in production: the image enables them on node\'s command line, which the chart\'s NODE_OPTIONS cannot replace', () => {
    const image = imageRuntime();
    expect(image.nodeArgs).toContain('--enable-source-maps');
    // An ENV NODE_OPTIONS in the image would be silently replaced by the chart's.
    expect(image.env.NODE_OPTIONS).toBeUndefined();
    expect(container.env.find((e: any) => e.name === 'NODE_OPTIONS').value).not.toMatch(/source-maps/);
  });

  test('R-O4 the image builds from what the bundle script imports, and ships every file the build writes', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const runtimeStart = dockerfile.lastIndexOf('\nFROM ');
    const copied = (stage: string, fromBuild: boolean) =>
      [...stage.matchAll(/^COPY (.+)$/gm)].flatMap(([, args]) => {
        const words = args.split(/\s+/);
        if (words[0].startsWith('--from') !== fromBuild) return [];
        return words.filter((word) => !word.startsWith('--')).slice(0, -1);
      });
    // Relative imports of the bundle script, followed through scripts/ (lib/ is copied whole).
    const imported = new Set<string>();
    const follow = (file: string) => {
      imported.add(relative(REPO_ROOT, file));
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const next = resolve(dirname(file), `${target}.ts`);
        if (!imported.has(relative(REPO_ROOT, next))) follow(next);
      }
    };
    follow(join(REPO_ROOT, 'scripts', 'build-operator.ts'));
    const buildSources = copied(dockerfile.slice(0, runtimeStart), false);
    expect([...imported].filter((file) => !buildSources.some((source) => source === file || (source.endsWith('/') && file.startsWith(source))))).toEqual([]);
    buildOperatorBundle();
    const written = readdirSync(dirname(OPERATOR_BUNDLE)).filter((file) => file.startsWith(basename(OPERATOR_BUNDLE)));
    expect(written).toEqual(expect.arrayContaining(['operator.mjs', 'operator.mjs.map']));
    const shipped = copied(dockerfile.slice(runtimeStart), true).map((source) => basename(source));
    expect(written.filter((file) => !shipped.includes(file))).toEqual([]);
  });

  test('R-O4 liveness on /healthz and readiness on /readyz, on the metrics port the container exposes', () => {
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: OPERATOR_METRICS_PORT });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: OPERATOR_METRICS_PORT });
    expect(container.ports).toEqual([{ name: 'http-metrics', containerPort: OPERATOR_METRICS_PORT }]);
    expect(container.args).toContain(`--metrics-port=${OPERATOR_METRICS_PORT}`);
  });

  test('R-O4 the PodDisruptionBudget, metrics Service and NetworkPolicy select the operator pods', () => {
    expect(selects(only('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    expect(only('PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(selects(only('Service').spec.selector)).toBe(true);
    expect(only('Service').spec.ports).toEqual([{ name: 'http-metrics', port: OPERATOR_METRICS_PORT, targetPort: OPERATOR_METRICS_PORT }]);
    expect(selects(only('NetworkPolicy').spec.podSelector.matchLabels)).toBe(true);
  });

  test('R-O4 the NetworkPolicy admits only metrics scrapers, on the metrics port, and lets out only API server traffic', () => {
    const policy = only('NetworkPolicy').spec;
    expect(policy.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    expect(policy.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: OPERATOR_METRICS_PORT, protocol: 'TCP' }] },
    ]);
    expect(policy.egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port)).sort()).toEqual([443, 6443]);
  });

  test('R-O4 every namespaced object lives in the operator namespace; cluster-scoped ones have none', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const object of objects) {
      expect({ kind: object.kind, namespace: object.metadata.namespace }).toEqual({ kind: object.kind, namespace: clusterScoped.includes(object.kind) ? undefined : OPERATOR_NAME });
    }
  });
});

describe('operator chart props (R-O4)', () => {
  test('R-O4 image, replicas and scraper namespaces are honoured', () => {
    const custom = render({ image: 'registry.example.com/ops/operator@sha256:' + 'a'.repeat(64), replicas: 3, metricsScraperNamespaces: ['observability'] }).objects;
    const d = custom.find((o) => o.kind === 'Deployment');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/ops/operator@sha256:' + 'a'.repeat(64));
    expect(custom.find((o) => o.kind === 'NetworkPolicy').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'observability' });
  });

  test.each([
    [{ image: 'operator:latest' }, 'operator: image "operator:latest" must be <registry>/<repository>:<tag> or @sha256:<digest>'],
    [{ replicas: 0 }, 'operator: replicas must be a whole number from 1 to 5'],
    [{ replicas: 1.5 }, 'operator: replicas must be a whole number from 1 to 5'],
    [{ metricsScraperNamespaces: ['Monitoring'] }, 'operator: metricsScraperNamespaces: "Monitoring" is not a namespace name'],
  ])('R-O4 bad props are refused with the prop named: %j', (props, message) => {
    expect(() => new OperatorChart(new App(), props)).toThrow(message);
  });
});

describe('operator monitoring (SPEC S1 peering health, R-O3)', () => {
  const serviceMonitor = monitoring.find((o) => o.kind === 'ServiceMonitor');
  const rules = monitoring.find((o) => o.kind === 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);

  test('S1 a ServiceMonitor scrapes the metrics Service by its labels and port name', () => {
    const service = objects.find((o) => o.kind === 'Service');
    expect(Object.entries(serviceMonitor.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels[key] === value)).toBe(true);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(serviceMonitor.spec.endpoints[0].port);
    expect(serviceMonitor.metadata.namespace).toBe(service.metadata.namespace);
  });

  test('S1 a peering connection that is not active pages (critical), on the gauge the operator exports', () => {
    const peering = rules.find((r: any) => r.alert === 'VPCPeeringConnectionNotActive');
    expect(peering).toMatchObject({ expr: `max by (namespace, name, state) (${PEERING_ACTIVE_METRIC}) == 0`, for: '10m', labels: { severity: 'critical' } });
    expect(peering.annotations.summary).toContain('{{ $labels.state }}');
  });

  test('R-O3 no leading operator replica pages too (otherwise nothing reports peering health)', () => {
    const leader = rules.find((r: any) => r.alert === 'ACKSystemsOperatorNotLeading');
    expect(leader.expr).toContain(`leader_election_master_status{name="${OPERATOR_NAME}"}`);
    expect(leader.expr).toContain('absent(');
  });
});
