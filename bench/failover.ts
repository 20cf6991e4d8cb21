/**
 * `npm run bench:failover`: the FailoverGroup controller against a real
 * kube-apiserver + etcd (the test harness's), in-process, with the S5
 * defaults (probes every 10 s, 3 failures) unless BENCH_INTERVAL_SECONDS /
 * BENCH_THRESHOLD say otherwise. AWS is mocked at the SDK boundary
 * (aws-sdk-client-mock): what is measured is the controller, not AWS.
 *
 * 1. Steady state: a healthy group for BENCH_QUIET_SECONDS (default 30): the
 *    operator's write requests to the Kubernetes API (goal: 0) and its AWS
 *    calls (the traffic-control metric, published every round).
 * 2. The primary's probe starts failing: time to detection (the decision),
 *    to traffic moved (the old primary taken out of DNS) and to the move
 *    completed (the DR writer promoted).
 *
 * Numbers are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { join } from 'node:path';
import { ackCrdsDir, REPO_ROOT } from '../lib/paths';
import { ApiClient } from '../operator/runtime/api-client';
import { startControlPlane } from '../test/support/control-plane';
import { answerLikeRds, createGroup, groupOf, groupSpec, members, probeUrl } from '../test/support/failover';
import { counter, eventually, installOperator, operatorServiceAccount, startOperatorInProcess } from '../test/support/operator';

const INTERVAL = Number(process.env.BENCH_INTERVAL_SECONDS ?? 10);
const THRESHOLD = Number(process.env.BENCH_THRESHOLD ?? 3);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 30);
const NAMESPACE = 'bench-failover';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
cloudwatch.on(PutMetricDataCommand).resolves({});
answerLikeRds(rds, new Map());
const failing = new Set<string>();
const prober = { probe: async (url: string) => (failing.has(url) ? `${url}: no answer` : undefined) };
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const writes = async (metrics: Parameters<typeof counter>[0]) =>
  (await counter(metrics, 'rest_client_requests_total', { verb: 'PUT' })) + (await counter(metrics, 'rest_client_requests_total', { verb: 'PATCH' })) + (await counter(metrics, 'rest_client_requests_total', { verb: 'POST' }));

console.log(`failover benchmark: probes every ${INTERVAL} s, ${THRESHOLD} failures to fail over`);
const controlPlane = await startControlPlane({ crdPaths: [ackCrdsDir(), join(REPO_ROOT, 'dist', 'operator', 'crds.k8s.yaml')] });
try {
  installOperator(controlPlane);
  const admin = new ApiClient(controlPlane.admin.kubeConfig);
  await members(admin, NAMESPACE);
  const operator = await startOperatorInProcess(operatorServiceAccount(controlPlane).kubeConfig, 'info', { prober });
  await createGroup(admin, NAMESPACE, groupSpec(NAMESPACE, { failureThreshold: THRESHOLD, probeIntervalSeconds: INTERVAL }));
  await eventually('healthy', async () => (await groupOf(admin, NAMESPACE)).status?.phase === 'Healthy', 60_000);
  await new Promise((resolve) => setTimeout(resolve, INTERVAL * 1000 + 1000)); // let the first status writes settle

  const writesBefore = await writes(operator.metrics);
  const publishedBefore = cloudwatch.commandCalls(PutMetricDataCommand).length;
  await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
  console.log(`  steady state, ${QUIET_SECONDS} s: Kubernetes write requests ${(await writes(operator.metrics)) - writesBefore}, traffic-control publications ${cloudwatch.commandCalls(PutMetricDataCommand).length - publishedBefore}`);

  const failedAt = performance.now();
  failing.add(probeUrl(NAMESPACE, 'primary'));
  const status = await eventually('failed over', async () => {
    const group = await groupOf(admin, NAMESPACE);
    return group.status?.phase === 'FailedOver' ? group.status : undefined;
  }, 600_000);
  const completedMs = performance.now() - failedAt;
  const move = status.move!;
  const at = (iso?: string) => (iso ? Date.parse(iso) : NaN);
  const trafficMoved = move.steps.find((s) => s.name === 'take-out-source')?.completedAt;
  console.log(`  first failed probe to detection (decision):  ${move.detectionSeconds?.toFixed(1)} s (threshold ${THRESHOLD} × ${INTERVAL} s rounds)`);
  console.log(`  detection to traffic moved (DNS input set):  ${seconds(at(trafficMoved) - at(move.detectedAt))}`);
  console.log(`  first failed probe to move completed (RTO):  ${move.rtoSeconds?.toFixed(1)} s (wall clock from the first failing round: ${seconds(completedMs)})`);
  await operator.stop();
} finally {
  await controlPlane.stop();
}
console.log('done');
