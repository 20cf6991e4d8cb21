/**
 * The ACK-gap controllers (R-O7) against a real kube-apiserver with the ACK
 * CRDs: the test plays the ACK controllers by writing the status of the
 * objects referenced (synced, with an ARN), and AWS is mocked at the SDK
 * boundary with aws-sdk-client-mock, answering from a small state of
 * associations, trails and policies so that the controllers' reads see their
 * own writes. Each test has its own namespace.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { AutoScalingClient, DeletePolicyCommand, DescribePoliciesCommand, PutScalingPolicyCommand, type ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { HttpMethod } from '@kubernetes/client-node';
import { ApiClient, collectionPath, objectPath, type ResourceType } from '../../operator/runtime/api-client';
import { ACK_TYPES, TARGET_TRACKING_POLICY, TRAIL_LOGGING, WEB_ACL_ASSOCIATION } from '../../operator/aws-gaps/crd';
import { ACK_CONDITIONS, GAP_FINALIZER } from '../../operator/aws-gaps/gap';
import { ackMember, writeAckStatus } from '../support/failover';
import { eventually, installOperator, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';
import { useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane();
const waf = mockClient(WAFV2Client);
const cloudtrail = mockClient(CloudTrailClient);
const autoscaling = mockClient(AutoScalingClient);
const ACCOUNT = '123456789012';

/** AWS as the mocks answer it: load balancer → web ACL, trail → logging, `<group>/<policy>` → policy. */
const associations = new Map<string, string>();
const logging = new Map<string, boolean>();
const policies = new Map<string, ScalingPolicy>();

let admin: ApiClient;
let running: InProcessOperator;

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  running = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig, 'debug');
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

beforeEach(() => {
  for (const mock of [waf, cloudtrail, autoscaling]) mock.reset();
  associations.clear();
  logging.clear();
  policies.clear();
  waf.on(GetWebACLForResourceCommand).callsFake(({ ResourceArn }) => ({ WebACL: associations.has(ResourceArn) ? { ARN: associations.get(ResourceArn), Name: 'acl', Id: 'id' } : undefined }));
  waf.on(AssociateWebACLCommand).callsFake(({ WebACLArn, ResourceArn }) => { associations.set(ResourceArn, WebACLArn); return {}; });
  waf.on(DisassociateWebACLCommand).callsFake(({ ResourceArn }) => { associations.delete(ResourceArn); return {}; });
  cloudtrail.on(GetTrailStatusCommand).callsFake(({ Name }) => ({ IsLogging: logging.get(Name) ?? false }));
  cloudtrail.on(StartLoggingCommand).callsFake(({ Name }) => { logging.set(Name, true); return {}; });
  cloudtrail.on(StopLoggingCommand).callsFake(({ Name }) => { logging.set(Name, false); return {}; });
  autoscaling.on(DescribePoliciesCommand).callsFake(({ AutoScalingGroupName, PolicyNames }) => ({
    ScalingPolicies: [policies.get(`${AutoScalingGroupName}/${PolicyNames[0]}`)].filter(Boolean),
  }));
  autoscaling.on(PutScalingPolicyCommand).callsFake((input) => {
    const arn = `arn:aws:autoscaling:ap-south-1:${ACCOUNT}:scalingPolicy:0f0e:autoScalingGroupName/${input.AutoScalingGroupName}:policyName/${input.PolicyName}`;
    policies.set(`${input.AutoScalingGroupName}/${input.PolicyName}`, { ...input, PolicyARN: arn });
    return { PolicyARN: arn };
  });
  autoscaling.on(DeletePolicyCommand).callsFake(({ AutoScalingGroupName, PolicyName }) => { policies.delete(`${AutoScalingGroupName}/${PolicyName}`); return {}; });
});

const lbArn = (name: string) => `arn:aws:elasticloadbalancing:ap-south-1:${ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`;
const aclArn = (name: string) => `arn:aws:wafv2:ap-south-1:${ACCOUNT}:regional/webacl/${name}/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
const trailArn = (name: string) => `arn:aws:cloudtrail:ap-south-1:${ACCOUNT}:trail/${name}`;
const asgArn = (name: string) => `arn:aws:autoscaling:ap-south-1:${ACCOUNT}:autoScalingGroup:6d2c:autoScalingGroupName/${name}`;

/** What ACK writes once the resource exists in AWS. */
const synced = (arn: string) => ({
  ackResourceMetadata: { arn, ownerAccountID: ACCOUNT, region: 'ap-south-1' },
  conditions: [{ type: ACK_CONDITIONS.synced, status: 'True', lastTransitionTime: new Date().toISOString() }],
});

async function namespace(name: string): Promise<string> {
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const webAcl = (ns: string, name: string, status?: object) =>
  ackMember(admin, ACK_TYPES.webACL, ns, name, { name, scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name } }, status);
const loadBalancer = (ns: string, name: string, status?: object) => ackMember(admin, ACK_TYPES.loadBalancer, ns, name, { name, type: 'application' }, status);
const trail = (ns: string, name: string) => ackMember(admin, ACK_TYPES.trail, ns, name, { name, s3BucketName: 'audit' }, synced(trailArn(name)));
const group = (ns: string, name: string) => ackMember(admin, ACK_TYPES.autoScalingGroup, ns, name, { name, minSize: 2, maxSize: 6 }, synced(asgArn(name)));

async function create(type: ResourceType, ns: string, name: string, spec: object, annotations?: Record<string, string>) {
  await admin.create(collectionPath(type, ns), { apiVersion: `${type.group}/${type.version}`, kind: type.kind, metadata: { name, namespace: ns, annotations }, spec } as never);
}
const read = (type: ResourceType, ns: string, name: string) => admin.get<any>(objectPath(type, ns, name));
const conditionOf = async (type: ResourceType, ns: string, name: string, conditionType: string) => ((await read(type, ns, name)).status?.conditions ?? []).find((c: any) => c.type === conditionType);
const eventReasons = async (ns: string) => (await admin.list<any>(`/api/v1/namespaces/${ns}/events`)).items.map((e) => `${e.reason}: ${e.message}`);
const gone = async (type: ResourceType, ns: string, name: string) => {
  try {
    await read(type, ns, name);
    return false;
  } catch {
    return true;
  }
};
const syncedTrue = (type: ResourceType, ns: string, name: string) => eventually(`${type.kind} ${name} synced`, async () => (await conditionOf(type, ns, name, ACK_CONDITIONS.synced))?.status === 'True');

describe('WebACLAssociation (R-O7)', () => {
  test('R-O7 waits, saying why, until the referenced load balancer is synced, then associates the web ACL with it', async () => {
    const ns = await namespace('gap-waf-wait');
    await webAcl(ns, 'web-acl', synced(aclArn('web-acl')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'web-acl' }, loadBalancerRef: { name: 'alb' } });

    const missing = await eventually('waiting for a missing load balancer', async () => (await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.referencesResolved)) ?? false);
    expect(missing).toMatchObject({ status: 'False', reason: 'ReferenceNotReady', message: 'LoadBalancer alb not found' });
    await loadBalancer(ns, 'alb');
    await eventually('waiting for the load balancer to sync', async () => (await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.referencesResolved))?.message === 'LoadBalancer alb is not synced yet');
    expect(waf.commandCalls(AssociateWebACLCommand)).toHaveLength(0);

    await writeAckStatus(admin, ACK_TYPES.loadBalancer, ns, 'alb', synced(lbArn('alb')));
    await syncedTrue(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf');
    expect(waf.commandCalls(AssociateWebACLCommand).map((c) => c.args[0].input)).toEqual([{ WebACLArn: aclArn('web-acl'), ResourceArn: lbArn('alb') }]);
    const object = await read(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf');
    expect(object.status).toMatchObject({ webACLARN: aclArn('web-acl'), resourceARN: lbArn('alb') });
    expect(object.metadata.finalizers).toContain(GAP_FINALIZER);
    expect(await eventReasons(ns)).toContainEqual(`Synced: associated web ACL ${aclArn('web-acl')} with ${lbArn('alb')}`);
  });

  test('R-O7 a different web ACL in the spec replaces the association, and deleting the object disassociates it', async () => {
    const ns = await namespace('gap-waf-update');
    await webAcl(ns, 'first', synced(aclArn('first')));
    await webAcl(ns, 'second', synced(aclArn('second')));
    await loadBalancer(ns, 'alb', synced(lbArn('alb')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'first' }, loadBalancerRef: { name: 'alb' } });
    await eventually('first associated', () => associations.get(lbArn('alb')) === aclArn('first'));

    await admin.request(HttpMethod.PATCH, objectPath(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf'), { body: { spec: { webACLRef: { name: 'second' } } }, contentType: 'application/merge-patch+json' });
    await eventually('second associated', async () => (await read(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf')).status?.webACLARN === aclArn('second'));
    expect(associations.get(lbArn('alb'))).toBe(aclArn('second'));
    expect(await eventReasons(ns)).toContainEqual(`Synced: associated web ACL ${aclArn('second')} with ${lbArn('alb')} (replacing ${aclArn('first')})`);

    await admin.delete(objectPath(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf'));
    await eventually('object deleted', () => gone(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf'));
    expect(waf.commandCalls(DisassociateWebACLCommand).map((c) => c.args[0].input)).toEqual([{ ResourceArn: lbArn('alb') }]);
    expect(associations.has(lbArn('alb'))).toBe(false);
  });

  test('R-O7 with deletion-policy retain, deleting the object leaves the association in AWS', async () => {
    const ns = await namespace('gap-waf-retain');
    await webAcl(ns, 'web-acl', synced(aclArn('web-acl')));
    await loadBalancer(ns, 'alb', synced(lbArn('alb')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'web-acl' }, loadBalancerRef: { name: 'alb' } }, { 'services.k8s.aws/deletion-policy': 'retain' });
    await syncedTrue(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf');

    await admin.delete(objectPath(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf'));
    await eventually('object deleted', () => gone(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf'));
    expect(waf.commandCalls(DisassociateWebACLCommand)).toHaveLength(0);
    expect(associations.get(lbArn('alb'))).toBe(aclArn('web-acl'));
    expect((await eventReasons(ns)).some((e) => e.startsWith('Retained: deletion-policy retain'))).toBe(true);
  });

  test('R-O7 AWS throttling is retried with backoff (ACK.Recoverable meanwhile) until the association is made', async () => {
    const ns = await namespace('gap-waf-throttled');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    waf.on(AssociateWebACLCommand).rejectsOnce(throttled).rejectsOnce(throttled).callsFake(({ WebACLArn, ResourceArn }) => { associations.set(ResourceArn, WebACLArn); return {}; });
    await webAcl(ns, 'web-acl', synced(aclArn('web-acl')));
    await loadBalancer(ns, 'alb', synced(lbArn('alb')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'web-acl' }, loadBalancerRef: { name: 'alb' } });

    await syncedTrue(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf');
    expect(waf.commandCalls(AssociateWebACLCommand)).toHaveLength(3);
    expect(await eventReasons(ns)).toContainEqual('Recoverable: ThrottlingException: Rate exceeded (retrying with backoff)');
    expect(await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.recoverable)).toBeUndefined();
  });

  test('R-O7 access denied is Terminal with AWS\'s message, and is not retried', async () => {
    const ns = await namespace('gap-waf-denied');
    waf.on(AssociateWebACLCommand).rejects(Object.assign(new Error('User is not authorized to perform: wafv2:AssociateWebACL'), { name: 'AccessDeniedException' }));
    await webAcl(ns, 'web-acl', synced(aclArn('web-acl')));
    await loadBalancer(ns, 'alb', synced(lbArn('alb')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'web-acl' }, loadBalancerRef: { name: 'alb' } });

    const terminal = await eventually('Terminal', async () => (await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.terminal)) ?? false);
    expect(terminal).toMatchObject({ status: 'True', message: 'AccessDeniedException: User is not authorized to perform: wafv2:AssociateWebACL' });
    expect(await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.synced)).toMatchObject({ status: 'False', reason: 'Terminal' });
    // The reconcile that found it asked for the next look only at the resync: one call, not a hot loop.
    const outcome = await eventually('the reconcile outcome', () => running.logs.find((l) => l.msg === 'reconciled' && l.key === `${ns}/alb-waf` && l.requeueAfterMs !== undefined));
    expect(outcome.requeueAfterMs).toBe(10 * 60_000);
    expect(waf.commandCalls(AssociateWebACLCommand)).toHaveLength(1);
  });

  test('R-O7 a referenced object that is ACK.Terminal is reported, and nothing is called', async () => {
    const ns = await namespace('gap-waf-terminal-ref');
    await webAcl(ns, 'web-acl', { conditions: [{ type: ACK_CONDITIONS.terminal, status: 'True', message: 'WAFInvalidParameterException: bad rule', lastTransitionTime: new Date().toISOString() }] });
    await loadBalancer(ns, 'alb', synced(lbArn('alb')));
    await create(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', { webACLRef: { name: 'web-acl' }, loadBalancerRef: { name: 'alb' } });
    const waiting = await eventually('reported', async () => (await conditionOf(WEB_ACL_ASSOCIATION.type, ns, 'alb-waf', ACK_CONDITIONS.referencesResolved)) ?? false);
    expect(waiting.message).toBe('WebACL web-acl is ACK.Terminal: WAFInvalidParameterException: bad rule');
    expect(waf.commandCalls(GetWebACLForResourceCommand)).toHaveLength(0);
  });
});

describe('TrailLogging (R-O7)', () => {
  test('R-O7 starts a stopped trail once the trail is synced, and stops it on delete because it started it', async () => {
    const ns = await namespace('gap-trail-start');
    await trail(ns, 'audit');
    await create(TRAIL_LOGGING.type, ns, 'audit', { trailRef: { name: 'audit' } });
    await syncedTrue(TRAIL_LOGGING.type, ns, 'audit');
    expect(cloudtrail.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: trailArn('audit') }]);
    expect((await read(TRAIL_LOGGING.type, ns, 'audit')).status).toMatchObject({ trailARN: trailArn('audit'), isLogging: true, startedLogging: true });

    await admin.delete(objectPath(TRAIL_LOGGING.type, ns, 'audit'));
    await eventually('object deleted', () => gone(TRAIL_LOGGING.type, ns, 'audit'));
    expect(cloudtrail.commandCalls(StopLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: trailArn('audit') }]);
    expect(logging.get(trailArn('audit'))).toBe(false);
  });

  test('R-O7 a trail that already logs is left logging when the object is deleted', async () => {
    const ns = await namespace('gap-trail-already');
    logging.set(trailArn('audit'), true);
    await trail(ns, 'audit');
    await create(TRAIL_LOGGING.type, ns, 'audit', { trailRef: { name: 'audit' } });
    await syncedTrue(TRAIL_LOGGING.type, ns, 'audit');
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect((await read(TRAIL_LOGGING.type, ns, 'audit')).status).toMatchObject({ isLogging: true, startedLogging: false });

    await admin.delete(objectPath(TRAIL_LOGGING.type, ns, 'audit'));
    await eventually('object deleted', () => gone(TRAIL_LOGGING.type, ns, 'audit'));
    expect(cloudtrail.commandCalls(StopLoggingCommand)).toHaveLength(0);
  });
});

describe('TargetTrackingPolicy (R-O7)', () => {
  test('R-O7 creates the CPU policy on the referenced group, updates it when the target changes, and deletes it with the object', async () => {
    const ns = await namespace('gap-scaling');
    await group(ns, 'app');
    await create(TARGET_TRACKING_POLICY.type, ns, 'app-cpu', { autoScalingGroupRef: { name: 'app' }, targetValue: 70 });
    await syncedTrue(TARGET_TRACKING_POLICY.type, ns, 'app-cpu');
    expect(autoscaling.commandCalls(PutScalingPolicyCommand).map((c) => c.args[0].input)).toEqual([
      {
        AutoScalingGroupName: 'app',
        PolicyName: 'app-cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 70, DisableScaleIn: false },
      },
    ]);
    const arn = `arn:aws:autoscaling:ap-south-1:${ACCOUNT}:scalingPolicy:0f0e:autoScalingGroupName/app:policyName/app-cpu`;
    expect((await read(TARGET_TRACKING_POLICY.type, ns, 'app-cpu')).status.policyARN).toBe(arn);

    await admin.request(HttpMethod.PATCH, objectPath(TARGET_TRACKING_POLICY.type, ns, 'app-cpu'), { body: { spec: { targetValue: 60 } }, contentType: 'application/merge-patch+json' });
    await eventually('updated', () => policies.get('app/app-cpu')?.TargetTrackingConfiguration?.TargetValue === 60);
    expect(autoscaling.commandCalls(PutScalingPolicyCommand)).toHaveLength(2);

    await admin.delete(objectPath(TARGET_TRACKING_POLICY.type, ns, 'app-cpu'));
    await eventually('object deleted', () => gone(TARGET_TRACKING_POLICY.type, ns, 'app-cpu'));
    expect(autoscaling.commandCalls(DeletePolicyCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: 'app', PolicyName: 'app-cpu' }]);
    expect(policies.size).toBe(0);
  });

  test('R-O7 with deletion-policy retain, the policy stays in AWS', async () => {
    const ns = await namespace('gap-scaling-retain');
    await group(ns, 'app');
    await create(TARGET_TRACKING_POLICY.type, ns, 'app-cpu', { autoScalingGroupRef: { name: 'app' }, targetValue: 70 }, { 'services.k8s.aws/deletion-policy': 'retain' });
    await syncedTrue(TARGET_TRACKING_POLICY.type, ns, 'app-cpu');
    await admin.delete(objectPath(TARGET_TRACKING_POLICY.type, ns, 'app-cpu'));
    await eventually('object deleted', () => gone(TARGET_TRACKING_POLICY.type, ns, 'app-cpu'));
    expect(autoscaling.commandCalls(DeletePolicyCommand)).toHaveLength(0);
    expect(policies.has('app/app-cpu')).toBe(true);
  });

  test('R-O7 the API server refuses a CPU target above 100 percent', async () => {
    const ns = await namespace('gap-scaling-invalid');
    await expect(create(TARGET_TRACKING_POLICY.type, ns, 'app-cpu', { autoScalingGroupRef: { name: 'app' }, targetValue: 170 })).rejects.toThrow(/a CPU target is a percentage: at most 100/);
  });
});
