/**
 * The S4 building blocks on their own: an Auto Scaling group behind a load
 * balancer, the audit trail, the operator's gap objects and its policy. Each
 * validates its props and says which one is wrong and how to fix it.
 */
import { describe, expect, test } from '@jest/globals';
import { AuditTrail } from '../../../charts/constructs/audit-trail';
import { AutoScaledInstances, type AutoScaledInstancesProps } from '../../../charts/constructs/auto-scaling';
import { TargetTrackingPolicy, TrailLogging, WebAclAssociation } from '../../../charts/constructs/aws-gaps';
import { KmsKey } from '../../../charts/constructs/kms-key';
import { ApplicationLoadBalancer } from '../../../charts/constructs/load-balancer';
import { Network } from '../../../charts/constructs/network';
import { OperatorPolicy } from '../../../charts/constructs/operator-policy';
import { SecureBucket } from '../../../charts/constructs/secure-bucket';
import { SecurityGroup } from '../../../charts/constructs/security-group';
import { WebAcl } from '../../../charts/constructs/web-acl';
import type { SystemChart } from '../../../charts/system-chart';
import { ApiObject } from 'cdk8s';
import { deferredOf, manifest, ofKind, synthWith } from '../../support/fixtures';

/** A network, an instance-target load balancer and an app group, as S4 builds them. */
function webTier(chart: SystemChart, overrides: Partial<AutoScaledInstancesProps> = {}) {
  const network = new Network(chart, 'Network', { name: 'net', cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], subnets: { public: 24, private: 24 }, natGateways: 1, flowLogs: { retentionDays: 30 }, vpcId: 'vpc-0123456789abcdef0' });
  const logs = new SecureBucket(chart, 'Logs', { name: 'lb-logs', nameParts: ['lb', 'logs'] });
  const loadBalancer = new ApplicationLoadBalancer(chart, 'Lb', { name: 'web', network, certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', targetPort: 80, targetType: 'instance', redirectHttp: true, accessLogBucket: logs });
  const securityGroup = new SecurityGroup(chart, 'AppSg', { name: 'app', groupName: 'app-sg', description: 'app', vpc: network });
  const instances = new AutoScaledInstances(chart, 'App', { name: 'app', network, securityGroup, loadBalancer, imageId: 'ami-0123456789abcdef0', instanceType: 't3.small', minSize: 2, maxSize: 4, targetCpuPercent: 70, logRetentionDays: 30, assignedConfigPath: 'systems.x.assigned', ...overrides });
  return { network, loadBalancer, securityGroup, instances };
}

describe('AutoScaledInstances', () => {
  test('S4 refuses an AMI that is not one, an instance type outside the catalogue, and sizes that cannot hold, naming the prop', () => {
    expect(() => synthWith((chart) => webTier(chart, { imageId: 'ami-xyz' }))).toThrow('imageId "ami-xyz": expected a machine image ID: "ami-" followed by 8 or 17 lowercase hex digits');
    expect(() => synthWith((chart) => webTier(chart, { instanceType: 'p5.48xlarge' }))).toThrow('instanceType p5.48xlarge is not allowed; use one of t3.micro');
    expect(() => synthWith((chart) => webTier(chart, { minSize: 5, maxSize: 4 }))).toThrow('minSize 5 and maxSize 4: need 1 <= minSize <= maxSize <= 100');
    expect(() => synthWith((chart) => webTier(chart, { assigned: { subnetIds: ['subnet-0123456789abcdef0'] } }))).toThrow('assigned.subnetIds lists 1 subnets; the app tier has 2, one per zone, in zone order');
  });

  test('S4 the load balancer\'s target group must register instances, not IP addresses', () => {
    expect(() =>
      synthWith((chart) => {
        const { network, securityGroup } = webTier(chart);
        const lb = new ApplicationLoadBalancer(chart, 'IpLb', { name: 'ip', network, certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', targetPort: 80, accessLogBucket: new SecureBucket(chart, 'L2', { name: 'l2', nameParts: ['l2'] }) });
        new AutoScaledInstances(chart, 'Other', { name: 'other', network, securityGroup, loadBalancer: lb, imageId: 'ami-0123456789abcdef0', instanceType: 't3.small', minSize: 1, maxSize: 2, targetCpuPercent: 70, logRetentionDays: 30, assignedConfigPath: 'x' });
      }),
    ).toThrow("the load balancer's target group must have targetType instance");
  });

  test('S4 with late binding the template and group wait for their IDs; the role, profile and CPU policy are written at once', () => {
    const manifests = synthWith((chart) => webTier(chart));
    expect(deferredOf(manifests, 'LaunchTemplate', 'app').spec.inputs.map((i: any) => i.name)).toEqual(['appSecurityGroup']);
    expect(deferredOf(manifests, 'AutoScalingGroup', 'app').spec.inputs.map((i: any) => i.name)).toEqual(['appSubnet0', 'appSubnet1', 'targetGroup']);
    expect(manifest(manifests, 'TargetTrackingPolicy', 'app-cpu').spec.targetValue).toBe(70);
    expect(ofKind(manifests, 'InstanceProfile')).toHaveLength(1);
  });
});

describe('gap objects (R-O7)', () => {
  test('R-O7 TargetTrackingPolicy refuses a group that sets desiredCapacity (ACK would undo every scaling) and a CPU target above 100', () => {
    const group = (chart: SystemChart, spec: object) => ({ resource: new ApiObject(chart, 'G', { apiVersion: 'autoscaling.services.k8s.aws/v1alpha1', kind: 'AutoScalingGroup', metadata: { name: 'g' }, spec }), groupName: 'g' });
    expect(() => synthWith((chart) => new TargetTrackingPolicy(chart, 'P', { name: 'p', autoScalingGroup: group(chart, { desiredCapacity: 2 }), targetValue: 70 }))).toThrow('the Auto Scaling group g sets desiredCapacity');
    expect(() => synthWith((chart) => new TargetTrackingPolicy(chart, 'P', { name: 'p', autoScalingGroup: group(chart, {}), targetValue: 170 }))).toThrow('targetValue 170 must be above 0 and at most 100 (percent CPU)');
    expect(() => synthWith((chart) => new TargetTrackingPolicy(chart, 'P', { name: 'P_1', autoScalingGroup: group(chart, {}), targetValue: 70 }))).toThrow('"P_1"');
  });

  test('R-O7 each gap object adds exactly its calls to the system\'s operator policy, on its own resources', () => {
    const manifests = synthWith((chart) => {
      const { loadBalancer } = webTier(chart);
      const webAcl = new WebAcl(chart, 'Acl', { name: 'acl', rateLimitPerIp: 100 });
      new WebAclAssociation(chart, 'Assoc', { name: 'acl', webAcl, loadBalancer, retain: true });
      const trail = { resource: new ApiObject(chart, 'T', { apiVersion: 'cloudtrail.services.k8s.aws/v1alpha1', kind: 'Trail', metadata: { name: 't' }, spec: {} }), trailName: 'trail-test' };
      new TrailLogging(chart, 'Logging', { name: 't', trail });
    });
    const statements = JSON.parse(manifest(manifests, 'Policy', 'operator-policy').spec.policyDocument).Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL', 'wafv2:GetWebACLForResource'],
      Resource: ['arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl-test/*', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-test/*'],
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging', 'cloudtrail:StopLogging'], Resource: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-test' });
    expect(manifest(manifests, 'WebACLAssociation', 'acl').metadata.annotations).toEqual({ 'services.k8s.aws/deletion-policy': 'retain' });
    expect(manifest(manifests, 'TrailLogging', 't').metadata.annotations).toEqual({ 'services.k8s.aws/deletion-policy': 'delete' });
  });

  test('R-O7 the operator policy refuses "*" for an action AWS can scope', () => {
    expect(() => synthWith((chart) => OperatorPolicy.of(chart).addToPolicy({ actions: ['wafv2:AssociateWebACL'], resources: ['*'] }))).toThrow('"*" in an operator policy statement is not least privilege; name the resources (wafv2:AssociateWebACL)');
  });
});

describe('AuditTrail', () => {
  const key = (chart: SystemChart) => new KmsKey(chart, 'Key', { name: 'trail-key', alias: 'alias/trail', description: 'trail', users: ['cloudtrail'] });

  test('S4 refuses a key ARN that is not one: ACK compares it with the ARN CloudTrail reports', () => {
    expect(() => synthWith((chart) => new AuditTrail(chart, 'Trail', { name: 'audit', bucketNameParts: ['audit'], encryptionKey: key(chart), encryptionKeyArn: 'alias/trail', encryptionKeyArnConfigPath: 'x' }))).toThrow(
      'encryptionKeyArn "alias/trail" is not a KMS key ARN',
    );
  });

  test('S4 the key lets CloudTrail encrypt only this account\'s trails\' logs, and the bucket admits only this trail', () => {
    const manifests = synthWith((chart) => new AuditTrail(chart, 'Trail', { name: 'audit', bucketNameParts: ['audit'], encryptionKey: key(chart), encryptionKeyArnConfigPath: 'x' }));
    const keyStatement = JSON.parse(manifest(manifests, 'Key', 'trail-key').spec.policy).Statement.find((s: any) => s.Sid === 'CloudTrailEncryptLogs');
    expect(keyStatement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*:123456789012:trail/*' } });
    const bucket = manifest(manifests, 'Bucket', 'audit-logs');
    const sids = JSON.parse(bucket.spec.policy).Statement.map((s: any) => `${s.Sid}:${s.Condition?.StringEquals?.['aws:SourceArn'] ?? ''}`);
    expect(sids).toEqual(['DenyInsecureTransport:', 'CloudTrailAclCheck:arn:aws:cloudtrail:us-east-1:123456789012:trail/audit-test', 'CloudTrailWrite:arn:aws:cloudtrail:us-east-1:123456789012:trail/audit-test']);
  });
});
