/**
 * The operator's own deployment (R-O4), synthesized once per cluster into
 * `dist/operator/`: `crds.k8s.yaml` (apply first), `operator.k8s.yaml`, and
 * `monitoring.k8s.yaml` (for clusters running the Prometheus Operator).
 *
 * Workload objects use cdk8s-plus-28 for its secure defaults; RBAC uses the
 * plain `k8s` objects because cdk8s-plus writes one rule per resource, and a
 * reviewer should be able to read the grant per API group at a glance.
 */
import { ApiObject, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ACK_KINDS } from '../imports/ack-kinds';
import type { AckKindInfo } from '../lib/ack-kind';
import { ValidationError } from '../lib/errors';
import { CONTAINER_IMAGE_PATTERN } from '../lib/validation/aws';
import { OPERATOR_CLUSTER_CONFIG, OPERATOR_METRICS_PORT, OPERATOR_NAME } from '../operator/identity';
import { PEERING_ACTIVE_METRIC } from '../operator/peering-health/peering-health';
import { OPERATOR_CRDS } from '../operator/crds';
import { TARGET_TRACKING_POLICY, TRAIL_LOGGING, WEB_ACL_ASSOCIATION } from '../operator/aws-gaps/crd';
import { DEFERRED_OBJECT_TYPE } from '../operator/deferred-object/crd';
import { FAILOVER_GROUP_TYPE } from '../operator/failover-group/crd';
import { MEMBER_TYPES } from '../operator/failover-group/members';
import { TAG_POLICY_TYPE } from '../operator/tag-policy/crd';
import packageJson from '../package.json' with { type: 'json' };
import { DEFERRABLE_KINDS } from './constructs/late-binding';

/** Where synth writes the operator's manifests, relative to `dist/`. */
export const OPERATOR_MANIFESTS = { crds: 'operator/crds.k8s.yaml', operator: 'operator/operator.k8s.yaml', monitoring: 'operator/monitoring.k8s.yaml' } as const;

/** The image `npm run build:image` tags; override with `npm run synth -- --operator-image`. */
export const DEFAULT_OPERATOR_IMAGE = `ghcr.io/ack-systems/${OPERATOR_NAME}:${packageJson.version}`;

export interface OperatorChartProps {
  /** Container image with registry and tag or digest. @default DEFAULT_OPERATOR_IMAGE */
  readonly image?: string;
  /** Replicas; one leads, the others stand by. @default 2 */
  readonly replicas?: number;
  /** Namespaces whose pods may scrape `/metrics` (port {@link OPERATOR_METRICS_PORT}). @default ['monitoring'] */
  readonly metricsScraperNamespaces?: readonly string[];
  /** ACK kinds the operator may watch and tag, keyed `<group>/<version>/<Kind>`. @default every imported kind */
  readonly ackKinds?: Readonly<Record<string, AckKindInfo>>;
}

/** A PolicyRule of the `rbac.authorization.k8s.io/v1` API. */
export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

const LABELS = { 'app.kubernetes.io/name': OPERATOR_NAME, 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/part-of': 'ack-systems' };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Sized from `npm run bench:operator` (docs/testing.md: peak RSS with 2,000 objects under this heap cap). */
const MEMORY_REQUEST_MIB = 256;
const MEMORY_LIMIT_MIB = 512;

/** The operator's CRDs alone, so they can be applied (and established) before anything uses them. */
export class OperatorCrdsChart extends Chart {
  constructor(scope: Construct) {
    super(scope, 'operator-crds', { disableResourceNameHashes: true });
    for (const crd of OPERATOR_CRDS) new ApiObject(this, crd.metadata.name, crd);
  }
}

/**
 * Every verb the operator uses, on every resource it uses, and nothing else:
 * read ACK objects of every kind; patch (server-side apply) only kinds that
 * have tags, the Route 53 records a failover points elsewhere, and the kinds
 * charts defer (which it also reads one by one and deletes with their
 * DeferredObject); read TagPolicies, FailoverGroups, DeferredObjects and the
 * ACK-gap kinds, write their status and the finalizers of DeferredObjects and
 * ACK-gap objects; record Events.
 */
/** ACK kinds the failover controller patches without their having tags: the records it points at the other side. */
const FAILOVER_PATCHED = new Set([`${MEMBER_TYPES.recordSet.group}/${MEMBER_TYPES.recordSet.plural}`]);
const GAP_TYPES = [WEB_ACL_ASSOCIATION, TRAIL_LOGGING, TARGET_TRACKING_POLICY].map((api) => api.type);
const OPERATOR_GROUP_OF_GAPS = GAP_TYPES[0].group;
const GAP_PLURALS = GAP_TYPES.map((type) => type.plural).sort();
const DEFERRED_WRITTEN = new Set(DEFERRABLE_KINDS.map((gvk) => `${gvk.apiVersion.split('/')[0]}/${ACK_KINDS[`${gvk.apiVersion}/${gvk.kind}`].plural}`));

export function operatorClusterRules(ackKinds: Readonly<Record<string, AckKindInfo>>): PolicyRule[] {
  const byGroup = new Map<string, { all: Set<string>; patched: Set<string>; deferred: Set<string> }>();
  for (const [key, { plural, tagShape }] of Object.entries(ackKinds)) {
    const group = key.split('/')[0];
    const entry = byGroup.get(group) ?? { all: new Set(), patched: new Set(), deferred: new Set() };
    entry.all.add(plural);
    const written = `${group}/${plural}`;
    if (tagShape || FAILOVER_PATCHED.has(written) || DEFERRED_WRITTEN.has(written)) entry.patched.add(plural);
    if (DEFERRED_WRITTEN.has(written)) entry.deferred.add(plural);
    byGroup.set(group, entry);
  }
  const sorted = (items: Iterable<string>) => [...items].sort();
  const ackRules = sorted(byGroup.keys()).flatMap((group) => {
    const { all, patched, deferred } = byGroup.get(group)!;
    return [
      { apiGroups: [group], resources: sorted(all), verbs: ['list', 'watch'] },
      ...(patched.size > 0 ? [{ apiGroups: [group], resources: sorted(patched), verbs: ['patch'] }] : []),
      // Server-side apply creates with `create`, updates with `patch`.
      ...(deferred.size > 0 ? [{ apiGroups: [group], resources: sorted(deferred), verbs: ['create', 'delete', 'get'] }] : []),
    ];
  });
  return [
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list', 'watch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
    { apiGroups: [TAG_POLICY_TYPE.group], resources: [TAG_POLICY_TYPE.plural], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [TAG_POLICY_TYPE.group], resources: [`${TAG_POLICY_TYPE.plural}/status`], verbs: ['update'] },
    { apiGroups: [FAILOVER_GROUP_TYPE.group], resources: [FAILOVER_GROUP_TYPE.plural], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [FAILOVER_GROUP_TYPE.group], resources: [`${FAILOVER_GROUP_TYPE.plural}/status`], verbs: ['update'] },
    { apiGroups: [DEFERRED_OBJECT_TYPE.group], resources: [DEFERRED_OBJECT_TYPE.plural], verbs: ['get', 'list', 'patch', 'watch'] },
    { apiGroups: [DEFERRED_OBJECT_TYPE.group], resources: [`${DEFERRED_OBJECT_TYPE.plural}/status`], verbs: ['update'] },
    // The ACK-gap kinds: read, their finalizer (patch), their status.
    { apiGroups: [OPERATOR_GROUP_OF_GAPS], resources: GAP_PLURALS, verbs: ['get', 'list', 'patch', 'watch'] },
    { apiGroups: [OPERATOR_GROUP_OF_GAPS], resources: GAP_PLURALS.map((plural) => `${plural}/status`), verbs: ['update'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ...ackRules,
  ];
}

/** Leader election needs its one Lease; `create` cannot be limited by name in RBAC. */
export function operatorLeaseRules(leaseName: string): PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
  ];
}

export class OperatorChart extends Chart {
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, props: OperatorChartProps = {}) {
    super(scope, 'operator', { disableResourceNameHashes: true, labels: LABELS });
    const namespace = OPERATOR_NAME;
    const image = props.image ?? DEFAULT_OPERATOR_IMAGE;
    const replicas = props.replicas ?? 2;
    const scrapers = props.metricsScraperNamespaces ?? ['monitoring'];
    if (!CONTAINER_IMAGE_PATTERN.test(image)) {
      throw new ValidationError(`image "${image}" must be <registry>/<repository>:<tag> or @sha256:<digest>, e.g. ${DEFAULT_OPERATOR_IMAGE}`, this);
    }
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
      throw new ValidationError(`replicas must be a whole number from 1 to 5 (only one leads; 2 gives a warm standby), got ${replicas}`, this);
    }
    const badNamespace = scrapers.find((name) => !DNS_LABEL.test(name));
    if (badNamespace !== undefined) throw new ValidationError(`metricsScraperNamespaces: "${badNamespace}" is not a namespace name (lowercase DNS label)`, this);

    // Pod security admission rejects any pod here that is not "restricted", and warns when a Deployment's template would be.
    new kplus.Namespace(this, 'namespace', {
      metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' } },
    });
    const serviceAccount = new kplus.ServiceAccount(this, 'service-account', { metadata: { name: OPERATOR_NAME, namespace }, automountToken: true });
    const subject = { kind: 'ServiceAccount', name: serviceAccount.name, namespace };
    new kplus.k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: OPERATOR_NAME }, rules: operatorClusterRules(props.ackKinds ?? ACK_KINDS) });
    new kplus.k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: OPERATOR_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
      subjects: [subject],
    });
    const leaseRole = `${OPERATOR_NAME}-leader-election`;
    new kplus.k8s.KubeRole(this, 'lease-role', { metadata: { name: leaseRole, namespace }, rules: operatorLeaseRules(OPERATOR_NAME) });
    new kplus.k8s.KubeRoleBinding(this, 'lease-role-binding', {
      metadata: { name: leaseRole, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRole },
      subjects: [subject],
    });

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: OPERATOR_NAME, namespace },
      replicas,
      select: false,
      podMetadata: { labels: LABELS },
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001 },
      // Long enough for in-flight reconciles to finish and the Lease to be released.
      terminationGracePeriod: Duration.seconds(30),
      containers: [
        {
          name: 'operator',
          image,
          args: ['--leader-elect=true', `--lease-name=${OPERATOR_NAME}`, `--metrics-port=${OPERATOR_METRICS_PORT}`],
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            // V8 grows its heap lazily towards a limit far above the container's; cap it at half
            // the memory limit so garbage is collected before the kernel kills the pod. A 4 MiB
            // young generation (V8's default is 16 MiB per semi-space) took the peak RSS at
            // 10,000 objects from 341 to 239 MiB at the same speed (docs/testing.md).
            NODE_OPTIONS: kplus.EnvValue.fromValue(`--max-old-space-size=${MEMORY_LIMIT_MIB / 2} --max-semi-space-size=4`),
            // What differs per cluster, from an optional ConfigMap made in each cluster (docs/operator.md).
            ...Object.fromEntries(
              Object.entries(OPERATOR_CLUSTER_CONFIG.env).map(([key, variable]) => [
                variable,
                kplus.EnvValue.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, `cluster-config-${key}`, OPERATOR_CLUSTER_CONFIG.name), key, { optional: true }),
              ]),
            ),
          },
          ports: [{ name: 'http-metrics', number: OPERATOR_METRICS_PORT }],
          liveness: kplus.Probe.fromHttpGet('/healthz', { port: OPERATOR_METRICS_PORT, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
          readiness: kplus.Probe.fromHttpGet('/readyz', { port: OPERATOR_METRICS_PORT, periodSeconds: Duration.seconds(5), failureThreshold: 2 }),
          resources: {
            cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(1000) },
            memory: { request: Size.mebibytes(MEMORY_REQUEST_MIB), limit: Size.mebibytes(MEMORY_LIMIT_MIB) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: 10001,
            group: 10001,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: LABELS }));
    // Preferred, not required: the standby on the same node still beats no standby on a one-node cluster.
    this.deployment.scheduling.spread({ weight: 100, topology: kplus.Topology.HOSTNAME });

    new kplus.Service(this, 'metrics-service', {
      metadata: { name: `${OPERATOR_NAME}-metrics`, namespace },
      selector: this.deployment,
      ports: [{ name: 'http-metrics', port: OPERATOR_METRICS_PORT, targetPort: OPERATOR_METRICS_PORT }],
    });

    new kplus.k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: { name: OPERATOR_NAME, namespace },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: LABELS } },
    });

    new kplus.NetworkPolicy(this, 'network-policy', {
      metadata: { name: OPERATOR_NAME, namespace },
      selector: this.deployment,
      ingress: {
        default: kplus.NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: kplus.Namespaces.select(this, 'metrics-scrapers', { names: [...scrapers] }), ports: [kplus.NetworkPolicyPort.tcp(OPERATOR_METRICS_PORT)] }],
      },
      // Only the API server. Its address is not known at synth time, and
      // policies see the endpoint port after the Service's DNAT: 443 or 6443.
      // In-cluster config uses KUBERNETES_SERVICE_HOST, so no DNS is needed.
      egress: {
        default: kplus.NetworkPolicyTrafficDefault.DENY,
        rules: [{ peer: kplus.NetworkPolicyIpBlock.anyIpv4(this, 'api-server'), ports: [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcp(6443)] }],
      },
    });
  }
}

/**
 * What pages a team about the operator and what it watches, for clusters
 * running the Prometheus Operator: a ServiceMonitor for the operator's
 * `/metrics`, and alert rules. Its own file: `monitoring.coreos.com` kinds
 * exist only where the Prometheus Operator is installed.
 */
export class OperatorMonitoringChart extends Chart {
  constructor(scope: Construct) {
    super(scope, 'operator-monitoring', { disableResourceNameHashes: true });
    const namespace = OPERATOR_NAME;
    new ApiObject(this, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: OPERATOR_NAME, namespace },
      spec: {
        selector: { matchLabels: LABELS },
        endpoints: [{ port: 'http-metrics', path: '/metrics', interval: '30s' }],
      },
    });
    new ApiObject(this, 'alerts', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: OPERATOR_NAME, namespace },
      spec: {
        groups: [
          {
            name: 'ack-systems.vpc-peering',
            rules: [
              {
                alert: 'VPCPeeringConnectionNotActive',
                // Only the leading replica exports the gauge; max() spans replicas and restarts.
                expr: `max by (namespace, name, state) (${PEERING_ACTIVE_METRIC}) == 0`,
                for: '10m',
                labels: { severity: 'critical' },
                annotations: {
                  summary: 'VPC peering connection {{ $labels.namespace }}/{{ $labels.name }} is {{ $labels.state }}, not active',
                  description:
                    'Traffic across this peering fails. `kubectl describe vpcpeeringconnection -n {{ $labels.namespace }} {{ $labels.name }}` shows what ACK reports; ' +
                    'pending-acceptance means its accepter is missing (synth warning S1-ACCEPTER-PENDING), failed/rejected/expired/deleted need a new connection.',
                },
              },
            ],
          },
          {
            name: 'ack-systems.operator',
            rules: [
              {
                alert: 'ACKSystemsOperatorNotLeading',
                expr: `max(leader_election_master_status{name="${OPERATOR_NAME}"}) < 1 or absent(leader_election_master_status{name="${OPERATOR_NAME}"})`,
                for: '5m',
                labels: { severity: 'critical' },
                annotations: {
                  summary: 'No ack-systems operator replica leads',
                  description: `Tags are not enforced and peering health is not reported. Check \`kubectl -n ${namespace} get pods\` and the Lease ${OPERATOR_NAME}.`,
                },
              },
            ],
          },
        ],
      },
    });
  }
}
