/**
 * Every lint rule (R-L1) against small fixtures: at least one set of
 * manifests that violates it and one that passes. A rule without fixtures
 * fails the last test.
 */
import { describe, expect, test } from '@jest/globals';
import { RULES } from '../../../lint/rules/index';
import type { Json } from '../../../lint/objects';
import { ack, lintManifests, ours } from '../../support/lint';

const TAGS = ['Environment', 'EnvironmentSuffix', 'Owner', 'CostCenter', 'ManagedBy', 'Project', 'Application'].map((key) => ({ key, value: 'x' }));
const sg = (name: string, ingressRules: Json[], egressRules: Json[] = []) => ack('ec2', 'SecurityGroup', name, { name, description: 'd', ingressRules, egressRules });
const tcp = (port: number, cidrIP: string) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: [{ cidrIP }] });
const secure = { storageEncrypted: true, kmsKeyRef: { from: { name: 'key' } }, backupRetentionPeriod: 7, enableCloudwatchLogsExports: ['postgresql'], deletionProtection: true };
const noSnapshotSkip = { annotations: { 'rds.services.k8s.aws/skip-final-snapshot': 'false', 'services.k8s.aws/deletion-policy': 'retain' } };
const bucket = (name: string, spec: Json = {}, metadata: Json = {}) =>
  ack('s3', 'Bucket', name, {
    name,
    publicAccessBlock: { blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    versioning: { status: 'Enabled' },
    policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }),
    lifecycle: { rules: [{ id: 'expire', status: 'Enabled' }] },
    ...spec,
  }, metadata);
const role = (name: string, statements: Json[], spec: Json = {}) => ack('iam', 'Role', name, { name, assumeRolePolicyDocument: '{}', inlinePolicies: { p: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }, ...spec });
const allow = (Action: string | string[], Resource: string | string[]) => ({ Effect: 'Allow', Action, Resource });
const trail = (spec: Json = {}) => ack('cloudtrail', 'Trail', 'audit', { name: 'audit', s3BucketName: 'b', isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyID: 'arn:aws:kms:us-east-1:1:key/k', ...spec });
const listener = (protocol: string, defaultActions: Json[]) => ack('elbv2', 'Listener', 'l', { protocol, port: protocol === 'HTTP' ? 80 : 443, defaultActions });
const table = (spec: Json) => ack('dynamodb', 'Table', 't', { tableName: 't', ...spec });
const targetGroup = (annotations: Json = {}) => ack('elbv2', 'TargetGroup', 'tg', { name: 'tg' }, { annotations });
const peering = (name: string, spec: Json, annotations: Json = {}) => ack('ec2', 'VPCPeeringConnection', name, spec, { annotations });

/** Rule ID → manifests that violate it, and manifests that pass. `production` lints as a production environment. */
const CASES: Record<string, { fail: Json[]; pass: Json[]; production?: boolean }> = {
  'ACKS-SG-001': { fail: [sg('a', [], [{ ipProtocol: '-1', ipRanges: [{ cidrIP: '0.0.0.0/0' }] }])], pass: [sg('a', [], [tcp(443, '10.0.0.0/16')])] },
  'ACKS-SG-002': { fail: [sg('a', [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, ipRanges: [{ cidrIP: '10.0.0.0/16' }] }])], pass: [sg('a', [{ ipProtocol: 'tcp', fromPort: 8000, toPort: 8010, ipRanges: [{ cidrIP: '10.0.0.0/16' }] }])] },
  'ACKS-SG-003': { fail: [sg('a', [tcp(22, '0.0.0.0/0')])], pass: [sg('a', [tcp(443, '0.0.0.0/0'), tcp(80, '0.0.0.0/0'), tcp(22, '10.0.0.0/8')])] },
  'ACKS-NET-001': {
    fail: [ack('ec2', 'VPC', 'v', { cidrBlocks: ['10.0.0.0/16'] }), ack('ec2', 'VPC', 'w', { cidrBlocks: ['10.1.0.0/16'] }), ack('ec2', 'FlowLog', 'f', { resourceType: 'VPC' })],
    pass: [ack('ec2', 'VPC', 'v', { cidrBlocks: ['10.0.0.0/16'] }), ack('ec2', 'FlowLog', 'f', { resourceType: 'VPC', resourceID: '${vpc.status.vpcID}' })],
  },
  'ACKS-RDS-001': { fail: [ack('rds', 'DBCluster', 'db', { ...secure, storageEncrypted: false })], pass: [ack('rds', 'DBCluster', 'db', secure), ack('rds', 'DBInstance', 'member', { dbClusterIdentifier: 'db' })] },
  'ACKS-RDS-002': { fail: [ack('rds', 'DBInstance', 'db', { ...secure, kmsKeyRef: undefined })], pass: [ack('rds', 'DBInstance', 'db', secure)] },
  'ACKS-RDS-003': { production: true, fail: [ack('rds', 'DBInstance', 'db', { ...secure, backupRetentionPeriod: 1 })], pass: [ack('rds', 'DBInstance', 'db', secure)] },
  'ACKS-RDS-004': { fail: [ack('rds', 'DBInstance', 'db', { ...secure, enableCloudwatchLogsExports: [] })], pass: [ack('rds', 'DBInstance', 'db', secure)] },
  'ACKS-RDS-005': { production: true, fail: [ack('rds', 'DBCluster', 'db', { ...secure, deletionProtection: false })], pass: [ack('rds', 'DBCluster', 'db', secure)] },
  'ACKS-RDS-006': { production: true, fail: [ack('rds', 'DBCluster', 'db', secure)], pass: [ack('rds', 'DBCluster', 'db', secure, noSnapshotSkip)] },
  'ACKS-RDS-007': { fail: [ack('rds', 'DBInstance', 'db', { ...secure, publiclyAccessible: true })], pass: [ack('rds', 'DBInstance', 'db', { ...secure, publiclyAccessible: false })] },
  'ACKS-SECRET-001': {
    fail: [ack('rds', 'DBInstance', 'db', { masterUserPassword: 'changeme123!' }), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, stringData: { password: 'x' } }],
    pass: [ack('rds', 'DBInstance', 'db', { masterUserPassword: { name: 'db-master', key: 'password' } }), ack('rds', 'DBInstance', 'db2', { manageMasterUserPassword: true })],
  },
  'ACKS-S3-001': { fail: [bucket('b', { publicAccessBlock: { blockPublicACLs: true } })], pass: [bucket('b')] },
  'ACKS-S3-002': { fail: [bucket('b', { encryption: undefined })], pass: [bucket('b')] },
  'ACKS-S3-003': { fail: [bucket('b', { versioning: { status: 'Suspended' } })], pass: [bucket('b')] },
  'ACKS-S3-004': { fail: [bucket('b', { policy: JSON.stringify({ Statement: [] }) })], pass: [bucket('b')] },
  'ACKS-S3-005': { fail: [bucket('b', { lifecycle: undefined })], pass: [bucket('b')] },
  'ACKS-DDB-001': { fail: [table({})], pass: [table({ continuousBackups: { pointInTimeRecoveryEnabled: true } })] },
  'ACKS-RETAIN-001': {
    production: true,
    fail: [bucket('b'), ack('kms', 'Key', 'k', {})],
    pass: [bucket('b', {}, { annotations: { 'services.k8s.aws/deletion-policy': 'retain' } }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'kms.services.k8s.aws/deletion-policy': 'retain' } } }, ack('kms', 'Key', 'k', {})],
  },
  'ACKS-KMS-001': { fail: [ack('kms', 'Key', 'k', { enableKeyRotation: false })], pass: [ack('kms', 'Key', 'k', { enableKeyRotation: true }), ack('kms', 'Key', 'rsa', { keySpec: 'RSA_2048' })] },
  'ACKS-KMS-002': {
    fail: [ack('kms', 'Key', 'k', { enableKeyRotation: true, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] }) })],
    pass: [ack('kms', 'Key', 'k', { enableKeyRotation: true, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': '111111111111' } } }] }) })],
  },
  'ACKS-IAM-001': { fail: [role('r', [allow('s3:*', 'arn:aws:s3:::b/*')])], pass: [role('r', [allow(['s3:GetObject'], 'arn:aws:s3:::b/*')])] },
  'ACKS-IAM-002': { fail: [role('r', [allow('logs:PutLogEvents', '*')])], pass: [role('r', [allow('ecr:GetAuthorizationToken', '*'), allow('logs:PutLogEvents', 'arn:aws:logs:us-east-1:1:log-group:g:*')])] },
  'ACKS-IAM-003': { fail: [role('r', [], { policies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'] })], pass: [role('r', [], { policies: ['arn:aws:iam::111111111111:policy/mine'] })] },
  'ACKS-LAMBDA-001': { fail: [ack('lambda', 'Function', 'f', { runtime: 'nodejs18.x' })], pass: [ack('lambda', 'Function', 'f', { runtime: 'nodejs22.x' })] },
  'ACKS-LAMBDA-002': { fail: [ack('lambda', 'Function', 'f', { environment: { variables: { DB_PASSWORD: 'hunter22' } } })], pass: [ack('lambda', 'Function', 'f', { environment: { variables: { DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x', TABLE: 't' } } })] },
  'ACKS-EC2-001': { fail: [ack('ec2', 'LaunchTemplate', 'lt', { data: { metadataOptions: { httpTokens: 'optional' } } })], pass: [ack('ec2', 'LaunchTemplate', 'lt', { data: { metadataOptions: { httpTokens: 'required' } } })] },
  'ACKS-EC2-002': { fail: [ack('ec2', 'LaunchTemplate', 'lt', { data: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 20 } }] } })], pass: [ack('ec2', 'LaunchTemplate', 'lt', { data: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }] } })] },
  'ACKS-LOG-001': { fail: [ack('cloudwatchlogs', 'LogGroup', 'g', { name: 'g' })], pass: [ack('cloudwatchlogs', 'LogGroup', 'g', { name: 'g', retentionDays: 365 })] },
  'ACKS-ALARM-001': { fail: [ack('cloudwatch', 'MetricAlarm', 'a', { name: 'a' })], pass: [ack('cloudwatch', 'MetricAlarm', 'a', { name: 'a', alarmActions: ['arn:aws:sns:us-east-1:1:t'] })] },
  'ACKS-API-001': { fail: [ack('apigatewayv2', 'Stage', 's', { stageName: '$default', autoDeploy: true })], pass: [ack('apigatewayv2', 'Stage', 's', { stageName: '$default', autoDeploy: true, accessLogSettings: { destinationARN: 'arn:aws:logs:us-east-1:1:log-group:g' } })] },
  'ACKS-TRAIL-001': { fail: [trail({ isMultiRegionTrail: false })], pass: [trail()] },
  'ACKS-TRAIL-002': { fail: [trail({ enableLogFileValidation: undefined })], pass: [trail()] },
  'ACKS-TRAIL-003': { fail: [trail({ kmsKeyID: undefined })], pass: [trail()] },
  'ACKS-ELB-001': {
    fail: [listener('HTTP', [{ type: 'forward', targetGroupRef: { from: { name: 'tg' } } }])],
    pass: [listener('HTTP', [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }]), listener('HTTPS', [{ type: 'forward' }])],
  },
  'ACKS-ELB-002': { fail: [ack('elbv2', 'LoadBalancer', 'lb', { attributes: [] })], pass: [ack('elbv2', 'LoadBalancer', 'lb', { attributes: [{ key: 'access_logs.s3.enabled', value: 'true' }] })] },
  'ACKS-TAG-001': { fail: [ack('ec2', 'VPC', 'v', { tags: TAGS.slice(1) })], pass: [ack('ec2', 'VPC', 'v', { tags: TAGS }), ack('apigatewayv2', 'Route', 'r', { routeKey: 'GET /' })] },
  'ACKS-REGION-001': {
    fail: [{ apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', metadata: { name: 'v', namespace: 'shop' }, spec: {} }],
    pass: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'services.k8s.aws/default-region': 'eu-west-1' } } }, { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', metadata: { name: 'v', namespace: 'shop' }, spec: {} }],
  },
  'ACKS-REF-001': {
    fail: [ack('ec2', 'Subnet', 's', { vpcRef: { from: { name: 'missing' } } }), ack('ec2', 'VPC', 'v'), ack('ec2', 'Subnet', 't', { vpcRef: { from: { name: 'v' } } }, { annotations: { 'services.k8s.aws/region': 'eu-west-1' } })],
    pass: [
      ack('ec2', 'VPC', 'v'),
      ack('ec2', 'Subnet', 's', { vpcRef: { from: { name: 'v' } } }),
      ack('ec2', 'Subnet', 'e', { vpcRef: { from: { name: 'shared-vpc' } } }, { annotations: { 'lint.ack-systems.io/external-references': 'shared-vpc' } }),
      ours('TrailLogging', 'audit', { trailRef: { name: 'audit' } }),
      trail(),
    ],
  },
  'ACKS-REF-002': {
    fail: [ack('rds', 'DBInstance', 'db', { vpcSecurityGroupRefs: [{ from: { name: 'db-sg' } }] }), sg('db-sg', [tcp(5432, '0.0.0.0/0')]), ack('ec2', 'VPC', 'v', { cidrBlocks: ['10.0.0.0/16'] })],
    pass: [ack('rds', 'DBInstance', 'db', { vpcSecurityGroupRefs: [{ from: { name: 'db-sg' } }] }), sg('db-sg', [tcp(5432, '10.0.2.0/24')]), ack('ec2', 'VPC', 'v', { cidrBlocks: ['10.0.0.0/16'] })],
  },
  'ACKS-REPL-001': {
    fail: [bucket('src', { replication: { rules: [{ id: 'r', priority: 1, filter: {}, destination: { bucket: 'arn:aws:s3:::dst' } }] } })],
    pass: [bucket('src', { replication: { rules: [{ id: 'r', priority: 1, filter: {}, destination: { bucket: 'arn:aws:s3:::dst' } }] } }), bucket('dst', {}, { annotations: { 'services.k8s.aws/region': 'us-west-2' } })],
  },
  'ACKS-FAILOVER-001': {
    fail: [ours('FailoverGroup', 'g', { primary: { region: 'us-east-1', dbCluster: { name: 'db' }, alarms: [], tables: [], buckets: [] }, secondary: { region: 'us-east-2', dbCluster: { name: 'db2' }, alarms: [], tables: [], buckets: [] } }), ack('rds', 'DBCluster', 'db')],
    pass: [
      ours('FailoverGroup', 'g', { primary: { region: 'us-east-1', dbCluster: { name: 'db' }, alarms: [], tables: [], buckets: [] }, secondary: { region: 'us-east-2', dbCluster: { name: 'db2' }, alarms: [], tables: [], buckets: [] } }),
      ack('rds', 'DBCluster', 'db'),
      ack('rds', 'DBCluster', 'db2', {}, { annotations: { 'services.k8s.aws/region': 'us-east-2' } }),
    ],
  },
  'ACKS-CONV-001': {
    fail: [peering('requester', { acceptRequest: false, vpcRef: { from: { name: 'a' } } }), peering('accepter', {}, { 'services.k8s.aws/adoption-policy': 'adopt-or-create' })],
    pass: [peering('requester', { acceptRequest: true }), peering('accepter', {}, { 'services.k8s.aws/adoption-policy': 'adopt-or-create' }), peering('alone', { acceptRequest: '${has(x.status)}' })],
  },
  'ACKS-CONV-002': { fail: [table({ tableReplicas: [{ regionName: 'us-west-2' }], streamSpecification: { streamEnabled: true, streamViewType: 'NEW_IMAGE' } })], pass: [table({ tableReplicas: [{ regionName: 'us-west-2' }], streamSpecification: { streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' } })] },
  'ACKS-CONV-003': { fail: [table({ sseSpecification: { sseType: 'KMS' }, tableReplicas: [{ regionName: 'us-west-2' }] })], pass: [table({ sseSpecification: { sseType: 'KMS' }, tableReplicas: [{ regionName: 'us-west-2', kmsMasterKeyID: 'arn:aws:kms:us-west-2:1:key/k' }] })] },
  'ACKS-CONV-004': { fail: [bucket('b', { replication: { rules: [{ destination: { bucket: 'arn:aws:s3:::d' } }] } })], pass: [bucket('b', { replication: { rules: [{ id: 'r', priority: 1, filter: { prefix: '' }, destination: { bucket: 'arn:aws:s3:::d' } }] } })] },
  'ACKS-CONV-005': { fail: [ack('rds', 'DBCluster', 'second', { globalClusterIdentifier: 'g', masterUsername: 'admin' })], pass: [ack('rds', 'DBCluster', 'second', { globalClusterIdentifier: 'g', sourceRegion: 'us-east-1' })] },
  'ACKS-CONV-006': {
    fail: [targetGroup(), ack('ecs', 'Service', 's', { loadBalancers: [{ targetGroupRef: { from: { name: 'tg' } } }] })],
    pass: [targetGroup({ 'services.k8s.aws/read-only': 'true' }), ack('ecs', 'Service', 's', { loadBalancers: [{ targetGroupRef: { from: { name: 'tg' } } }] }), ack('autoscaling', 'AutoScalingGroup', 'a', { targetGroupARNs: ['${tg.status.arn}'] })],
  },
  'ACKS-CONV-007': {
    fail: [ack('autoscaling', 'AutoScalingGroup', 'app', { desiredCapacity: 2 }), ours('TargetTrackingPolicy', 'cpu', { autoScalingGroupRef: { name: 'app' }, targetValue: 70 })],
    pass: [ack('autoscaling', 'AutoScalingGroup', 'app', { minSize: 2 }), ours('TargetTrackingPolicy', 'cpu', { autoScalingGroupRef: { name: 'app' }, targetValue: 70 }), ack('autoscaling', 'AutoScalingGroup', 'fixed', { desiredCapacity: 2 })],
  },
  'ACKS-CONV-008': { fail: [ack('autoscaling', 'AutoScalingGroup', 'app', { launchTemplate: { launchTemplateName: 'lt', version: '$Default' } })], pass: [ack('autoscaling', 'AutoScalingGroup', 'app', { launchTemplate: { launchTemplateName: 'lt', version: '$Latest' } })] },
  'ACKS-CONV-009': { fail: [trail()], pass: [trail(), ours('TrailLogging', 'audit-logging', { trailRef: { name: 'audit' } })] },
  'ACKS-CONV-010': {
    fail: [ack('wafv2', 'WebACL', 'acl', { scope: 'REGIONAL' })],
    pass: [ack('wafv2', 'WebACL', 'acl', { scope: 'REGIONAL' }), ours('WebACLAssociation', 'assoc', { webACLRef: { name: 'acl' }, loadBalancerRef: { name: 'lb' } }), ack('wafv2', 'WebACL', 'edge', { scope: 'CLOUDFRONT' })],
  },
  'ACKS-CONV-011': {
    fail: [ack('wafv2', 'WebACL', 'acl', { rules: [{ name: 'r', statement: { rateBasedStatement: { limit: 100, scopeDownStatement: 'byteMatchStatement: {}' } } }] })],
    pass: [ack('wafv2', 'WebACL', 'acl', { rules: [{ name: 'r', statement: { rateBasedStatement: { limit: 100, aggregateKeyType: 'IP' } } }] })],
  },
  'ACKS-CONV-012': { fail: [ack('apigatewayv2', 'Stage', 's', { stageName: 'v1' })], pass: [ack('apigatewayv2', 'Stage', 's', { stageName: 'v1', autoDeploy: false, deploymentRef: { from: { name: 'd' } } })] },
};

describe('lint rules (R-L1)', () => {
  test.each(RULES.map((r) => [r.id, r] as const))('R-L1 %s: its failing fixture is found, its passing fixture is not', (id, rule) => {
    const fixtures = CASES[id];
    expect({ id, hasFixtures: fixtures !== undefined }).toEqual({ id, hasFixtures: true });
    const options = { production: fixtures.production };
    const failing = lintManifests(fixtures.fail, [rule], options).filter((f) => f.ruleId === id);
    const passing = lintManifests(fixtures.pass, [rule], options).filter((f) => f.ruleId === id);
    expect({ id, failing: failing.length > 0 }).toEqual({ id, failing: true });
    expect({ id, passing: passing.map((f) => `${f.object.name}: ${f.message}`) }).toEqual({ id, passing: [] });
  });

  test.each(RULES.filter((r) => r.productionOnly).map((r) => [r.id, r] as const))('R-L1 %s applies to production only', (id, rule) => {
    expect(lintManifests(CASES[id].fail, [rule], { production: false }).filter((f) => f.ruleId === id)).toEqual([]);
  });

  test('R-L1 every rule has a stable ID, a severity, kinds, description, rationale and fix; convergence rules cite their controller file and release', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect({ id: r.id, ok: /^ACKS-[A-Z0-9]+-\d{3}$/.test(r.id) && r.kinds.length > 0 && r.description.length > 10 && r.rationale.length > 20 && r.fix.length > 10 }).toEqual({ id: r.id, ok: true });
      if (r.id.startsWith('ACKS-CONV-')) expect({ id: r.id, source: /controller v\d+\.\d+\.\d+ /.test(r.source ?? '') }).toEqual({ id: r.id, source: true });
      for (const requirement of r.pci) expect(requirement).toMatch(/^\d+\.\d+(\.\d+){0,2}$/);
      for (const control of r.fsbp) expect(control).toMatch(/^[A-Za-z0-9]+\.\d+$/);
    }
  });
});
