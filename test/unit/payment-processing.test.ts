/**
 * System S2 `payment-processing` (SPEC S2, seed 001): the chart's behaviour per requirement.
 */
import { describe, expect, test } from '@jest/globals';
import { PaymentProcessingChart } from '../../charts/payment-processing';
import { inlineStatements, manifest, ofKind, synthSystem } from '../support/fixtures';

const synth = (edit?: (raw: any) => void, name?: string) => synthSystem(PaymentProcessingChart, edit, name);

const { manifests, warnings } = synth();

describe('S2 payment-processing', () => {
  test('S2 VPC with public, private and isolated subnets across the zones, packed without gaps', () => {
    expect(ofKind(manifests, 'Subnet').map((s) => [s.metadata.name, s.spec.cidrBlock])).toEqual([
      ['processing-public-a', '10.40.32.0/24'],
      ['processing-public-b', '10.40.33.0/24'],
      ['processing-private-a', '10.40.0.0/20'],
      ['processing-private-b', '10.40.16.0/20'],
      ['processing-isolated-a', '10.40.34.0/24'],
      ['processing-isolated-b', '10.40.35.0/24'],
    ]);
  });

  test('S2 internet gateway, NAT gateways by setting, flow logs (ALL) to a log group with retention', () => {
    expect(ofKind(manifests, 'InternetGateway')).toHaveLength(1);
    expect(ofKind(manifests, 'NATGateway')).toHaveLength(2);
    expect(manifest(manifests, 'FlowLog', 'processing-flow-log').spec).toMatchObject({ trafficType: 'ALL', resourceID: 'vpc-0123456789abcdef1' });
    expect(manifest(manifests, 'LogGroup', 'processing-flow-logs').spec.retentionDays).toBe(30);
  });

  test('S2 R-G9 Aurora PostgreSQL with a valid version, customer key, managed password, backups, log exports', () => {
    expect(manifest(manifests, 'DBCluster', 'payment-db').spec).toMatchObject({
      engine: 'aurora-postgresql',
      engineVersion: '15.12',
      kmsKeyRef: { from: { name: 'payment-processing' } },
      manageMasterUserPassword: true,
      backupRetentionPeriod: 7,
      enableCloudwatchLogsExports: ['postgresql'],
      deletionProtection: true,
    });
    expect(manifest(manifests, 'DBSubnetGroup', 'payment-db').spec.subnetRefs.map((r: any) => r.from.name)).toEqual(['processing-isolated-a', 'processing-isolated-b']);
  });

  test('S2 the database SG allows 5432 only from the app tier (and the migration runner)', () => {
    expect(manifest(manifests, 'SecurityGroup', 'payment-db-db').spec.ingressRules.map((r: any) => [r.fromPort, r.userIDGroupPairs[0].groupRef.from.name])).toEqual([
      [5432, 'payment-api-tasks'],
      [5432, 'payment-migrations-fn'],
    ]);
  });

  test('S2 the container image comes from config, on ECS Fargate behind the ALB', () => {
    expect(manifest(manifests, 'TaskDefinition', 'payment-api').spec.containerDefinitions[0].image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-processor:1.8.0');
    expect(manifest(manifests, 'Service', 'payment-api').spec.loadBalancers).toEqual([{ targetGroupRef: { from: { name: 'payment-alb-targets' } }, containerName: 'payment-api', containerPort: 8080 }]);
    expect(JSON.stringify(manifests)).not.toContain('nginx');
  });

  test('S2 a :latest image in a non-production environment is allowed but warned about', () => {
    const dev = synth((raw) => {
      raw.tier = 'non-production';
      raw.systems['payment-processing'].service.image = 'registry.example.com/payment-processor:latest';
      delete raw.systems['payment-processing'].loadBalancer.targetGroupARN;
    }, 'dev');
    expect(dev.warnings).toContain('S2-IMAGE-LATEST');
  });

  test('S2 ElastiCache Redis and SQS with a dead-letter queue', () => {
    expect(manifest(manifests, 'ReplicationGroup', 'payment-cache').spec).toMatchObject({ transitEncryptionEnabled: true, atRestEncryptionEnabled: true, multiAZEnabled: true });
    expect(JSON.parse(manifest(manifests, 'Queue', 'payments').spec.redrivePolicy).deadLetterTargetArn).toBe('arn:aws:sqs:us-east-1:123456789012:payments-dlq-prod');
  });

  test('S2 the migration runner: a Lambda in the VPC, one at a time, wired to the database and its secret', () => {
    const fn = manifest(manifests, 'Function', 'payment-migrations');
    expect(fn.spec).toMatchObject({ reservedConcurrentExecutions: 1, environment: { variables: { DB_CLUSTER_IDENTIFIER: 'payment-db-prod', DB_NAME: 'payments' } } });
    expect(fn.spec.vpcConfig.subnetRefs.map((r: any) => r.from.name)).toEqual(['processing-private-a', 'processing-private-b']);
    const actions = inlineStatements(manifest(manifests, 'Role', 'payment-migrations')).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['rds:DescribeDBClusters', 'secretsmanager:GetSecretValue', 'kms:Decrypt']));
  });

  test('S2 the app task role: database connect, the queue, nothing else', () => {
    const statements = inlineStatements(manifest(manifests, 'Role', 'payment-api-task'));
    expect(statements.map((s) => [s.Action].flat()[0])).toEqual(['rds:DescribeDBClusters', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'sqs:SendMessage', 'kms:Decrypt']);
  });

  test('S2 R-G12 alarms with descriptions and the SNS action; a dashboard', () => {
    expect(ofKind(manifests, 'MetricAlarm').map((a) => [a.metadata.name, a.spec.threshold])).toEqual([
      ['payment-api-cpu', 80],
      ['payment-db-cpu', 80],
      ['payment-cache-cpu-001', 75],
      ['payment-cache-cpu-002', 75],
      ['payments-dead-letters', 1],
      ['payment-alb-target-5xx', 10],
      ['payment-alb-elb-5xx', 5],
      ['payment-alb-unhealthy-targets', 1],
      ['payment-alb-healthy-targets', 1],
    ]);
    expect(ofKind(manifests, 'MetricAlarm').every((a) => a.spec.alarmActions[0] === 'arn:aws:sns:us-east-1:123456789012:payment-processing-alarms-prod')).toBe(true);
    expect(JSON.parse(manifest(manifests, 'Dashboard', 'payment-processing').spec.dashboardBody).widgets).toHaveLength(5);
    expect(warnings).toEqual([]);
  });

  test('S2 R-G3 cost-allocation tags on every AWS resource', () => {
    for (const m of manifests.filter((m) => m.apiVersion.startsWith('ec2.') && m.spec.tags)) {
      expect(m.spec.tags).toEqual(expect.arrayContaining([{ key: 'CostCenter', value: 'cc-1234' }, { key: 'Project', value: 'PaymentProcessing' }]));
    }
  });

  test('S2 R-G10 outputs of the endpoints and ARNs consumers need', () => {
    expect(ofKind(manifests, 'FieldExport').map((f) => f.spec.to.key)).toEqual([
      'vpcID',
      'loadBalancerDNSName',
      'loadBalancerARN',
      'databaseEndpoint',
      'databaseReaderEndpoint',
      'databaseSecretARN',
      'cachePrimaryEndpoint',
      'queueURL',
      'queueARN',
      'serviceARN',
      'targetGroupARN',
      'keyARN',
      'alarmTopicARN',
    ]);
  });

  test('S2 a total outage pages: the load balancer\'s own 5XX, and fewer healthy targets than configured with missing data as breaching', () => {
    const alarm = (name: string) => manifest(manifests, 'MetricAlarm', name).spec;
    expect(alarm('payment-alb-elb-5xx')).toMatchObject({ metricName: 'HTTPCode_ELB_5XX_Count', statistic: 'Sum', dimensions: [{ name: 'LoadBalancer', value: 'app/payment-alb-test/0123456789abcdef' }] });
    expect(alarm('payment-alb-healthy-targets')).toMatchObject({
      metricName: 'HealthyHostCount',
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      dimensions: [
        { name: 'LoadBalancer', value: 'app/payment-alb-test/0123456789abcdef' },
        { name: 'TargetGroup', value: 'targetgroup/payment-alb-tg-prod/0123456789abcdef' },
      ],
    });
    expect(alarm('payment-alb-unhealthy-targets')).toMatchObject({ metricName: 'UnHealthyHostCount', comparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  test('S2 the Redis CPU alarm watches every node: the primary moves on failover', () => {
    expect(ofKind(manifests, 'MetricAlarm').filter((a) => a.spec.namespace === 'AWS/ElastiCache').map((a) => a.spec.dimensions[0].value)).toEqual([
      'payment-cache-prod-001',
      'payment-cache-prod-002',
    ]);
  });

  test('S2 R-O6 lateBinding config: until the target group ARN is configured there is no ECS service (ACK would deregister its tasks), and synth says what to do', () => {
    const pending = synth((raw) => {
      delete raw.systems['payment-processing'].loadBalancer.targetGroupARN;
      raw.lateBinding = 'config';
    });
    expect(ofKind(pending.manifests, 'Service')).toEqual([]);
    expect(pending.warnings).toEqual(['TARGET-GROUP-PENDING']);
    expect(ofKind(pending.manifests, 'MetricAlarm').map((a) => a.metadata.name)).not.toContain('payment-alb-healthy-targets');
  });

  test('S2 minHealthyTargets above the desired task count is refused (the alarm would never clear)', () => {
    expect(() => synth((raw) => (raw.systems['payment-processing'].alarms.minHealthyTargets = 5))).toThrow(
      'systems.payment-processing.alarms.minHealthyTargets: must be at most settings.containerDesiredCount (2), or the alarm never clears',
    );
  });

  test('S2 R-O7 the public load balancer gets a WAF web ACL where the settings ask for one, associated by the operator\'s WebACLAssociation', () => {
    expect(manifest(manifests, 'WebACL', 'payment-alb-waf').spec.rules.map((r: any) => r.name)).toEqual([
      'rate-limit-per-ip',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(manifest(manifests, 'WebACLAssociation', 'payment-alb-waf').spec).toEqual({ webACLRef: { name: 'payment-alb-waf' }, loadBalancerRef: { name: 'payment-alb' } });
    const noWaf = synth((raw) => (raw.settings.waf = false));
    expect(ofKind(noWaf.manifests, 'WebACL')).toEqual([]);
    expect(ofKind(noWaf.manifests, 'WebACLAssociation')).toEqual([]);
  });
});
