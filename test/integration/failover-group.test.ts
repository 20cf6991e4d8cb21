/**
 * The FailoverGroup controller (R-O2) against a real kube-apiserver with the
 * ACK CRDs: the test plays the ACK controllers by writing their status, AWS
 * is mocked at the SDK boundary with aws-sdk-client-mock (the SDK's standard
 * test tool: the adapters' requests are asserted exactly), and the HTTPS
 * probes are scripted per URL. Each test has its own namespace and group.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CopyDBClusterSnapshotCommand, DescribeDBClusterSnapshotsCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { HttpMethod } from '@kubernetes/client-node';
import { ApiClient, objectPath } from '../../operator/runtime/api-client';
import { FAILOVER_GROUP_TYPE, type FailoverGroupSpec } from '../../operator/failover-group/crd';
import { MEMBER_TYPES } from '../../operator/failover-group/members';
import { ackMember, answerLikeRds, arnOf, createGroup, groupOf, groupSpec, members, probeUrl } from '../support/failover';
import { counter, eventually, installOperator, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';
import { kubectl, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane();
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const route53 = mockClient(Route53Client);
const failing = new Set<string>();
const prober = { probe: async (url: string) => (failing.has(url) ? `${url}: no answer within 5000 ms` : undefined) };

let admin: ApiClient;
let running: InProcessOperator;
/** Which side's cluster is the writer, per namespace, as RDS would report it. */
const writers = new Map<string, 'primary' | 'secondary'>();

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  running = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig, 'debug', { prober });
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  route53.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
  // AWS's health inputs, all quiet unless a test says otherwise.
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  route53.on(GetHealthCheckStatusCommand).resolves({ HealthCheckObservations: [] });
  answerLikeRds(rds, writers);
  rds.on(CopyDBClusterSnapshotCommand).resolves({});
});

const group = (namespace: string) => groupOf(admin, namespace);
const eventsOf = async (namespace: string) => (await admin.list<any>(`/api/v1/namespaces/${namespace}/events`)).items.map((e) => e.reason as string);
const published = (control: string) => cloudwatch.commandCalls(PutMetricDataCommand).filter((c) => c.args[0].input.MetricData![0].Dimensions![0].Value === control).map((c) => c.args[0].input.MetricData![0].Value);

describe('FailoverGroup (R-O2)', () => {
  test('R-O2 the primary failing its probe: automatic unplanned failover, DNS moved through the control metrics, the DR writer promoted, status and Events', async () => {
    const ns = 'fog-auto';
    await members(admin, ns);
    rds.on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: `${ns}-primary` }).resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: `rds:unplanned-global-failover-${ns}-primary-1` }] });
    failing.add(probeUrl(ns, 'primary'));
    await createGroup(admin, ns, groupSpec(ns));
    const status = await eventually('failed over', async () => ((await group(ns)).status?.phase === 'FailedOver' ? (await group(ns)).status : undefined), 60_000);
    expect(status).toMatchObject({ activeSide: 'secondary', activeRegion: 'us-east-2', primaryHealthy: false, secondaryHealthy: true });
    expect(status!.move).toMatchObject({ trigger: 'Automatic', kind: 'Unplanned', from: 'primary', to: 'secondary' });
    expect(status!.move!.steps.map((s) => [s.name, Boolean(s.completedAt)])).toEqual([
      ['bring-in-target', true],
      ['take-out-source', true],
      ['failover-database', true],
      ['wait-database', true],
    ]);
    expect(status!.move!.rtoSeconds).toBeGreaterThanOrEqual(0);
    expect(rds.commandCalls(FailoverGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: ns, TargetDbClusterIdentifier: arnOf(ns, 'secondary', 'us-east-2'), AllowDataLoss: true },
    ]);
    // The secondary always serves; the primary is taken out, and every later round holds it out
    // (a round before the members were cached may have published the steady state first).
    expect([...new Set(published(`${ns}-secondary`))]).toEqual([1]);
    const takenOut = published(`${ns}-primary`).indexOf(0);
    expect(takenOut).toBeGreaterThanOrEqual(0);
    await eventually('held', async () => (published(`${ns}-primary`).length >= takenOut + 2 ? true : undefined), 30_000);
    expect([...new Set(published(`${ns}-primary`).slice(takenOut))]).toEqual([0]);
    await eventually('events', async () => ((await eventsOf(ns)).includes('MoveCompleted') ? true : undefined));
    const moves = await counter(running.metrics, 'ack_systems_failover_moves_total', { namespace: ns, kind: 'Unplanned', trigger: 'Automatic' });
    expect(moves).toBe(1);
    // The writes not replicated: the old primary's snapshot, recorded once its region answers.
    const recorded = await eventually('snapshot recorded', async () => (await group(ns)).status?.move?.lostWritesSnapshot, 30_000);
    expect(recorded).toBe(`rds:unplanned-global-failover-${ns}-primary-1`);
    // ... and, by the default policy, copied to a manual snapshot that its retention does not delete.
    expect((await group(ns)).status?.move?.lostWritesCopy).toBe(`lost-writes-${ns}-primary-1`);
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      { SourceDBClusterSnapshotIdentifier: recorded, TargetDBClusterSnapshotIdentifier: `lost-writes-${ns}-primary-1`, CopyTags: true },
    ]);
    await eventually('snapshot event', async () => ((await eventsOf(ns)).includes('LostWritesSnapshot') ? true : undefined));
    expect(await eventsOf(ns)).toEqual(expect.arrayContaining(['MoveStarted', 'StepCompleted', 'MoveCompleted']));
    failing.delete(probeUrl(ns, 'primary'));
  }, 90_000);

  test('R-O2 Route 53\'s checkers failing the primary\'s health check start an automatic failover; the lag read within the RPO is the expected data loss', async () => {
    const ns = 'fog-route53';
    await members(admin, ns);
    for (const side of ['primary', 'secondary']) await ackMember(admin, MEMBER_TYPES.healthCheck, ns, `hc-${side}`, { healthCheckConfig: { type: 'HTTPS', fullyQualifiedDomainName: `${side}.example.com`, port: 443 } }, { id: `${ns}-${side}` });
    route53.on(GetHealthCheckStatusCommand, { HealthCheckId: `${ns}-primary` }).resolves({ HealthCheckObservations: Array(8).fill({ StatusReport: { Status: 'Failure: HTTP Status Code 503, Service Unavailable' } }) });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag0', Values: [2500] }] });
    const spec: any = groupSpec(ns, { maxReplicationLagSeconds: 10 });
    spec.primary.healthCheck = { name: 'hc-primary' };
    spec.secondary.healthCheck = { name: 'hc-secondary' };
    await createGroup(admin, ns, spec);
    const status = await eventually('failed over', async () => ((await group(ns)).status?.phase === 'FailedOver' ? (await group(ns)).status : undefined), 60_000);
    expect(status!.move).toMatchObject({ trigger: 'Automatic', kind: 'Unplanned', expectedDataLossSeconds: 2.5 });
    expect(status!.members).toContainEqual({ side: 'primary', member: 'healthCheck hc-primary', healthy: false, reason: 'healthCheck hc-primary: 0 of 8 Route 53 checkers report success; e.g. Failure: HTTP Status Code 503, Service Unavailable' });
    // The lag was asked of the secondary's region, where Aurora publishes it, for the secondary cluster.
    const lagQuery = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries![0].MetricStat!.Metric!.Dimensions![0].Value);
    expect(new Set(lagQuery)).toContain(`${ns}-secondary`);
  }, 90_000);

  test('R-O2 a side\'s alarm in ALARM makes it unhealthy with CloudWatch\'s reason; an input AWS does not answer counts neither way', async () => {
    const ns = 'fog-alarms';
    await members(admin, ns);
    await ackMember(admin, MEMBER_TYPES.alarm, ns, 'errors-secondary', { name: `${ns}-secondary-errors` });
    cloudwatch.on(DescribeAlarmsCommand, { AlarmNames: [`${ns}-secondary-errors`] }).resolves({ MetricAlarms: [{ AlarmName: `${ns}-secondary-errors`, StateValue: 'ALARM', StateReason: 'Threshold Crossed: 12 errors' }] });
    const spec: any = groupSpec(ns, { failover: 'Manual' });
    spec.secondary.alarms = [{ name: 'errors-secondary' }];
    await createGroup(admin, ns, spec);
    const degraded = await eventually('degraded', async () => ((await group(ns)).status?.phase === 'Degraded' ? (await group(ns)).status : undefined), 60_000);
    expect(degraded!.members).toContainEqual({ side: 'secondary', member: 'alarm errors-secondary', healthy: false, reason: 'alarm errors-secondary: ALARM: Threshold Crossed: 12 errors' });
    expect(degraded!.observedGeneration).toBe(1);
    const phaseEvents = async () => (await admin.list<any>(`/api/v1/namespaces/${ns}/events`)).items.filter((e) => e.reason === 'PhaseChanged').map((e) => `${e.type} → ${e.message.split(':')[0].split(' → ')[1]}`);
    await eventually('phase event', async () => ((await phaseEvents()).includes('Warning → Degraded') ? true : undefined));
    // CloudWatch refusing the read: no verdict from it, so the secondary is judged by what remains (healthy), and the operator says so in its log.
    cloudwatch.on(DescribeAlarmsCommand, { AlarmNames: [`${ns}-secondary-errors`] }).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await eventually('healthy', async () => (await group(ns)).status?.phase === 'Healthy', 60_000);
    await eventually('phase event', async () => ((await phaseEvents()).includes('Normal → Healthy') ? true : undefined));
    const unread = running.logs.find((line) => line.msg === 'AWS health inputs not read: they count neither way this round' && line.group === `${ns}/payments`);
    expect(unread).toMatchObject({ unread: 'secondary CloudWatch alarm states: AccessDenied' });
  }, 90_000);

  test('R-O2 an unhealthy secondary: Blocked with the reason; nothing is called', async () => {
    const ns = 'fog-blocked';
    await members(admin, ns);
    failing.add(probeUrl(ns, 'primary'));
    failing.add(probeUrl(ns, 'secondary'));
    await createGroup(admin, ns, groupSpec(ns));
    const status = await eventually('blocked', async () => ((await group(ns)).status?.phase === 'Blocked' ? (await group(ns)).status : undefined), 60_000);
    expect(status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Blocked', message: expect.stringContaining('the secondary side is not healthy') });
    expect(status!.move).toBeUndefined();
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    // Only the steady state is published: both sides may serve; nothing was taken out.
    expect([...new Set(published(`${ns}-primary`))]).toEqual([1]);
    failing.delete(probeUrl(ns, 'primary'));
    failing.delete(probeUrl(ns, 'secondary'));
  }, 90_000);

  test('R-O2 unplanned without allowDataLoss: Blocked saying which policy to change', async () => {
    const ns = 'fog-no-loss';
    await members(admin, ns);
    failing.add(probeUrl(ns, 'primary'));
    await createGroup(admin, ns, groupSpec(ns, { allowDataLoss: false }));
    const status = await eventually('blocked', async () => ((await group(ns)).status?.phase === 'Blocked' ? (await group(ns)).status : undefined), 60_000);
    expect(status!.conditions![0].message).toContain('set policy.allowDataLoss');
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    failing.delete(probeUrl(ns, 'primary'));
  }, 90_000);

  test('R-O2 a drill: a planned request switches the writer over and swaps the records under the operator\'s field manager; re-applying the records does not undo it', async () => {
    const ns = 'fog-drill';
    await members(admin, ns);
    await createGroup(admin, ns, groupSpec(ns, { failover: 'Manual' }, { request: { action: 'Failover', id: 'drill-1' } } as Partial<FailoverGroupSpec>));
    const status = await eventually('drilled', async () => ((await group(ns)).status?.phase === 'FailedOver' ? (await group(ns)).status : undefined), 60_000);
    expect(status).toMatchObject({ handledRequest: 'drill-1', move: { trigger: 'Request', kind: 'Planned' } });
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([{ GlobalClusterIdentifier: ns, TargetDbClusterIdentifier: arnOf(ns, 'secondary', 'us-east-2') }]);
    const record = async (side: string) => admin.get<any>(objectPath(MEMBER_TYPES.recordSet, ns, `rec-${side}`));
    expect((await record('primary')).spec).toMatchObject({ failover: 'PRIMARY', aliasTarget: { dnsName: 'd-secondary.execute-api.us-east-2.amazonaws.com' }, healthCheckRef: { from: { name: 'hc-secondary' } } });
    expect((await record('secondary')).spec).toMatchObject({ failover: 'SECONDARY', aliasTarget: { dnsName: 'd-primary.execute-api.us-east-1.amazonaws.com' } });
    // A GitOps re-sync (server-side apply without force, as Argo CD's ServerSideApply does) conflicts instead of reverting.
    const reapply = kubectl(controlPlane(), ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'route53.services.k8s.aws/v1alpha1',
        kind: 'RecordSet',
        metadata: { name: 'rec-primary', namespace: ns },
        spec: { recordType: 'A', name: 'api.example.com.', setIdentifier: 'primary', failover: 'PRIMARY', aliasTarget: { dnsName: 'd-primary.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: true } },
      }),
    });
    expect(reapply.status).not.toBe(0);
    expect(reapply.stderr).toContain('conflict');
    expect((await record('primary')).spec.aliasTarget.dnsName).toBe('d-secondary.execute-api.us-east-2.amazonaws.com');
  }, 90_000);

  test('R-O2 a move interrupted between steps is continued by the next reconcile without repeating a completed step', async () => {
    const ns = 'fog-resume';
    await members(admin, ns);
    writers.set(ns, 'secondary'); // the failover call had gone through before the interruption
    await createGroup(admin, ns, groupSpec(ns, { failover: 'Manual' }));
    const started = new Date().toISOString();
    const move = {
      id: 'auto-earlier',
      trigger: 'Automatic',
      kind: 'Unplanned',
      from: 'primary',
      to: 'secondary',
      startedAt: started,
      steps: [
        { name: 'bring-in-target', startedAt: started, completedAt: started },
        { name: 'take-out-source', startedAt: started, completedAt: started },
        { name: 'failover-database', startedAt: started, completedAt: started },
      ],
    };
    await admin.request(HttpMethod.PATCH, `${objectPath(FAILOVER_GROUP_TYPE, ns, 'payments')}/status`, { body: { status: { move, phase: 'FailingOver' } }, contentType: 'application/merge-patch+json' });
    const status = await eventually('resumed', async () => ((await group(ns)).status?.phase === 'FailedOver' ? (await group(ns)).status : undefined), 60_000);
    expect(status!.move!.steps.map((s) => s.name)).toEqual(['bring-in-target', 'take-out-source', 'failover-database', 'wait-database']);
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  }, 90_000);

  test('R-O2 freeze: an outage is reported, nothing is done', async () => {
    const ns = 'fog-frozen';
    await members(admin, ns);
    failing.add(probeUrl(ns, 'primary'));
    await createGroup(admin, ns, groupSpec(ns, {}, { freeze: true }));
    const status = await eventually('frozen', async () => ((await group(ns)).status?.phase === 'Frozen' ? (await group(ns)).status : undefined), 60_000);
    expect(status!.primaryHealthy).toBe(false);
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    failing.delete(probeUrl(ns, 'primary'));
  }, 90_000);

  test.each([
    ['the same region twice', (spec: any) => (spec.secondary.region = 'us-east-1'), 'primary and secondary must be in different regions'],
    ['a threshold below 1', (spec: any) => (spec.policy.failureThreshold = 0), 'spec.policy.failureThreshold'],
    ['one side\'s database only', (spec: any) => delete spec.secondary.dbCluster, "globalCluster and both sides' dbCluster go together"],
    [
      'no way to see health',
      (spec: any) => {
        for (const side of [spec.primary, spec.secondary]) (side.probes = []), delete side.dbCluster;
        delete spec.globalCluster;
      },
      'name probes, health checks, alarms or database clusters',
    ],
  ])('R-O2 R-O4 CEL and schema reject %s', async (_, edit, message) => {
    const spec: any = groupSpec('cel');
    edit(spec);
    const result = kubectl(controlPlane(), ['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'ack-systems.io/v1alpha1', kind: 'FailoverGroup', metadata: { name: 'bad', namespace: 'default' }, spec }),
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
