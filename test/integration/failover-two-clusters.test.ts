/**
 * One FailoverGroup held by two clusters, one per region (R-O2): two real
 * kube-apiservers, each with its operator, sharing the cross-region lease in
 * dynalite (a local implementation of the DynamoDB API). The test plays ACK in
 * both clusters; RDS and CloudWatch are mocked at the SDK boundary. Exactly
 * one operator acts; when it is gone, the other takes over after the lease
 * expires and does not repeat what was already done in AWS.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CrossRegionLease } from '../../operator/aws/cross-region-lease';
import { ApiClient } from '../../operator/runtime/api-client';
import { ALL_CRDS } from '../support/shared-control-plane';
import { startControlPlane, type ControlPlane } from '../support/control-plane';
import { answerLikeRds, createGroup, groupOf, groupSpec, members, probeUrl } from '../support/failover';
import { eventually, installOperator, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';

const NAMESPACE = 'fog-two';
const TIMING = { durationMs: 4_000, renewDeadlineMs: 2_500 };
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const writers = new Map<string, 'primary' | 'secondary'>();
const failing = new Set<string>([probeUrl(NAMESPACE, 'primary')]);
const prober = { probe: async (url: string) => (failing.has(url) ? `${url}: no answer within 5000 ms` : undefined) };

let store: ReturnType<typeof dynalite>;
const clusters: { controlPlane: ControlPlane; admin: ApiClient; operator?: InProcessOperator; name: string }[] = [];

beforeAll(async () => {
  store = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
  const dynamo = () =>
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${(store.address() as AddressInfo).port}`, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await dynamo().send(new CreateTableCommand({ TableName: 'leases', KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  cloudwatch.on(PutMetricDataCommand).resolves({});
  answerLikeRds(rds, writers);
  for (const name of ['use1', 'use2']) {
    const controlPlane = await startControlPlane({ crdPaths: ALL_CRDS });
    installOperator(controlPlane);
    const admin = new ApiClient(controlPlane.admin.kubeConfig);
    await members(admin, NAMESPACE);
    clusters.push({ controlPlane, admin, name });
  }
  // The first cluster's operator starts first, so it takes the lease.
  for (const cluster of clusters) {
    cluster.operator = await startOperatorInProcess(operatorServiceAccount(cluster.controlPlane).kubeConfig, 'info', {
      prober,
      crossRegionLease: { lease: new CrossRegionLease(dynamo(), 'leases', 'failover', `${cluster.name}/operator`, TIMING), retryMs: 500 },
    });
    await eventually(`${cluster.name} lease attempt`, () => cluster.operator!.logs.some((l) => String(l.msg).startsWith('cross-region lease')) || undefined);
  }
}, 240_000);

afterAll(async () => {
  for (const cluster of clusters) {
    await cluster.operator?.stop();
    await cluster.controlPlane.stop();
  }
  await new Promise<void>((resolve) => store.close(() => resolve()));
}, 60_000);

test('R-O2 two clusters, one group: only the lease holder fails over; when it is gone the other takes over after expiry and repeats nothing in AWS', async () => {
  const [east, west] = clusters;
  const spec = groupSpec(NAMESPACE);
  await createGroup(east.admin, NAMESPACE, spec);
  await createGroup(west.admin, NAMESPACE, spec);

  const eastStatus = await eventually('east failed over', async () => ((await groupOf(east.admin, NAMESPACE)).status?.phase === 'FailedOver' ? (await groupOf(east.admin, NAMESPACE)).status : undefined), 60_000);
  expect(eastStatus!.move).toMatchObject({ kind: 'Unplanned', to: 'secondary' });
  const westReady = await eventually('west on standby', async () => (await groupOf(west.admin, NAMESPACE)).status?.conditions?.find((c) => c.reason === 'Standby'), 30_000);
  expect(westReady.message).toContain('another operator holds the cross-region lease');
  expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);

  // The east region's cluster is lost with its operator.
  await east.operator!.stop();
  const westStatus = await eventually('west took over', async () => ((await groupOf(west.admin, NAMESPACE)).status?.phase === 'FailedOver' ? (await groupOf(west.admin, NAMESPACE)).status : undefined), 60_000);
  expect(westStatus!.move!.steps.find((s) => s.name === 'failover-database')).toMatchObject({ detail: 'already under way or done' });
  expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  expect(west.operator!.logs.some((l) => l.msg === 'cross-region lease acquired: acting on FailoverGroups')).toBe(true);
}, 120_000);
