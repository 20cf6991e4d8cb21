/**
 * System S4 `multi-region-app` (SPEC S4, seed 003): the chart's behaviour per
 * seed item, and the configuration's rejections.
 */
import { describe, expect, test } from '@jest/globals';
import { Testing } from 'cdk8s';
import { MultiRegionAppChart } from '../../charts/multi-region-app';
import { buildEnvironment } from '../../charts/app';
import { configMode, deferredOf, environment, inlineStatements, manifest, ofKind, rawEnvironment, synthSystem } from '../support/fixtures';
import { collectWarnings } from '../../lib/warnings';

const synth = (edit?: (raw: any) => void, name?: string) => synthSystem(MultiRegionAppChart, edit, name);
const { manifests, warnings } = synth();
const region = (object: any) => object.metadata.annotations?.['services.k8s.aws/region'];
const template = (kind: string, name: string) => deferredOf(manifests, kind, name).spec.template;
const problemsOf = (edit: (raw: any) => void) => {
  const raw = rawEnvironment();
  edit(raw);
  try {
    environment(raw, 'prod');
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('S4 multi-region-app: regions', () => {
  test('S4 the seed\'s regions by default: ap-south-1 and eu-west-1, each object annotated with its own', () => {
    expect(ofKind(manifests, 'VPC').map((vpc) => [vpc.metadata.name, region(vpc)])).toEqual([
      ['primary-vpc', 'ap-south-1'],
      ['secondary-vpc', 'eu-west-1'],
    ]);
    expect(warnings).toEqual([]);
  });

  test('S4 R-G1 regions are optional and validated: other regions work, the same region twice is refused naming the field', () => {
    const moved = synth((raw) => {
      const app = raw.systems['multi-region-app'];
      app.primary = { ...app.primary, region: 'us-east-1', network: { cidr: '10.50.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'] }, certificateARN: app.primary.certificateARN.replace('ap-south-1', 'us-east-1') };
    });
    expect(ofKind(moved.manifests, 'VPC').map(region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(
      problemsOf((raw) => {
        const app = raw.systems['multi-region-app'];
        app.secondary = { ...app.secondary, region: 'ap-south-1', network: { cidr: '10.60.0.0/16', availabilityZones: ['ap-south-1a', 'ap-south-1b'] }, certificateARN: app.primary.certificateARN };
      }),
    ).toContain('systems.multi-region-app.secondary.region: must differ from primary.region ("ap-south-1")');
    expect(problemsOf((raw) => (raw.systems['multi-region-app'].primary.certificateARN = raw.systems['multi-region-app'].secondary.certificateARN))).toContain(
      'systems.multi-region-app.primary.certificateARN: is in eu-west-1; the primary load balancer is in ap-south-1 and needs a certificate there',
    );
  });
});

describe('S4 multi-region-app: keys, networks, database', () => {
  test('S4 each region\'s KMS key has an explicit policy (account root administers, RDS uses it only through RDS) and rotation', () => {
    for (const name of ['primary-data', 'secondary-data']) {
      const key = manifest(manifests, 'Key', name);
      expect(key.spec.enableKeyRotation).toBe(true);
      const statements = JSON.parse(key.spec.policy).Statement;
      expect(statements).toContainEqual(expect.objectContaining({ Sid: 'AccountAdministers', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*' }));
      expect(statements).toContainEqual(expect.objectContaining({ Sid: 'RdsUse', Condition: { StringEquals: { 'kms:ViaService': `rds.${region(key)}.amazonaws.com`, 'kms:CallerAccount': '123456789012' } } }));
    }
    expect(JSON.parse(manifest(manifests, 'Key', 'primary-data').spec.policy).Statement.map((s: any) => s.Sid)).toContain('CloudTrailEncryptLogs');
  });

  test('S4 each VPC has public, app and database subnets over two zones, and flow logs (the VPC ID late-bound)', () => {
    const subnets = ofKind(manifests, 'Subnet').filter((s) => region(s) === 'ap-south-1');
    expect(subnets.map((s) => [s.metadata.name, s.spec.cidrBlock])).toEqual([
      ['primary-public-a', '10.50.0.0/24'],
      ['primary-public-b', '10.50.1.0/24'],
      ['primary-private-a', '10.50.2.0/24'],
      ['primary-private-b', '10.50.3.0/24'],
      ['primary-isolated-a', '10.50.4.0/24'],
      ['primary-isolated-b', '10.50.5.0/24'],
    ]);
    expect(template('FlowLog', 'primary-flow-log').spec).toMatchObject({ resourceID: '${vpc.status.vpcID}', trafficType: 'ALL' });
    expect(deferredOf(manifests, 'FlowLog', 'secondary-flow-log')).toBeDefined();
  });

  test('S4 R-G7 R-G8 MySQL from the catalogue with an AWS-managed password, deletion protection, final snapshot, Multi-AZ by tier, the region\'s key, log exports', () => {
    const db = manifest(manifests, 'DBInstance', 'primary-mysql');
    expect(db.spec).toMatchObject({
      engine: 'mysql',
      engineVersion: '8.0.42',
      manageMasterUserPassword: true,
      deletionProtection: true,
      multiAZ: true,
      storageEncrypted: true,
      kmsKeyRef: { from: { name: 'primary-data' } },
      enableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'],
    });
    expect(db.spec.masterUserPassword).toBeUndefined();
    expect(db.metadata.annotations).toMatchObject({ 'rds.services.k8s.aws/skip-final-snapshot': 'false', 'services.k8s.aws/deletion-policy': 'retain' });
    const dev = synth((raw) => Object.assign(raw, { tier: 'non-production', deletionPolicy: 'delete', settings: { ...raw.settings, multiAZ: false } }), 'dev');
    expect(manifest(dev.manifests, 'DBInstance', 'primary-mysql').spec).toMatchObject({ multiAZ: false, deletionProtection: false });
    expect(problemsOf((raw) => (raw.systems['multi-region-app'].database.engineVersion = '8.0.11'))).toContain('mysql 8.0.11 is not an available version; valid 8.x: 8.0.40, 8.0.41, 8.0.42');
  });
});

describe('S4 multi-region-app: security groups', () => {
  const rules = (group: any, direction: 'ingressRules' | 'egressRules') => group.spec[direction].map((r: any) => [r.fromPort, r.ipRanges?.[0]?.cidrIP ?? r.userIDGroupPairs?.[0]?.groupRef?.from?.name]);

  test('S4 the database admits 3306 only from the app subnets\' exact blocks; the app reaches 3306 only in the database subnets', () => {
    expect(rules(manifest(manifests, 'SecurityGroup', 'primary-mysql-db'), 'ingressRules')).toEqual([
      [3306, '10.50.2.0/24'],
      [3306, '10.50.3.0/24'],
    ]);
    const app = manifest(manifests, 'SecurityGroup', 'primary-app');
    expect(rules(app, 'egressRules').filter(([port]: [number]) => port === 3306)).toEqual([
      [3306, '10.50.4.0/24'],
      [3306, '10.50.5.0/24'],
    ]);
    expect(rules(app, 'ingressRules')).toEqual([[80, 'primary-web-lb']]);
  });

  test('S4 the load balancer admits the internet on 443 and 80 (redirect) only; every group is named with the environment first', () => {
    expect(rules(manifest(manifests, 'SecurityGroup', 'primary-web-lb'), 'ingressRules')).toEqual([
      [443, '0.0.0.0/0'],
      [80, '0.0.0.0/0'],
    ]);
    expect(ofKind(manifests, 'SecurityGroup').map((g) => g.spec.name)).toEqual([
      'prod-primary-app-sg-prod',
      'prod-primary-db-sg-prod',
      'prod-primary-alb-sg-prod',
      'prod-secondary-app-sg-prod',
      'prod-secondary-db-sg-prod',
      'prod-secondary-alb-sg-prod',
    ]);
  });
});

describe('S4 multi-region-app: web tier', () => {
  test('S4 HTTPS listener with the region\'s certificate, port 80 only redirects, instance target group', () => {
    const https = manifest(manifests, 'Listener', 'primary-web-https');
    expect(https.spec).toMatchObject({ port: 443, protocol: 'HTTPS', certificates: [{ certificateARN: 'arn:aws:acm:ap-south-1:123456789012:certificate/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7001' }] });
    expect(manifest(manifests, 'Listener', 'primary-web-http').spec.defaultActions).toEqual([{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }]);
    expect(template('TargetGroup', 'primary-web-targets').spec.targetType).toBe('instance');
  });

  test('S4 launch template: IMDSv2 required, encrypted EBS, the app security group late-bound, instances tagged', () => {
    const data = template('LaunchTemplate', 'primary-app').spec.data;
    expect(data.metadataOptions).toEqual({ httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 });
    expect(data.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: true, volumeType: 'gp3' });
    expect(data.securityGroupIDs).toEqual(['${appSecurityGroup.status.id}']);
    expect(data.tagSpecifications.map((t: any) => t.resourceType)).toEqual(['instance', 'volume']);
    expect(Object.fromEntries(data.tagSpecifications[0].tags.map((t: any) => [t.key, t.value]))).toMatchObject({ Environment: 'prod', Project: 'MultiRegionApp' });
    expect(template('LaunchTemplate', 'primary-app').spec.defaultVersion).toBe(1);
  });

  test('S4 the Auto Scaling group follows $Latest, sets no desiredCapacity, and registers only once the target group is read-only', () => {
    const group = template('AutoScalingGroup', 'primary-app').spec;
    expect(group).toMatchObject({ minSize: 2, maxSize: 6, launchTemplate: { launchTemplateName: 'primary-app-prod', version: '$Latest' }, healthCheckType: 'ELB' });
    expect(group.desiredCapacity).toBeUndefined();
    expect(group.vpcZoneIdentifier).toBe('${appSubnet0.status.subnetID},${appSubnet1.status.subnetID}');
    expect(group.targetGroupARNs).toEqual(["${targetGroup.metadata.annotations['services.k8s.aws/read-only'] == 'true' ? targetGroup.status.ackResourceMetadata.arn : null}"]);
  });

  test('S4 R-O7 target tracking on CPU at the seed\'s 70%, through the operator\'s TargetTrackingPolicy', () => {
    expect(manifest(manifests, 'TargetTrackingPolicy', 'primary-app-cpu').spec).toEqual({ autoScalingGroupRef: { name: 'primary-app' }, metric: 'ASGAverageCPUUtilization', targetValue: 70, disableScaleIn: false });
    expect(ofKind(manifests, 'TargetTrackingPolicy')).toHaveLength(2);
  });

  test('S4 R-O7 WAF per region (AWS managed rule sets and a rate limit), associated with the region\'s load balancer by the operator', () => {
    const acl = manifest(manifests, 'WebACL', 'primary-web-waf');
    expect(acl.spec.rules.map((r: any) => r.statement.rateBasedStatement?.limit ?? r.statement.managedRuleGroupStatement.name)).toEqual([2000, 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']);
    expect(manifest(manifests, 'WebACLAssociation', 'primary-web-waf').spec).toEqual({ webACLRef: { name: 'primary-web-waf' }, loadBalancerRef: { name: 'primary-web' } });
    expect(manifest(manifests, 'WebACLAssociation', 'secondary-web-waf').metadata.annotations).toEqual({ 'services.k8s.aws/deletion-policy': 'retain' });
  });
});

describe('S4 multi-region-app: audit and least privilege', () => {
  test('S4 R-O7 one multi-region CloudTrail trail with log file validation, encrypted with the primary key (its ARN late-bound), started by TrailLogging', () => {
    const trail = template('Trail', 'audit-trail');
    expect(region(trail)).toBe('ap-south-1');
    expect(trail.spec).toMatchObject({ isMultiRegionTrail: true, enableLogFileValidation: true, includeGlobalServiceEvents: true, kmsKeyID: '${key.status.ackResourceMetadata.arn}' });
    expect(manifest(manifests, 'TrailLogging', 'audit-trail').spec).toEqual({ trailRef: { name: 'audit-trail' } });
    const bucket = ofKind(manifests, 'Bucket').find((b) => b.spec.name === trail.spec.s3BucketName);
    const statements = JSON.parse(bucket.spec.policy).Statement;
    expect(statements.find((s: any) => s.Sid === 'CloudTrailWrite').Condition.StringEquals['aws:SourceArn']).toBe('arn:aws:cloudtrail:ap-south-1:123456789012:trail/audit-trail-prod');
    expect(bucket.spec.publicAccessBlock).toEqual({ blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true });
  });

  test('S4 the instances\' role: no managed policy, its own log group and the CWAgent metric namespace only', () => {
    const role = manifest(manifests, 'Role', 'primary-app-instance');
    expect(role.spec.policies).toBeUndefined();
    expect(JSON.parse(role.spec.assumeRolePolicyDocument).Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
    expect(inlineStatements(role)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: ['arn:aws:logs:ap-south-1:123456789012:log-group:/ec2/primary-app-prod/app', 'arn:aws:logs:ap-south-1:123456789012:log-group:/ec2/primary-app-prod/app:*'] },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CWAgent' } } },
    ]);
    expect(manifest(manifests, 'InstanceProfile', 'primary-app-instance').spec).toMatchObject({ name: role.spec.name, roleRef: { from: { name: 'primary-app-instance' } } });
  });

  test('S4 R-O7 the operator\'s policy grants exactly the gap controllers\' calls on exactly these resources, and the operator\'s role attaches it', () => {
    const policy = manifest(manifests, 'Policy', 'operator-policy');
    const actions = JSON.parse(policy.spec.policyDocument).Statement.flatMap((s: any) => [s.Action].flat());
    expect([...new Set(actions)].sort()).toEqual([
      'autoscaling:DeletePolicy',
      'autoscaling:DescribePolicies',
      'autoscaling:PutScalingPolicy',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:StartLogging',
      'cloudtrail:StopLogging',
      'elasticloadbalancing:SetWebAcl',
      'wafv2:AssociateWebACL',
      'wafv2:DisassociateWebACL',
      'wafv2:GetWebACLForResource',
    ]);
    const app = buildEnvironment(environment(rawEnvironment(), 'prod'));
    const all = app.charts.flatMap((chart) => chart.toJson());
    expect(manifest(all, 'Role', 'failover-operator').spec.policies).toEqual([
      'arn:aws:iam::123456789012:policy/prod-multi-region-app-operator-prod',
      'arn:aws:iam::123456789012:policy/prod-payment-processing-operator-prod',
    ]);
  });

  test('S4 R-G12 every alarm has a description and notifies its region\'s topic', () => {
    const alarms = [...ofKind(manifests, 'MetricAlarm'), ...ofKind(manifests, 'DeferredObject').filter((d) => d.spec.template.kind === 'MetricAlarm').map((d) => d.spec.template)];
    expect(alarms.map((a) => a.metadata.name).sort()).toEqual(['primary-alb-5xx', 'primary-app-cpu', 'primary-db-cpu', 'primary-db-free-storage', 'secondary-alb-5xx', 'secondary-app-cpu', 'secondary-db-cpu', 'secondary-db-free-storage']);
    for (const alarm of alarms) {
      expect(alarm.spec.alarmDescription.length).toBeGreaterThan(20);
      expect(alarm.spec.alarmActions).toHaveLength(1);
    }
  });
});

describe('S4 multi-region-app: without the operator (lateBinding: config)', () => {
  const configured = (edit: (raw: any) => void = () => undefined) => {
    const raw = rawEnvironment();
    edit(raw);
    const app = Testing.app();
    const chart = new MultiRegionAppChart(app, configMode(raw));
    return { manifests: chart.toJson(), warnings: collectWarnings(app).map((w) => `${w.id}: ${w.message}`) };
  };

  test('S4 what AWS assigns is asked for by name: no trail, group or template until config has it, each with a warning naming the field', () => {
    const { manifests: written, warnings: said } = configured();
    for (const kind of ['Trail', 'AutoScalingGroup', 'LaunchTemplate', 'TrailLogging', 'TargetTrackingPolicy']) expect({ kind, count: ofKind(written, kind).length }).toEqual({ kind, count: 0 });
    expect(said).toContainEqual(expect.stringContaining('TRAIL-PENDING: no CloudTrail trail yet: its KMS key ARN is AWS\'s; once applied, put it (outputs ConfigMap) into systems.multi-region-app.trail.keyARN'));
    expect(said).toContainEqual(expect.stringContaining('systems.multi-region-app.primary.assigned.securityGroupID, systems.multi-region-app.primary.assigned.subnetIDs, the target group ARN'));
    expect(said).toContainEqual(expect.stringContaining('put the ID (outputs ConfigMap) into systems.multi-region-app.secondary.network.vpcID'));
    expect(said).toContainEqual(expect.stringContaining('S4-ALB-ALARM-PENDING: the eu-west-1 load balancer has no 5XX alarm yet'));
    expect(ofKind(written, 'MetricAlarm').map((a) => a.metadata.name)).not.toContain('primary-alb-5xx');
  });

  test('S4 with the IDs in config, the template, group and trail are written with them', () => {
    const { manifests: written, warnings: said } = configured((raw) => {
      const app = raw.systems['multi-region-app'];
      app.primary.network.vpcID = 'vpc-0a1b2c3d4e5f60001';
      app.trail = { keyARN: 'arn:aws:kms:ap-south-1:123456789012:key/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d' };
      app.primary.assigned = {
        subnetIDs: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        securityGroupID: 'sg-0a1b2c3d4e5f60001',
        targetGroupARN: 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/primary-web-tg-test/0123456789abcdef',
        loadBalancerDimension: 'app/primary-web-test/50dc6c495c0c9188',
      };
    });
    expect(manifest(written, 'AutoScalingGroup', 'primary-app').spec).toMatchObject({
      vpcZoneIdentifier: 'subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002',
      targetGroupARNs: ['arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/primary-web-tg-test/0123456789abcdef'],
    });
    expect(manifest(written, 'LaunchTemplate', 'primary-app').spec.data.securityGroupIDs).toEqual(['sg-0a1b2c3d4e5f60001']);
    expect(manifest(written, 'MetricAlarm', 'primary-alb-5xx').spec.dimensions).toEqual([{ name: 'LoadBalancer', value: 'app/primary-web-test/50dc6c495c0c9188' }]);
    expect(manifest(written, 'Trail', 'audit-trail').spec.kmsKeyID).toBe('arn:aws:kms:ap-south-1:123456789012:key/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d');
    expect(said.filter((w) => w.includes('primary'))).toEqual([]);
  });

  test('S4 R-G1 a wrong count of subnet IDs, or a key of another region, is refused naming the field', () => {
    expect(problemsOf((raw) => (raw.systems['multi-region-app'].primary.assigned = { subnetIDs: ['subnet-0a1b2c3d4e5f60001'] }))).toContain(
      'systems.multi-region-app.primary.assigned.subnetIDs: lists 1 subnets; the app tier has one per zone (2), in zone order',
    );
    expect(problemsOf((raw) => (raw.systems['multi-region-app'].trail = { keyARN: 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d' }))).toContain(
      'systems.multi-region-app.trail.keyARN: is a key in eu-west-1; the trail lives in the primary region ap-south-1 and needs its key there',
    );
    expect(problemsOf((raw) => (raw.systems['multi-region-app'].alarms.instanceCpuPercent = 60))).toContain('systems.multi-region-app.alarms.instanceCpuPercent: must be above instances.targetCpuPercent (70)');
  });
});
