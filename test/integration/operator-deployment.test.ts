/**
 * The operator as deployed (R-O4) and as a controller-runtime-grade process
 * (R-O3): dist/operator/ applied with kubectl, the bundled binary (the image's
 * entry point) run as separate replicas under the chart's ServiceAccount,
 * against a real kube-apiserver + etcd (R-O5).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpMethod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_MANIFESTS } from '../../charts/operator';
import { ackCrdsDir, REPO_ROOT } from '../../lib/paths';
import { OPERATOR_NAME } from '../../operator/identity';
import { ApiClient, collectionPath, isStatus, objectPath } from '../../operator/runtime/api-client';
import { TAG_POLICY_TYPE } from '../../operator/tag-policy/crd';
import { ackObject, resourceTypeOf, tagsOf, TAGGABLE_SAMPLES } from '../support/ack-objects';
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
const LEASE_TIMING = ['--lease-duration-ms=3000', '--renew-deadline-ms=2000', '--retry-period-ms=500'];
const SG = TAGGABLE_SAMPLES['list of key/value'];
const SG_PATH = collectionPath(resourceTypeOf(SG), 'shop');

let admin: ApiClient;
let kubeconfigPath: string;
const replicas: OperatorProcess[] = [];

const start = (identity: string) => {
  const replica = spawnOperator(kubeconfigPath, identity, LEASE_TIMING);
  replicas.push(replica);
  return replica;
};
const holder = async () => (await admin.get<any>(`/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAME}/leases/${OPERATOR_NAME}`)).spec.holderIdentity;
const metric = async (replica: OperatorProcess, series: string) => {
  const { body } = await operatorEndpoint(await replica.port(), '/metrics');
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').pop()) : 0;
};
const createSecurityGroup = (name: string) => admin.create(SG_PATH, ackObject(SG, 'shop', name, { Owner: 'shop' }));
const tagged = (name: string) => eventually(`${name} tagged`, async () => tagsOf(await admin.get<any>(`${SG_PATH}/${name}`)).CostCenter === 'cc-7', 30_000);

beforeAll(async () => {
  buildOperatorBundle();
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  kubeconfigPath = operatorServiceAccount(controlPlane()).kubeconfigPath;
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'shop' }, spec: { tags: { CostCenter: 'cc-7' }, namespaces: ['shop'] } });
}, 120_000);

afterAll(async () => {
  for (const replica of replicas) if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
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
  test('R-O3 one replica leads; a second stands by, ready but idle, making no writes', async () => {
    const a = start('replica-a');
    await eventually('replica-a holds the Lease', async () => (await holder().catch(() => undefined)) === 'replica-a');
    await eventually('replica-a ready', async () => (await operatorEndpoint(await a.port(), '/readyz')).status === 200);
    await createSecurityGroup('sg-1');
    await tagged('sg-1');

    const b = start('replica-b');
    await eventually('replica-b serving', async () => (await operatorEndpoint(await b.port(), '/readyz')).body === 'ok (standby)');
    await createSecurityGroup('sg-2');
    await tagged('sg-2');
    expect(await holder()).toBe('replica-a');
    expect(await metric(a, 'leader_election_master_status{name="ack-systems-operator"}')).toBe(1);
    expect(await metric(b, 'leader_election_master_status{name="ack-systems-operator"}')).toBe(0);
    expect(await metric(b, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBe(0);
    expect(await metric(a, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBeGreaterThanOrEqual(2);
  });

  test('R-O3 SIGTERM: the leader finishes, releases the Lease and exits 0; the standby takes over at once and continues', async () => {
    const [a, b] = replicas;
    a.child.kill('SIGTERM');
    expect(await a.exited()).toBe(0);
    expect(a.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['signal received; shutting down', 'released the lease', 'shut down']));
    const released = Date.now();
    await eventually('replica-b holds the Lease', async () => (await holder()) === 'replica-b');
    // A release hands over within a retry period, not after the 3 s lease duration.
    expect(Date.now() - released).toBeLessThan(2500);
    await createSecurityGroup('sg-3');
    await tagged('sg-3');
    expect(await metric(b, 'rest_client_requests_total{verb="PATCH",code="200"}')).toBeGreaterThanOrEqual(1);
  });

  test('R-O3 SIGKILL: nothing is released; a standby takes over only once the Lease has expired', async () => {
    const b = replicas[1];
    const c = start('replica-c');
    await eventually('replica-c standing by', async () => (await operatorEndpoint(await c.port(), '/readyz')).body === 'ok (standby)');
    b.child.kill('SIGKILL');
    const killed = Date.now();
    await eventually('replica-c holds the Lease', async () => (await holder()) === 'replica-c', 20_000);
    expect(Date.now() - killed).toBeGreaterThanOrEqual(2500);
    await createSecurityGroup('sg-4');
    await tagged('sg-4');
  });

  test('R-O3 /healthz, /readyz and /metrics on one port; metrics cover reconciles, the work queue and API requests', async () => {
    const c = replicas[2];
    const port = await c.port();
    expect(await operatorEndpoint(port, '/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(await operatorEndpoint(port, '/readyz')).toEqual({ status: 200, body: 'ok (leading)' });
    const { body } = await operatorEndpoint(port, '/metrics');
    for (const series of [
      'controller_runtime_reconcile_total{controller="tagpolicy-enforcer",result="requeue_after"}',
      'controller_runtime_reconcile_time_seconds_count{controller="tagpolicy-enforcer"}',
      'workqueue_depth{name="tagpolicy-enforcer"}',
      'workqueue_adds_total{name="tagpolicy-enforcer"}',
      'workqueue_queue_duration_seconds_count{name="tagpolicy-enforcer"}',
      'rest_client_requests_total{verb="PATCH",code="200"}',
      'leader_election_master_status{name="ack-systems-operator"} 1',
    ]) {
      expect({ series, present: body.includes(series) }).toEqual({ series, present: true });
    }
  });

  test('R-O4 an ACK kind the chart RBAC does not cover is reported, and neither blocks readiness nor other kinds', async () => {
    const c = replicas[2];
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
    const reported = await eventually('forbidden kind reported', () => c.logs.find((line) => line.level === 'error' && String(line.msg).startsWith('no RBAC to list/watch this ACK kind')));
    expect(reported.kind).toBe('example.services.k8s.aws/v1alpha1/Widget');
    expect((await operatorEndpoint(await c.port(), '/readyz')).status).toBe(200);
    await createSecurityGroup('sg-5');
    await tagged('sg-5');
  });

  test('R-O4 the TagPolicy status written under the restricted ServiceAccount reaches Ready', async () => {
    const status = await eventually('policy Ready', async () => {
      const policy = await admin.get<any>(objectPath(TAG_POLICY_TYPE, undefined, 'shop'));
      return policy.status?.conditions?.[0]?.status === 'True' && policy.status.covered === 5 ? policy.status : undefined;
    });
    expect(status).toMatchObject({ covered: 5, compliant: 5 });
  });
});
