/**
 * The operator as deployed (R-O4) and as a controller-runtime-grade process
 * (R-O3): dist/operator/ applied with kubectl, the bundled binary (the image's
 * entry point) run as separate replicas under the chart's ServiceAccount,
 * against a real kube-apiserver + etcd (R-O5). Each test runs its own
 * replicas on its own Lease, with its own namespace and TagPolicy, and stops
 * them (waiting for \`close\`) before the next: any test runs alone with -t.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpMethod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_MANIFESTS } from '../../charts/operator';
import { ackCrdsDir, REPO_ROOT } from '../../lib/paths';
import { OPERATOR_NAME } from '../../operator/identity';
import { ApiClient, collectionPath, isStatus, objectPath } from '../../operator/runtime/api-client';
import { TAG_POLICY_TYPE } from '../../operator/tag-policy/crd';
import { MEMBER_TYPES } from '../../operator/failover-group/members';
import { ackObject, resourceTypeOf, tagsOf, TAGGABLE_SAMPLES } from '../support/ack-objects';
import { createGroup, globalClusterXml, groupOf, groupSpec, members } from '../support/failover';
import { LocalAws } from '../support/local-aws';
import { installCrds } from '../support/control-plane';
import {
  buildOperatorBundle,
  eventually,
  installOperator,
  operatorEndpoint,
  operatorServiceAccount,
  spawnOperator,
  type OperatorProcess,
} from '../support/operator';
import { kubectl, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane({ crdPaths: [ackCrdsDir()] });
const SG = TAGGABLE_SAMPLES['list of key/value'];

let admin: ApiClient;
let kubeconfigPath: string;
let replicas: OperatorProcess[] = [];

/** Lease timing short enough for tests: 3 s lease, 2 s renew deadline, 0.5 s retry. */
const FAST_LEASE = ['--lease-duration-ms=3000', '--renew-deadline-ms=2000', '--retry-period-ms=500'];
const start = (identity: string, timing = FAST_LEASE, env: Record<string, string> = {}) => {
  // The chart's Lease: its Role lets the ServiceAccount update no other.
  const replica = spawnOperator(kubeconfigPath, identity, timing, env);
  replicas.push(replica);
  return replica;
};
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAME}/leases/${OPERATOR_NAME}`;
const lease = () => admin.get<any>(LEASE_PATH);
const holder = async () => (await lease()).spec.holderIdentity;
const LEADER_SERIES = `leader_election_master_status{name="${OPERATOR_NAME}"}`;
const metric = async (replica: OperatorProcess, series: string) => {
  const { body } = await operatorEndpoint(await replica.port(), '/metrics');
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').pop()) : 0;
};
const readyz = async (replica: OperatorProcess) => (await operatorEndpoint(await replica.port(), '/readyz')).body;

/** Starts `<prefix>-a`, waits until it holds the Lease, then `<prefix>-b`, until it stands by ready. */
async function leaderAndStandby(prefix: string, timing = FAST_LEASE): Promise<[OperatorProcess, OperatorProcess]> {
  const a = start(`${prefix}-a`, timing);
  await eventually(`${prefix}-a holds the Lease`, async () => (await holder().catch(() => undefined)) === `${prefix}-a`);
  const b = start(`${prefix}-b`, timing);
  await eventually(`${prefix}-b standing by`, async () => (await readyz(b)) === 'ok (standby)');
  return [a, b];
}

/** A namespace and a TagPolicy of the test's own; `tagged(name)` waits for a security group there to carry the policy's tag. */
async function scope(name: string) {
  const path = collectionPath(resourceTypeOf(SG), name);
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name }, spec: { tags: { CostCenter: `cc-${name}` }, namespaces: [name] } });
  return {
    createSecurityGroup: (sg: string) => admin.create(path, ackObject(SG, name, sg, { Owner: name })),
    tagged: (sg: string) => eventually(`${name}/${sg} tagged`, async () => tagsOf(await admin.get<any>(`${path}/${sg}`)).CostCenter === `cc-${name}`, 30_000),
  };
}

beforeAll(async () => {
  buildOperatorBundle();
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  kubeconfigPath = operatorServiceAccount(controlPlane()).kubeconfigPath;
}, 120_000);

afterEach(async () => {
  // Every replica of the test is gone, its output read to the end, and no Lease is left, before the next test.
  for (const replica of replicas) if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
  await Promise.all(replicas.map((replica) => replica.closed()));
  replicas = [];
  await admin.delete(LEASE_PATH).catch((error: unknown) => {
    if (!isStatus(error, 404)) throw error;
  });
});

describe('dist/operator/ in a cluster (R-O4)', () => {
  const operatorObjects = parseAllDocuments(readFileSync(join(REPO_ROOT, 'dist', OPERATOR_MANIFESTS.operator), 'utf8')).map((doc) => doc.toJS());
  const podTemplate = operatorObjects.find((o) => o.kind === 'Deployment').spec.template;
  const dryRunPod = (spec: any) =>
    admin.request(HttpMethod.POST, `/api/v1/namespaces/${OPERATOR_NAME}/pods`, { query: { dryRun: 'All' }, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'template-check' }, spec } });

  test('R-O4 every object is accepted by kubectl apply --server-side --validate=strict, with no warning (installOperator asserts an empty stderr)', () => {
    for (const object of operatorObjects) {
      const { kind, metadata } = object;
      const found = kubectl(controlPlane(), ['get', kind, metadata.name, ...(metadata.namespace ? ['-n', metadata.namespace] : []), '-o', 'name']).status === 0;
      expect({ kind, found }).toEqual({ kind, found: true });
    }
  });

  test('R-O4 the pod template passes Pod Security "restricted", which the namespace enforces (a privileged variant is refused)', async () => {
    await expect(dryRunPod(podTemplate.spec)).resolves.toBeDefined();
    const privileged = structuredClone(podTemplate.spec);
    privileged.containers[0].securityContext = { ...privileged.containers[0].securityContext, allowPrivilegeEscalation: true, capabilities: undefined };
    const refused = (await dryRunPod(privileged).then(() => undefined, (error: unknown) => error)) as Error;
    expect(isStatus(refused, 403)).toBe(true);
    expect(refused.message).toMatch(/violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });
});

describe('replicas and leader election (R-O3)', () => {
  test('R-O3 one replica leads; a second stands by, ready, its caches warm, making no writes', async () => {
    const { createSecurityGroup, tagged } = await scope('standby');
    const [a, b] = await leaderAndStandby('standby');
    await createSecurityGroup('sg-1');
    await tagged('sg-1');
    expect(await holder()).toBe('standby-a');
    expect(await metric(a, LEADER_SERIES)).toBe(1);
    expect(await metric(b, LEADER_SERIES)).toBe(0);
    // Warm: the standby listed and watches the ACK kinds, so a take-over starts from a synced cache.
    expect(await metric(b, 'informer_relists_total{resource="securitygroups.ec2.services.k8s.aws"}')).toBeGreaterThanOrEqual(1);
    expect(await metric(b, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBe(0);
    expect(await metric(a, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBeGreaterThanOrEqual(1);
  });

  test('R-O3 SIGTERM: the leader finishes, releases the Lease and exits 0; the standby takes over before the Lease could expire', async () => {
    const { createSecurityGroup, tagged } = await scope('handover');
    // A 60 s lease: a take-over within the 30 s wait below can only come from the release.
    const longLease = ['--lease-duration-ms=60000', '--renew-deadline-ms=40000', '--retry-period-ms=500'];
    const [a, b] = await leaderAndStandby('handover', longLease);
    a.child.kill('SIGTERM');
    expect(await a.closed()).toBe(0);
    expect(a.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['signal received; shutting down', 'released the lease', 'shut down']));
    await eventually('handover-b holds the Lease', async () => (await holder()) === 'handover-b');
    await createSecurityGroup('sg-1');
    await tagged('sg-1');
    expect(await metric(b, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBeGreaterThanOrEqual(1);
  });

  test('R-O3 SIGKILL: nothing is released; a standby takes over only once the Lease has expired', async () => {
    const { createSecurityGroup, tagged } = await scope('killed');
    const [a] = await leaderAndStandby('killed');
    a.child.kill('SIGKILL');
    await a.closed();
    const lastRenew = Date.parse((await lease()).spec.renewTime);
    await eventually('killed-b holds the Lease', async () => (await holder()) === 'killed-b', 20_000);
    // The times the electors wrote into the Lease: b acquired it no sooner than a's last renewal plus the lease duration.
    expect(Date.parse((await lease()).spec.acquireTime) - lastRenew).toBeGreaterThanOrEqual(3000);
    await createSecurityGroup('sg-1');
    await tagged('sg-1');
  });

  test('R-O3 /healthz, /readyz and /metrics on one port; metrics cover reconciles, the work queue and API requests', async () => {
    const { createSecurityGroup, tagged } = await scope('metrics');
    const a = start('metrics-a');
    await eventually('metrics-a leading and ready', async () => (await readyz(a)) === 'ok (leading)');
    await createSecurityGroup('sg-1');
    await tagged('sg-1');
    const port = await a.port();
    expect(await operatorEndpoint(port, '/healthz')).toEqual({ status: 200, body: 'ok' });
    const { body } = await operatorEndpoint(port, '/metrics');
    for (const series of [
      'controller_runtime_reconcile_total{controller="tagpolicy-enforcer",result="requeue_after"}',
      'controller_runtime_reconcile_time_seconds_count{controller="tagpolicy-enforcer"}',
      'controller_runtime_reconcile_total{controller="tagpolicy-status",result="success"}',
      'workqueue_depth{name="tagpolicy-enforcer"}',
      'workqueue_adds_total{name="tagpolicy-enforcer"}',
      'workqueue_queue_duration_seconds_count{name="tagpolicy-enforcer"}',
      'rest_client_requests_total{verb="PATCH",code="200"}',
      `${LEADER_SERIES} 1`,
    ]) {
      expect({ series, present: body.includes(series) }).toEqual({ series, present: true });
    }
  });

  test('R-O4 an ACK kind the chart RBAC does not cover is reported, and neither blocks readiness nor other kinds', async () => {
    const { createSecurityGroup, tagged } = await scope('forbidden');
    const a = start('forbidden-a');
    await eventually('forbidden-a leading and ready', async () => (await readyz(a)) === 'ok (leading)');
    await installCrds(controlPlane().admin.kubeConfig, [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.services.k8s.aws' },
        spec: {
          group: 'example.services.k8s.aws',
          scope: 'Namespaced',
          names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
          versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } } } } } } }],
        },
      },
    ]);
    const reported = await eventually('forbidden kind reported', () => a.logs.find((line) => line.level === 'error' && String(line.msg).startsWith('no RBAC to list/watch example.services.k8s.aws/Widget')));
    expect(reported.msg).toMatch(/Regenerate the operator chart \(npm run import && npm run synth\) and apply dist\/operator\/$/);
    expect(await readyz(a)).toBe('ok (leading)');
    await createSecurityGroup('sg-1');
    await tagged('sg-1');
  });

  test('R-O4 the TagPolicy status written under the restricted ServiceAccount reaches Ready', async () => {
    const { createSecurityGroup, tagged } = await scope('status');
    start('status-a');
    for (const sg of ['sg-1', 'sg-2']) await createSecurityGroup(sg);
    for (const sg of ['sg-1', 'sg-2']) await tagged(sg);
    const status = await eventually('policy Ready', async () => {
      const policy = await admin.get<any>(objectPath(TAG_POLICY_TYPE, undefined, 'status'));
      return policy.status?.conditions?.[0]?.status === 'True' && policy.status.covered === 2 ? policy.status : undefined;
    });
    expect(status).toMatchObject({ covered: 2, compliant: 2, corrected: 2 });
  });
});

describe('the bundled operator as the FailoverGroup controller (R-O2)', () => {
  let aws: LocalAws | undefined;
  afterEach(async () => {
    await aws?.stop();
    aws = undefined;
  });

  test('R-O2 SIGKILLed between two steps of a drill: the next leader completes the move and repeats no step', async () => {
    const ns = 'fog-sigkill';
    await members(admin, ns);
    const spec: any = groupSpec(ns, { failover: 'Manual' }, { request: { action: 'Failover', id: 'drill-sigkill' } } as never);
    for (const side of [spec.primary, spec.secondary]) side.probes = []; // health from the members alone: no network here
    // RDS and CloudWatch on a local endpoint speaking their protocol: the writer moves once AWS has done the switchover.
    aws = await LocalAws.start();
    let writer: 'primary' | 'secondary' = 'primary';
    let waitingForWriter!: () => void;
    const waiting = new Promise<void>((resolve) => (waitingForWriter = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    aws
      .on('SwitchoverGlobalCluster', () => '')
      .on('PutMetricData', () => '')
      .on('DescribeGlobalClusters', async () => {
        // The first look after the switchover call is the wait step: hold it and kill the operator there.
        if (aws!.count('SwitchoverGlobalCluster') > 0 && writer === 'primary') {
          waitingForWriter();
          await released;
        }
        return globalClusterXml(ns, writer);
      });
    const a = start('fog-a', FAST_LEASE, aws.env());
    await createGroup(admin, ns, spec);
    await waiting;
    a.child.kill('SIGKILL');
    await a.closed();
    const interrupted = (await groupOf(admin, ns)).status!.move!;
    expect(interrupted.steps.map((step) => [step.name, Boolean(step.completedAt)])).toEqual([
      ['switchover-database', true],
      ['wait-database', false],
    ]);
    writer = 'secondary';
    release();

    const b = start('fog-b', FAST_LEASE, aws.env());
    const status = await eventually('fog-b completes the move', async () => ((await groupOf(admin, ns)).status?.phase === 'FailedOver' ? (await groupOf(admin, ns)).status : undefined), 60_000);
    expect(aws.count('SwitchoverGlobalCluster')).toBe(1);
    expect(status!.move!.steps.map((step) => [step.name, Boolean(step.completedAt)])).toEqual([
      ['switchover-database', true],
      ['wait-database', true],
      ['swap-records', true],
      ['bring-in-target', true],
    ]);
    // The completed step is the one fog-a wrote, untouched; the step it had started kept its start.
    expect(status!.move!.steps.slice(0, 2).map((step) => step.startedAt)).toEqual(interrupted.steps.map((step) => step.startedAt));
    expect(status!.move!.steps[0]).toEqual(interrupted.steps[0]);
    expect((await admin.get<any>(objectPath(MEMBER_TYPES.recordSet, ns, 'rec-primary'))).spec.aliasTarget.dnsName).toBe('d-secondary.execute-api.us-east-2.amazonaws.com');
    expect(b.logs.find((line) => line.msg === 'failover move completed')).toMatchObject({ id: 'drill-sigkill', from: 'primary', to: 'secondary' });
  }, 120_000);
});
