/**
 * System S3 `payment-stack` (SPEC S3, seed 002): the chart's behaviour per requirement.
 */
import { describe, expect, test } from '@jest/globals';
import { PaymentStackChart } from '../../charts/payment-stack';
import { stableSuffix } from '../../lib/naming';
import { deferredOf, inlineStatements, manifest, ofKind, synthSystem } from '../support/fixtures';

const synth = (edit?: (raw: any) => void, name?: string) => synthSystem(PaymentStackChart, edit, name);

const { manifests, warnings } = synth();

describe('S3 payment-stack', () => {
  test('S3 one reusable component; the settings table drives what differs by environment', () => {
    const dev = synth((raw) => {
      raw.tier = 'non-production';
      Object.assign(raw.settings, { logRetentionDays: 7, multiAZ: false, backupRetentionDays: 3, lambdaReservedConcurrency: 5, waf: false, auditGlacierAfterDays: 30 });
    }, 'dev').manifests;
    const pick = (m: any[]) => ({
      retention: manifest(m, 'LogGroup', 'payment-handler-logs').spec.retentionDays,
      multiAZ: manifest(m, 'DBInstance', 'payment-db').spec.multiAZ,
      backups: manifest(m, 'DBInstance', 'payment-db').spec.backupRetentionPeriod,
      concurrency: manifest(m, 'Function', 'payment-handler').spec.reservedConcurrentExecutions,
      waf: ofKind(m, 'WebACL').length,
      glacier: manifest(m, 'Bucket', 'payment-audit').spec.lifecycle.rules[0].transitions[0].days,
    });
    expect(pick(dev)).toEqual({ retention: 7, multiAZ: false, backups: 3, concurrency: 5, waf: 0, glacier: 30 });
    expect(pick(manifests)).toEqual({ retention: 30, multiAZ: true, backups: 7, concurrency: 10, waf: 1, glacier: 30 });
  });

  test('S3 VPC 10.0.0.0/16 with three private subnets, route tables and associations', () => {
    expect(manifest(manifests, 'VPC', 'payment-vpc').spec.cidrBlocks).toEqual(['10.0.0.0/16']);
    expect(ofKind(manifests, 'Subnet').map((s) => [s.spec.cidrBlock, s.spec.routeTableRefs[0].from.name])).toEqual([
      ['10.0.0.0/24', 'payment-private-a'],
      ['10.0.1.0/24', 'payment-private-b'],
      ['10.0.2.0/24', 'payment-private-c'],
    ]);
    expect(ofKind(manifests, 'RouteTable').map((t) => t.metadata.name)).toEqual(['payment-private-a', 'payment-private-b', 'payment-private-c']);
  });

  test('S3 PostgreSQL 15.x on a customer key: rotation, alias/payment-rds-<suffix>, 7-day deletion window', () => {
    const db = manifest(manifests, 'DBInstance', 'payment-db');
    expect(db.spec).toMatchObject({ engine: 'postgres', engineVersion: '15.13', kmsKeyRef: { from: { name: 'payment-rds' } }, storageEncrypted: true });
    const key = manifest(manifests, 'Key', 'payment-rds');
    expect(key.spec.enableKeyRotation).toBe(true);
    expect(key.metadata.annotations['kms.services.k8s.aws/pending-window-in-days']).toBe('7');
    expect(manifest(manifests, 'Alias', 'payment-rds-alias').spec.name).toBe('alias/payment-rds-prod');
  });

  test('S3 database: postgresql+upgrade logs, Multi-AZ, 7-day backups, windows, autoscaling to 100 GiB, 5432 from the VPC CIDR only', () => {
    expect(manifest(manifests, 'DBInstance', 'payment-db').spec).toMatchObject({
      enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      multiAZ: true,
      backupRetentionPeriod: 7,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      maxAllocatedStorage: 100,
    });
    expect(manifest(manifests, 'SecurityGroup', 'payment-db-db').spec.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipRanges: [{ cidrIP: '10.0.0.0/16', description: 'PostgreSQL from the payment VPC only' }] },
    ]);
  });

  test('S3 Lambda: current Node.js, 512 MB, 30 s, reserved concurrency, in the VPC with its own SG', () => {
    expect(manifest(manifests, 'Function', 'payment-handler').spec).toMatchObject({
      runtime: 'nodejs22.x',
      memorySize: 512,
      timeout: 30,
      reservedConcurrentExecutions: 10,
      vpcConfig: { securityGroupRefs: [{ from: { name: 'payment-handler-fn' } }] },
      environment: { variables: { TABLE_NAME: 'payment-transactions-prod', ENVIRONMENT: 'prod' } },
    });
  });

  test('S3 the role <env>-payment-lambda-role-<suffix>: its log group, DynamoDB Put/Get/Query/Update on the table, VPC execution inline (no managed policy)', () => {
    const role = manifest(manifests, 'Role', 'payment-handler');
    expect(role.spec.name).toBe('prod-payment-lambda-role-prod');
    expect(inlineStatements(role)).toEqual([
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      expect.objectContaining({ Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: '*' }),
      expect.objectContaining({ Action: expect.arrayContaining(['ec2:CreateNetworkInterface']), Condition: { ArnEquals: { 'ec2:Vpc': 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0' } } }),
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/payment-transactions-prod', 'arn:aws:dynamodb:us-east-1:123456789012:table/payment-transactions-prod/index/*'],
      },
    ]);
    expect(role.spec.policies).toBeUndefined();
  });

  test('S3 every role of the component is named <env>-payment-<purpose>-role-<suffix>', () => {
    expect(ofKind(manifests, 'Role').map((r) => r.spec.name).sort()).toEqual(['prod-payment-flow-logs-role-prod', 'prod-payment-lambda-role-prod']);
  });

  test('S3 the function egresses only to DynamoDB (its prefix list, 443) and to its database (5432), never 0.0.0.0/0', () => {
    const sg = manifest(manifests, 'SecurityGroup', 'payment-handler-fn');
    expect(sg.spec.egressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, prefixListIDs: [{ prefixListID: 'pl-02cd2c6b', description: 'HTTPS to DynamoDB through its gateway endpoint' }] },
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, userIDGroupPairs: [{ groupRef: { from: { name: 'payment-db-db' } }, description: 'PostgreSQL to the payment database' }] },
    ]);
    expect(JSON.stringify(sg)).not.toContain('0.0.0.0/0');
  });

  test('S3 the subnets reach DynamoDB through a gateway endpoint (no NAT, no internet)', () => {
    expect(ofKind(manifests, 'VPCEndpoint').map((e) => e.spec.serviceName)).toEqual(['com.amazonaws.us-east-1.dynamodb']);
    expect(ofKind(manifests, 'NATGateway')).toEqual([]);
    expect(ofKind(manifests, 'InternetGateway')).toEqual([]);
  });

  test('S3 HTTP API: POST /payment and GET /payment/{id}, CORS, access logs, a custom domain from config with its DNS record', () => {
    expect(ofKind(manifests, 'Route').map((r) => r.spec.routeKey)).toEqual(['POST /payment', 'GET /payment/{id}']);
    expect(manifest(manifests, 'API', 'payment-api').spec.corsConfiguration.allowOrigins).toEqual(['https://pay.example.com']);
    expect(manifest(manifests, 'Stage', 'payment-api-default').spec.accessLogSettings.destinationARN).toMatch(/log-group:\/aws\/apigateway\/payment-api-prod\/access$/);
    expect(manifest(manifests, 'DomainName', 'payment-api-domain').spec.domainName).toBe('api.payments.example.com');
    expect(manifest(manifests, 'RecordSet', 'payment-api-domain').spec).toMatchObject({ name: 'api.payments.example.com.', recordType: 'A' });
  });

  test('S3 without a custom domain the execute-api endpoint is the way in (exported as apiEndpoint)', () => {
    const plain = synth((raw) => delete raw.systems['payment-stack'].api.customDomain);
    expect(manifest(plain.manifests, 'API', 'payment-api').spec.disableExecuteAPIEndpoint).toBe(false);
    expect(ofKind(plain.manifests, 'DomainName')).toEqual([]);
    expect(plain.manifests.some((m) => m.kind === 'FieldExport' && m.spec.to.key === 'apiEndpoint')).toBe(true);
  });

  test('S3 WAF (rate limit 2000/IP + AWS common rule set) in prod only; its association is a stated gap, with a warning', () => {
    const rules = manifest(manifests, 'WebACL', 'payment-api-waf').spec.rules;
    expect(rules.map((r: any) => r.statement.rateBasedStatement?.limit ?? r.statement.managedRuleGroupStatement.name)).toEqual([2000, 'AWSManagedRulesCommonRuleSet']);
    expect(warnings).toEqual(['S3-WAF-NOT-ASSOCIATED']);
    // No kind or field in the ACK CRDs associates a web ACL with anything (ack-crds.md §5).
    expect(JSON.stringify(manifests)).not.toMatch(/webACLARN|WebACLAssociation|webAclArn/i);
  });

  test('S3 DynamoDB: on-demand, PITR, SSE, GSIs UserIdIndex and StatusIndex, TTL expirationTime, NEW_AND_OLD_IMAGES stream', () => {
    const table = manifest(manifests, 'Table', 'payment-transactions');
    expect(table.spec).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      continuousBackups: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { enabled: true },
      timeToLive: { attributeName: 'expirationTime', enabled: true },
      streamSpecification: { streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(table.spec.globalSecondaryIndexes.map((i: any) => [i.indexName, i.keySchema.map((k: any) => k.attributeName), i.projection.projectionType])).toEqual([
      ['UserIdIndex', ['userId', 'timestamp'], 'ALL'],
      ['StatusIndex', ['status', 'timestamp'], 'ALL'],
    ]);
  });

  test('S3 R-G4 audit bucket payments-<env>-audit-<stable suffix>; GLACIER after the env days, DEEP_ARCHIVE 90 days later, noncurrent versions kept 12 months (PCI 10.5.1)', () => {
    const bucket = manifest(manifests, 'Bucket', 'payment-audit');
    expect(bucket.spec.name).toBe(`payments-prod-audit-${stableSuffix(['123456789012', 'prod', 'payments', 'prod', 'audit'])}`);
    expect(bucket.spec.lifecycle.rules[0]).toMatchObject({
      transitions: [
        { days: 30, storageClass: 'GLACIER' },
        { days: 120, storageClass: 'DEEP_ARCHIVE' },
      ],
      noncurrentVersionTransitions: [{ noncurrentDays: 30, storageClass: 'GLACIER' }],
      noncurrentVersionExpiration: { noncurrentDays: 365 },
    });
    expect(bucket.spec.publicAccessBlock).toEqual({ blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true });
  });

  test('S3 PCI the audit bucket: SSE-KMS with the customer key and a bucket key, Object Lock in COMPLIANCE mode for a year in production, access logged', () => {
    const bucket = manifest(manifests, 'Bucket', 'payment-audit');
    expect(bucket.spec.encryption.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:alias/payment-data-prod' }, bucketKeyEnabled: true },
    ]);
    expect(bucket.spec).toMatchObject({ objectLockEnabledForBucket: true, objectLockConfiguration: { rule: { defaultRetention: { mode: 'COMPLIANCE', days: 365 } } } });
    const logs = manifest(manifests, 'Bucket', 'payment-audit-access-logs');
    expect(bucket.spec.logging).toEqual({ loggingEnabled: { targetBucket: logs.spec.name, targetPrefix: 'audit/' } });
    expect(JSON.parse(logs.spec.policy).Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket.spec.name}` }, StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
    );
    expect(logs.spec.encryption.rules[0].applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: 'AES256' });
    expect(logs.spec.lifecycle.rules[0].expiration).toEqual({ days: 365 });
    const nonProduction = synth((raw) => (raw.tier = 'non-production'));
    expect(manifest(nonProduction.manifests, 'Bucket', 'payment-audit').spec.objectLockEnabledForBucket).toBeUndefined();
  });

  test('S3 R-G12 alarms: RDS CPU, Lambda errors (10), throttles (5), API 5XX (10), each with description and the SNS action', () => {
    const alarms = ofKind(manifests, 'MetricAlarm');
    expect(alarms.map((a) => [a.spec.metricName, a.spec.threshold])).toEqual([
      ['CPUUtilization', 80],
      ['Errors', 10],
      ['Throttles', 5],
      ['5xx', 10],
    ]);
    for (const alarm of alarms) {
      expect(alarm.spec.alarmDescription.length).toBeGreaterThan(20);
      expect(alarm.spec.alarmActions).toEqual(['arn:aws:sns:us-east-1:123456789012:payment-alarms-prod']);
    }
  });

  test('S3 dashboard with RDS, Lambda, API and DynamoDB widgets', () => {
    const body = JSON.parse(manifest(manifests, 'Dashboard', 'payment-dashboard').spec.dashboardBody);
    const namespaces = body.widgets.map((w: any) => w.properties.metrics[0][0]);
    expect(new Set(namespaces)).toEqual(new Set(['AWS/RDS', 'AWS/Lambda', 'AWS/DynamoDB', 'AWS/ApiGateway']));
  });

  test('R-O6 lateBinding config: without the API ID the invoke permission and the 5XX alarm wait and synth says so', () => {
    const pending = synth((raw) => {
      delete raw.systems['payment-stack'].api.apiID;
      raw.lateBinding = 'config';
    });
    expect(ofKind(pending.manifests, 'MetricAlarm').map((a) => a.spec.metricName)).not.toContain('5xx');
    expect(manifest(pending.manifests, 'Alias', 'payment-handler-live').spec.permissions).toBeUndefined();
    expect(pending.warnings).toContain('API-ID-PENDING');
  });

  test('S3 R-O6 late binding: without the API ID the invoke permission, the 5XX alarm and the dashboard are DeferredObjects reading the API\'s status', () => {
    const late = synth((raw) => delete raw.systems['payment-stack'].api.apiID);
    expect(late.warnings).not.toContain('API-ID-PENDING');
    expect(deferredOf(late.manifests, 'MetricAlarm', 'payment-api-5xx').spec.template.spec.dimensions).toEqual([
      { name: 'ApiId', value: '${api.status.apiID}' },
      { name: 'Stage', value: '$default' },
    ]);
    for (const [kind, name] of [['Alias', 'payment-handler-live'], ['Dashboard', 'payment-dashboard'], ['MetricAlarm', 'payment-api-5xx']]) {
      expect(deferredOf(late.manifests, kind, name).spec.inputs).toEqual([{ name: 'api', object: { apiVersion: 'apigatewayv2.services.k8s.aws/v1alpha1', kind: 'API', name: 'payment-api' } }]);
    }
  });

  test('S3 R-G10 exports of every ARN and endpoint', () => {
    expect(ofKind(manifests, 'FieldExport').map((f) => f.spec.to.key)).toEqual([
      'vpcID',
      'databaseEndpoint',
      'databaseARN',
      'databaseSecretARN',
      'rdsKeyARN',
      'dataKeyARN',
      'functionARN',
      'apiID',
      'apiEndpoint',
      'tableARN',
      'tableStreamARN',
      'auditBucketARN',
      'alarmTopicARN',
    ]);
  });
});
