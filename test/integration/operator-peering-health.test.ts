/**
 * The operator makes VPC peering health pageable (SPEC S1): against a real
 * kube-apiserver with the ACK CRDs, under the chart's ServiceAccount, the test
 * plays the ec2 controller by writing the connection's status, and reads the
 * gauge the alert rule of dist/operator/monitoring.k8s.yaml pages on.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ApiClient, collectionPath, objectPath } from '../../operator/runtime/api-client';
import { PEERING_ACTIVE_METRIC, VPC_PEERING_TYPE } from '../../operator/peering-health/peering-health';
import { eventually, installOperator, operatorEndpoint, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';
import { ackCrdsDir } from '../../lib/paths';
import { useControlPlane } from '../support/shared-control-plane';

// The operator's own CRD comes from dist/operator/ (installOperator), as a user installs it.
const controlPlane = useControlPlane({ crdPaths: [ackCrdsDir()] });
let admin: ApiClient;
let running: InProcessOperator;

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  running = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig);
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

/** The gauge's samples for one connection, as `state=value`. */
async function gauge(namespace: string, name: string): Promise<string[]> {
  const { values } = await running.metrics.registry.getSingleMetric(PEERING_ACTIVE_METRIC)!.get();
  return values.filter((v) => v.labels.namespace === namespace && v.labels.name === name).map((v) => `${v.labels.state}=${v.value}`);
}

async function peering(namespace: string, name: string): Promise<string> {
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await admin.create(collectionPath(VPC_PEERING_TYPE, namespace), {
    apiVersion: 'ec2.services.k8s.aws/v1alpha1',
    kind: 'VPCPeeringConnection',
    metadata: { name },
    spec: { vpcID: 'vpc-0123456789abcdef0', peerVPCID: 'vpc-0fedcba9876543210', peerRegion: 'us-west-2', acceptRequest: false },
  });
  return objectPath(VPC_PEERING_TYPE, namespace, name);
}

/** What the ec2 controller does after each read: write the connection's state into status. */
async function reportState(path: string, code: string): Promise<void> {
  const current = await admin.get<any>(path);
  await admin.replaceStatus(path, { ...current, status: { ...current.status, status: { code } } });
}

describe('VPC peering health (SPEC S1)', () => {
  test('S1 a connection is 0 until ACK reports it active, 1 while active, 0 with the state when it leaves active', async () => {
    const path = await peering('peering-states', 'payment-analytics-peering');
    expect(await eventually('no state reported yet', async () => ((await gauge('peering-states', 'payment-analytics-peering')).includes('unknown=0') ? true : undefined))).toBe(true);
    await reportState(path, 'pending-acceptance');
    await eventually('pending', async () => ((await gauge('peering-states', 'payment-analytics-peering')).join() === 'pending-acceptance=0' ? true : undefined));
    await reportState(path, 'active');
    await eventually('active', async () => ((await gauge('peering-states', 'payment-analytics-peering')).join() === 'active=1' ? true : undefined));
    await reportState(path, 'deleted');
    expect(await eventually('left active', async () => {
      const samples = await gauge('peering-states', 'payment-analytics-peering');
      return samples.join() === 'deleted=0' ? samples : undefined;
    })).toEqual(['deleted=0']);
  });

  test('S1 the gauge is on /metrics, which the alert rule pages on, and a deleted object leaves no series behind', async () => {
    const path = await peering('peering-delete', 'gone');
    await reportState(path, 'active');
    await eventually('active', async () => ((await gauge('peering-delete', 'gone')).join() === 'active=1' ? true : undefined));
    await admin.delete(path);
    await eventually('series removed', async () => ((await gauge('peering-delete', 'gone')).length === 0 ? true : undefined));
    const { body } = await operatorEndpoint(running.port, '/metrics');
    expect(body).toContain(`# TYPE ${PEERING_ACTIVE_METRIC} gauge`);
    expect(body).not.toContain('namespace="peering-delete"');
  });
});
