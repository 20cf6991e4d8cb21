/**
 * System S5 `dr` (SPEC S5, seed 004): the chart's behaviour per requirement,
 * and the configuration's rejections.
 */
import { describe, expect, test } from '@jest/globals';
import { DrChart } from '../../charts/dr';
import { parseEnvironment } from '../../lib/config/load';
import { AuroraGlobalDatabase } from '../../charts/constructs/aurora-global-database';
import { FailoverDns } from '../../charts/constructs/failover-dns';
import { KmsKey } from '../../charts/constructs/kms-key';
import { Network } from '../../charts/constructs/network';
import { Peer } from '../../charts/constructs/security-group';
import { deferredOf, inlineStatements, manifest, ofKind, rawEnvironment, synthSystem, synthWith } from '../support/fixtures';

const synth = (edit?: (raw: any) => void, name?: string) => synthSystem(DrChart, edit, name);
const { manifests, warnings } = synth();
const region = (object: any) => object.metadata.annotations['services.k8s.aws/region'];
const wave = (object: any) => object.metadata.annotations['argocd.argoproj.io/sync-wave'];

describe('S5 dr: regions and networks', () => {
  test('S5 primary us-east-1 and DR us-east-2: each region has its VPC (10.0.0.0/16, 10.1.0.0/16), isolated /24 subnets over two zones, flow logs', () => {
    const vpcs = ofKind(manifests, 'VPC').map((vpc) => [vpc.metadata.name, region(vpc), vpc.spec.cidrBlocks]);
    expect(vpcs).toEqual([
      ['primary-vpc', 'us-east-1', ['10.0.0.0/16']],
      ['dr-vpc', 'us-east-2', ['10.1.0.0/16']],
    ]);
    expect(ofKind(manifests, 'Subnet').map((s) => [region(s), s.spec.cidrBlock, s.spec.availabilityZone])).toEqual([
      ['us-east-1', '10.0.0.0/24', 'us-east-1a'],
      ['us-east-1', '10.0.1.0/24', 'us-east-1b'],
      ['us-east-2', '10.1.0.0/24', 'us-east-2a'],
      ['us-east-2', '10.1.1.0/24', 'us-east-2b'],
    ]);
    expect(ofKind(manifests, 'FlowLog').map(region)).toEqual(['us-east-1', 'us-east-2']);
  });

  test('S5 R-G3 tags: CostCenter Operations, Criticality High, the DR marker and each region\'s role; Environment stays the environment name', () => {
    const tags = (object: any) => Object.fromEntries(object.spec.tags.map((t: any) => [t.key, t.value]));
    const primaryVpc = tags(manifest(manifests, 'VPC', 'primary-vpc'));
    expect(primaryVpc).toMatchObject({ Environment: 'prod', CostCenter: 'Operations', Criticality: 'High', DisasterRecovery: 'true', DRRole: 'primary' });
    expect(tags(manifest(manifests, 'VPC', 'dr-vpc'))).toMatchObject({ DRRole: 'dr', DisasterRecovery: 'true' });
  });
});

describe('S5 dr: Aurora global database', () => {
  const primary = manifest(manifests, 'DBCluster', 'payments-global-primary');
  const secondary = manifest(manifests, 'DBCluster', 'payments-global-secondary');
  const global = manifest(manifests, 'GlobalCluster', 'payments-global');

  test('S5 the global cluster is made from the primary (its ARN); the secondary joins it in the DR region with its own key', () => {
    expect([region(primary), region(global), region(secondary)]).toEqual(['us-east-1', 'us-east-1', 'us-east-2']);
    expect(global.spec).toMatchObject({ globalClusterIdentifier: 'payments-global-prod', sourceDBClusterIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster:payments-global-primary-prod', deletionProtection: true });
    expect(secondary.spec).toMatchObject({ globalClusterIdentifier: 'payments-global-prod', sourceRegion: 'us-east-1', engine: 'aurora-postgresql', engineVersion: '16.8', storageEncrypted: true, kmsKeyRef: { from: { name: 'dr-data' } } });
    expect(primary.spec.kmsKeyRef).toEqual({ from: { name: 'primary-data' } });
  });

  test('S5 R-G8 the primary\'s password comes from a Secret it only references; the secondary has no master user, password or database name', () => {
    expect(primary.spec).toMatchObject({ masterUsername: 'dbadmin', masterUserPassword: { name: 'dr-db-master', key: 'password' }, databaseName: 'payments' });
    expect(primary.spec.manageMasterUserPassword).toBeUndefined();
    for (const field of ['masterUsername', 'masterUserPassword', 'manageMasterUserPassword', 'databaseName']) expect({ field, value: secondary.spec[field] }).toEqual({ field, value: undefined });
    expect(ofKind(manifests, 'Secret')).toEqual([]);
  });

  test('S5 R-G7 production: deletion protection, retain and a final snapshot on both clusters and the global cluster', () => {
    for (const object of [primary, secondary]) {
      expect(object.spec.deletionProtection).toBe(true);
      expect(object.metadata.annotations).toMatchObject({ 'services.k8s.aws/deletion-policy': 'retain', 'rds.services.k8s.aws/skip-final-snapshot': 'false' });
    }
    expect(global.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });

  test('S5 each region has its own parameter group (TLS required) and two instances: the promoted region inherits nothing', () => {
    const groups = ofKind(manifests, 'DBClusterParameterGroup').map((g) => [region(g), g.spec.parameterOverrides]);
    expect(groups).toEqual([
      ['us-east-1', { 'rds.force_ssl': '1' }],
      ['us-east-2', { 'rds.force_ssl': '1' }],
    ]);
    expect(ofKind(manifests, 'DBInstance').map((i) => [region(i), i.spec.dbClusterIdentifier, i.spec.dbInstanceClass])).toEqual([
      ['us-east-1', 'payments-global-primary-prod', 'db.r6g.large'],
      ['us-east-1', 'payments-global-primary-prod', 'db.r6g.large'],
      ['us-east-2', 'payments-global-secondary-prod', 'db.r6g.large'],
      ['us-east-2', 'payments-global-secondary-prod', 'db.r6g.large'],
    ]);
  });

  test('S5 ordering: sync waves primary 1, global 2, secondary 3 (ACK converges in any order: each create waits for its predecessor)', () => {
    expect([wave(primary), wave(global), wave(secondary)]).toEqual(['1', '2', '3']);
    expect(ofKind(manifests, 'DBInstance').map(wave)).toEqual(['1', '1', '3', '3']);
  });
});

describe('S5 dr: DynamoDB global table', () => {
  test('S5 on-demand, PITR, customer key, NEW_AND_OLD_IMAGES, a replica in us-east-2 with its key ARN and table class set explicitly', () => {
    const table = manifest(manifests, 'Table', 'payment-transactions');
    expect(region(table)).toBe('us-east-1');
    expect(table.spec).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      continuousBackups: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { enabled: true, sseType: 'KMS', kmsMasterKeyRef: { from: { name: 'primary-data' } } },
      streamSpecification: { streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' },
      tableReplicas: [{ regionName: 'us-east-2', kmsMasterKeyID: 'arn:aws:kms:us-east-2:123456789012:key/3a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7000', tableClassOverride: 'STANDARD' }],
    });
    expect(ofKind(manifests, 'GlobalTable')).toEqual([]);
  });

  test('S5 R-O6 lateBinding config: without the DR key ARN there is no replica yet, and synth says so', () => {
    const pending = synth((raw) => {
      delete raw.systems.dr.globalTable.drKeyARN;
      raw.lateBinding = 'config';
    });
    expect(manifest(pending.manifests, 'Table', 'payment-transactions').spec.tableReplicas).toEqual([]);
    expect(pending.warnings).toContain('DR-TABLE-REPLICA-PENDING');
    expect(warnings).not.toContain('DR-TABLE-REPLICA-PENDING');
  });

  test('S5 R-O6 late binding: without the DR key ARN the table is a DeferredObject whose replica names the DR key by the ARN in its status', () => {
    const late = synth((raw) => delete raw.systems.dr.globalTable.drKeyARN);
    expect(ofKind(late.manifests, 'Table')).toEqual([]);
    const deferred = deferredOf(late.manifests, 'Table', 'payment-transactions');
    expect(deferred.spec.inputs).toEqual([{ name: 'drKey', object: { apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', name: 'dr-data' } }]);
    expect(deferred.spec.template.spec.tableReplicas).toEqual([{ regionName: 'us-east-2', kmsMasterKeyID: '${drKey.status.ackResourceMetadata.arn}', tableClassOverride: 'STANDARD' }]);
    expect(late.warnings).not.toContain('DR-TABLE-REPLICA-PENDING');
  });

  test('S5 each region\'s function reads and writes its own region\'s replica, nothing else', () => {
    for (const [role, tableRegion] of [
      ['primary', 'us-east-1'],
      ['dr', 'us-east-2'],
    ]) {
      const statements = inlineStatements(manifest(manifests, 'Role', `${role}-payment-processor`)).filter((s) => String(s.Action).includes('dynamodb'));
      const arn = `arn:aws:dynamodb:${tableRegion}:123456789012:table/payment-transactions-prod`;
      expect(statements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], Resource: [arn, `${arn}/index/*`] }]);
    }
  });
});

describe('S5 dr: S3 two-way replication', () => {
  test('S5 each bucket replicates into the other (RTC, metrics, delete markers, replica modifications, the other region\'s key) with a role of its own', () => {
    const [primaryBucket, drBucket] = [manifest(manifests, 'Bucket', 'primary-documents'), manifest(manifests, 'Bucket', 'dr-documents')];
    expect([region(primaryBucket), region(drBucket)]).toEqual(['us-east-1', 'us-east-2']);
    const rule = (bucket: any) => bucket.spec.replication.rules[0];
    expect(rule(primaryBucket)).toMatchObject({
      id: 'to-dr',
      deleteMarkerReplication: { status: 'Enabled' },
      destination: {
        bucket: `arn:aws:s3:::${drBucket.spec.name}`,
        encryptionConfiguration: { replicaKMSKeyID: 'arn:aws:kms:us-east-2:123456789012:alias/dr-dr-data-prod' },
        replicationTime: { status: 'Enabled', time: { minutes: 15 } },
        metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
      },
      sourceSelectionCriteria: { sseKMSEncryptedObjects: { status: 'Enabled' }, replicaModifications: { status: 'Enabled' } },
    });
    expect(rule(drBucket)).toMatchObject({ id: 'to-primary', destination: { bucket: `arn:aws:s3:::${primaryBucket.spec.name}` } });
    expect(primaryBucket.spec.replication.roleRef).toEqual({ from: { name: 'primary-replication' } });
    expect(manifest(manifests, 'Role', 'primary-replication').spec.assumeRolePolicyDocument).toContain('s3.amazonaws.com');
    for (const bucket of [primaryBucket, drBucket]) expect(bucket.spec.versioning).toEqual({ status: 'Enabled' });
  });
});

describe('S5 dr: both regions serve, DNS fails over', () => {
  test('S5 a payment function and an HTTP API with the custom domain in each region, answering /health', () => {
    expect(ofKind(manifests, 'Function').map((f) => [region(f), f.spec.environment.variables.DR_ROLE, f.spec.code.s3Bucket])).toEqual([
      ['us-east-1', 'primary', 'dr-artifacts-123456789012-us-east-1'],
      ['us-east-2', 'dr', 'dr-artifacts-123456789012-us-east-2'],
    ]);
    expect(ofKind(manifests, 'Route').filter((r) => r.spec.routeKey === 'GET /health').map(region)).toEqual(['us-east-1', 'us-east-2']);
    expect(ofKind(manifests, 'DomainName').map((d) => [region(d), d.spec.domainName, d.spec.domainNameConfigurations[0].certificateARN.split(':')[3]])).toEqual([
      ['us-east-1', 'api.dr-payments.example.com', 'us-east-1'],
      ['us-east-2', 'api.dr-payments.example.com', 'us-east-2'],
    ]);
  });

  test('S5 health checks: HTTPS on /health of each region\'s own endpoint, every 30 s, 3 failures', () => {
    expect(ofKind(manifests, 'HealthCheck').filter((h) => h.spec.healthCheckConfig.type === 'HTTPS').map((h) => h.spec.healthCheckConfig)).toEqual(
      ['p1q2r3s4t0.execute-api.us-east-1.amazonaws.com', 'd1e2f3g4h0.execute-api.us-east-2.amazonaws.com'].map((host) => ({
        type: 'HTTPS',
        fullyQualifiedDomainName: host,
        port: 443,
        resourcePath: '/health',
        enableSNI: true,
        requestInterval: 30,
        failureThreshold: 3,
      })),
    );
  });

  test('S5 failover records: PRIMARY and SECONDARY aliases to each regional domain, each with its health check; the adopted zone is never deleted', () => {
    expect(ofKind(manifests, 'RecordSet').map((r) => r.spec)).toEqual([
      {
        hostedZoneRef: { from: { name: 'payment-api-zone' } },
        name: 'api.dr-payments.example.com.',
        recordType: 'A',
        setIdentifier: 'primary',
        failover: 'PRIMARY',
        healthCheckRef: { from: { name: 'payment-api-primary-control' } },
        aliasTarget: { dnsName: 'd-p1q2r3s4t0.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: true },
      },
      {
        hostedZoneRef: { from: { name: 'payment-api-zone' } },
        name: 'api.dr-payments.example.com.',
        recordType: 'A',
        setIdentifier: 'secondary',
        failover: 'SECONDARY',
        healthCheckRef: { from: { name: 'payment-api-secondary-control' } },
        aliasTarget: { dnsName: 'd-d1e2f3g4h0.execute-api.us-east-2.amazonaws.com', hostedZoneID: 'ZOJJZC49E0EPZ', evaluateTargetHealth: true },
      },
    ]);
    expect(manifest(manifests, 'HostedZone', 'payment-api-zone').metadata.annotations).toMatchObject({
      'services.k8s.aws/adoption-policy': 'adopt',
      'services.k8s.aws/adoption-fields': '{"id":"Z0123456789DRZONE"}',
      'services.k8s.aws/deletion-policy': 'retain',
    });
  });

  test('S5 R-O2 each record follows a traffic-control alarm the failover controller feeds, in its region; missing data keeps the last status', () => {
    const controls = ofKind(manifests, 'HealthCheck').filter((h) => h.spec.healthCheckConfig.type === 'CLOUDWATCH_METRIC');
    expect(controls.map((h) => [h.metadata.name, h.spec.healthCheckConfig.alarmIdentifier, h.spec.healthCheckConfig.insufficientDataHealthStatus])).toEqual([
      ['payment-api-primary-control', { name: 'primary-traffic-control-prod', region: 'us-east-1' }, 'LastKnownStatus'],
      ['payment-api-secondary-control', { name: 'dr-traffic-control-prod', region: 'us-east-2' }, 'LastKnownStatus'],
    ]);
    const alarm = manifest(manifests, 'MetricAlarm', 'primary-traffic-control');
    expect(alarm.spec).toMatchObject({ namespace: 'ACKSystems/Failover', metricName: 'TrafficAllowed', dimensions: [{ name: 'Control', value: 'prod-dr-primary' }], comparisonOperator: 'LessThanThreshold', threshold: 1, treatMissingData: 'missing' });
  });

  test('S5 until both regions\' regional targets are known: no records (one alone would never fail over), a warning naming what is missing; without API IDs no HTTPS checks', () => {
    const pending = synth((raw) => {
      delete raw.systems.dr.dr.regionalTarget;
      delete raw.systems.dr.dr.apiID;
      raw.lateBinding = 'config';
    });
    expect(ofKind(pending.manifests, 'RecordSet')).toEqual([]);
    expect(ofKind(pending.manifests, 'HealthCheck').map((h) => h.metadata.name)).toEqual(['payment-api-primary', 'payment-api-primary-control', 'payment-api-secondary-control']);
    expect(pending.warnings).toContain('DR-FAILOVER-DNS-PENDING');
    const created = synth((raw) => delete raw.systems.dr.dns.hostedZone.id).manifests;
    expect(manifest(created, 'HostedZone', 'payment-api-zone').metadata.annotations['services.k8s.aws/adoption-policy']).toBeUndefined();
  });

  test('S5 R-O6 late binding: without the DR region\'s API ID and regional target, its health check reads the API\'s status and its record the domain\'s target from AWS; the health alarms read the checks\' IDs', () => {
    const late = synth((raw) => {
      delete raw.systems.dr.dr.regionalTarget;
      delete raw.systems.dr.dr.apiID;
      delete raw.systems.dr.dns.healthCheckIDs;
    });
    expect(late.warnings.filter((id) => id.startsWith('DR-'))).toEqual([]);
    const check = deferredOf(late.manifests, 'HealthCheck', 'payment-api-secondary');
    expect(check.spec.inputs).toEqual([{ name: 'api', object: { apiVersion: 'apigatewayv2.services.k8s.aws/v1alpha1', kind: 'API', name: 'dr-payment-api' } }]);
    expect(check.spec.template.spec.healthCheckConfig.fullyQualifiedDomainName).toBe('${api.status.apiID}.execute-api.us-east-2.amazonaws.com');
    const record = deferredOf(late.manifests, 'RecordSet', 'payment-api-secondary');
    expect(record.spec.inputs).toEqual([{ name: 'domain', apiGatewayDomainName: { region: 'us-east-2', domainName: 'api.dr-payments.example.com' } }]);
    expect(record.spec.template.spec.aliasTarget).toEqual({ dnsName: '${domain.regionalDomainName}', hostedZoneID: '${domain.regionalHostedZoneId}', evaluateTargetHealth: true });
    // The primary's values are in config: its record and check stay plain objects.
    expect(manifest(late.manifests, 'RecordSet', 'payment-api-primary').spec.aliasTarget.dnsName).toBe('d-p1q2r3s4t0.execute-api.us-east-1.amazonaws.com');
    for (const role of ['primary', 'dr']) {
      const alarm = deferredOf(late.manifests, 'MetricAlarm', `${role}-endpoint-unhealthy`);
      expect(alarm.spec.template.spec.dimensions).toEqual([{ name: 'HealthCheckId', value: `\${${role}Check.status.id}` }]);
    }
    expect(deferredOf(late.manifests, 'Dashboard', 'dr-dashboard').spec.inputs.map((i: any) => i.object.name)).toEqual(['payment-api-primary', 'payment-api-secondary']);
    // The lookup is granted to the operator's role, for that one domain and region.
    expect(inlineStatements(manifest(late.manifests, 'Role', 'failover-operator'))).toContainEqual({ Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:us-east-2::/domainnames/api.dr-payments.example.com' });
    expect(inlineStatements(manifest(manifests, 'Role', 'failover-operator')).map((s) => s.Action)).not.toContain('apigateway:GET');
  });

  test('S5 R-O2 the FailoverGroup names every member and the policy from config (Manual, no data loss, by default), and leaves the runbook\'s freeze and request out of Git', () => {
    const [group] = ofKind(manifests, 'FailoverGroup');
    expect(group.spec).toMatchObject({
      primary: { region: 'us-east-1', dbCluster: { name: 'payments-global-primary' }, recordSet: { name: 'payment-api-primary' }, healthCheck: { name: 'payment-api-primary' }, trafficControl: 'prod-dr-primary', probes: [{ url: 'https://p1q2r3s4t0.execute-api.us-east-1.amazonaws.com/health', expectedStatus: 200 }] },
      secondary: { region: 'us-east-2', dbCluster: { name: 'payments-global-secondary' }, recordSet: { name: 'payment-api-secondary' }, healthCheck: { name: 'payment-api-secondary' }, trafficControl: 'prod-dr-secondary' },
      globalCluster: { name: 'payments-global' },
      policy: { failover: 'Manual', allowDataLoss: false, failureThreshold: 3, cooldownSeconds: 3600 },
    });
    // A runbook sets these with kubectl patch; in Git, Argo CD's self-heal would undo them.
    expect(Object.keys(group.spec)).not.toContain('freeze');
    expect(Object.keys(group.spec)).not.toContain('request');
    // Health inputs: each side's function error alarm, bucket and (replica of the) table; never the traffic-control checks, which the operator sets.
    for (const [side, role] of [['primary', 'primary'], ['secondary', 'dr']]) {
      expect(group.spec[side]).toMatchObject({ alarms: [{ name: `${role}-handler-errors` }], buckets: [{ name: `${role}-documents` }], tables: [{ name: 'payment-transactions' }] });
      expect(manifest(manifests, 'MetricAlarm', `${role}-handler-errors`).spec.metricName).toBe('Errors');
    }
    const unreplicated = ofKind(
      synth((raw) => {
        delete raw.systems.dr.globalTable.drKeyARN;
        raw.lateBinding = 'config';
      }).manifests,
      'FailoverGroup',
    )[0];
    expect([unreplicated.spec.primary.tables, unreplicated.spec.secondary.tables]).toEqual([[{ name: 'payment-transactions' }], []]);
    const automatic = ofKind(synth((raw) => (raw.systems.dr.failover = { automatic: true, allowDataLoss: true })).manifests, 'FailoverGroup')[0];
    expect(automatic.spec.policy).toMatchObject({ failover: 'Automatic', allowDataLoss: true });
  });
});

describe('S5 dr: what the failover controller may do in AWS (R-O2)', () => {
  test('R-O2 its role: describe the global database, fail it over or switch it to its two members only, keep the lost-writes snapshot, read its health inputs, publish the traffic control; assumed through EKS Pod Identity', () => {
    const role = manifest(manifests, 'Role', 'failover-operator');
    expect(inlineStatements(role)).toEqual([
      { Effect: 'Allow', Action: 'rds:DescribeGlobalClusters', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
        Resource: ['arn:aws:rds::123456789012:global-cluster:payments-global-prod', 'arn:aws:rds:us-east-1:123456789012:cluster:payments-global-primary-prod', 'arn:aws:rds:us-east-2:123456789012:cluster:payments-global-secondary-prod'],
      },
      {
        Effect: 'Allow',
        Action: 'rds:DescribeDBClusterSnapshots',
        Resource: [
          'arn:aws:rds:us-east-1:123456789012:cluster:payments-global-primary-prod',
          'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
          'arn:aws:rds:us-east-2:123456789012:cluster:payments-global-secondary-prod',
          'arn:aws:rds:us-east-2:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
        ],
      },
      {
        Effect: 'Allow',
        Action: 'rds:CopyDBClusterSnapshot',
        Resource: [
          'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
          'arn:aws:rds:us-east-2:123456789012:cluster-snapshot:rds:unplanned-global-failover-*',
          'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:lost-writes-*',
          'arn:aws:rds:us-east-2:123456789012:cluster-snapshot:lost-writes-*',
        ],
      },
      { Effect: 'Allow', Action: 'rds:AddTagsToResource', Resource: ['arn:aws:rds:us-east-1:123456789012:cluster-snapshot:lost-writes-*', 'arn:aws:rds:us-east-2:123456789012:cluster-snapshot:lost-writes-*'] },
      ...['us-east-1', 'us-east-2'].map((region, i) => ({
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:DescribeKey'],
        Resource: `arn:aws:kms:${region}:123456789012:key/*`,
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/dr-${['primary', 'dr'][i]}-data-prod` }, StringEquals: { 'kms:ViaService': `rds.${region}.amazonaws.com` } },
      })),
      { Effect: 'Allow', Action: 'route53:GetHealthCheckStatus', Resource: ['arn:aws:route53:::healthcheck/6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00', 'arn:aws:route53:::healthcheck/7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00'] },
      { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:primary-handler-errors-prod', 'arn:aws:cloudwatch:us-east-2:123456789012:alarm:dr-handler-errors-prod'] },
      { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'ACKSystems/Failover' } } },
    ]);
    expect(JSON.parse(role.spec.assumeRolePolicyDocument).Statement[0]).toMatchObject({ Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
  });
});

describe('S5 dr: alarms and dashboard', () => {
  const alarms = ofKind(manifests, 'MetricAlarm');
  const alarm = (metricName: string) => alarms.filter((a) => a.spec.metricName === metricName);

  test('S5 R-G12 replication alarms where their metrics are: Aurora lag in the DR region, S3 per direction, DynamoDB in the primary, health checks in us-east-1', () => {
    expect(alarm('AuroraGlobalDBReplicationLag').map((a) => [region(a), a.spec.dimensions, a.spec.threshold])).toEqual([
      ['us-east-2', [{ name: 'DBClusterIdentifier', value: 'payments-global-secondary-prod' }], 5000],
    ]);
    expect(alarm('ReplicationLatency').map((a) => `${a.spec.namespace} ${region(a)}`).sort()).toEqual(['AWS/DynamoDB us-east-1', 'AWS/S3 us-east-1', 'AWS/S3 us-east-2']);
    expect(alarm('OperationsFailedReplication').map(region)).toEqual(['us-east-1', 'us-east-2']);
    // A promoted cluster inherits no alarms: each region watches its own.
    expect(alarm('CPUUtilization').map((a) => [region(a), a.spec.dimensions[0].value])).toEqual([
      ['us-east-1', 'payments-global-primary-prod'],
      ['us-east-2', 'payments-global-secondary-prod'],
    ]);
    expect(alarm('HealthCheckStatus').map((a) => [region(a), a.spec.comparisonOperator, a.spec.dimensions[0].value])).toEqual([
      ['us-east-1', 'LessThanThreshold', '6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00'],
      ['us-east-1', 'LessThanThreshold', '7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00'],
    ]);
    for (const a of alarms) {
      expect(a.spec.alarmDescription.length).toBeGreaterThan(20);
      expect(a.spec.alarmActions).toHaveLength(1);
      // An alarm notifies a topic of its own region.
      expect(a.spec.alarmActions[0].split(':')[3]).toBe(region(a));
    }
  });

  test('S5 one cross-region dashboard whose every widget names its region', () => {
    const [dashboard] = ofKind(manifests, 'Dashboard');
    const widgets = JSON.parse(dashboard.spec.dashboardBody).widgets;
    // Aurora lag, S3 both ways, DynamoDB, each region's database and function, both health checks.
    expect(widgets.map((w: any) => w.properties.region).sort()).toEqual(['us-east-1', 'us-east-1', 'us-east-1', 'us-east-1', 'us-east-1', 'us-east-1', 'us-east-2', 'us-east-2', 'us-east-2', 'us-east-2']);
    for (const widget of widgets) expect(widget.properties.title).toContain(widget.properties.region);
  });
});

describe('S5 dr configuration', () => {
  const problems = (edit: (dr: any) => void) => {
    const raw = rawEnvironment();
    edit(raw.systems.dr);
    const result = parseEnvironment(raw, 'test', 'config/test.yaml');
    return 'problems' in result ? result.problems.map((p) => `${p.path}: ${p.message}`) : [];
  };

  test.each([
    ['the same region twice', (dr: any) => (dr.dr.region = 'us-east-1'), 'systems.dr.dr.region: must differ from primary.region'],
    ['overlapping VPCs', (dr: any) => (dr.dr.network.cidr = '10.0.0.0/16'), 'systems.dr.dr.network.cidr: overlaps primary.network.cidr 10.0.0.0/16'],
    ['one zone', (dr: any) => (dr.primary.network.availabilityZones = ['us-east-1a']), 'systems.dr.primary.network.availabilityZones: name at least two zones'],
    ['a certificate of the other region', (dr: any) => (dr.dr.certificateARN = dr.primary.certificateARN), 'systems.dr.dr.certificateARN: is in us-east-1'],
    ['a replica key of the primary region', (dr: any) => (dr.globalTable.drKeyARN = dr.globalTable.drKeyARN.replace('us-east-2', 'us-east-1')), 'systems.dr.globalTable.drKeyARN: is a key in us-east-1'],
    ['a name outside the zone', (dr: any) => (dr.dns.domainName = 'api.example.org'), 'systems.dr.dns.domainName: must be a name inside hostedZone.name'],
    ['a 20-second interval', (dr: any) => (dr.dns.healthCheck = { intervalSeconds: 20 }), 'systems.dr.dns.healthCheck.intervalSeconds: expected 10 or 30'],
    ['the seed\'s plaintext password idea', (dr: any) => (dr.database.masterPassword = 'TempPassword123!'), 'systems.dr.database.masterPassword: unknown field; allowed here: engineVersion, instanceClass, masterPasswordSecret'],
    ['a version outside the table', (dr: any) => (dr.database.engineVersion = '15.3'), 'systems.dr.database.engineVersion: aurora-postgresql 15.3 is not an available version'],
    ['a CostCenter other than Operations', (dr: any) => (dr.tags.CostCenter = 'engineering'), 'systems.dr.tags.CostCenter: must be "Operations"'],
  ])('S5 rejects %s, naming the field', (_, edit, expected) => {
    expect(problems(edit).some((p) => p.startsWith(expected))).toBe(true);
  });

  test('S5 the committed fixture is valid (the rejections above fail for the reason they name)', () => {
    expect(problems(() => undefined)).toEqual([]);
  });
});

describe('S5 constructs reject what cannot work, naming the prop', () => {
  const dnsProps = { name: 'api', recordName: 'api.example.com', zoneName: 'example.com', primary: {}, secondary: {} };
  test.each([
    [{ recordName: 'api.example.org' }, 'recordName api.example.org is not inside zoneName example.com'],
    [{ intervalSeconds: 20 }, 'intervalSeconds 20 must be 10 or 30'],
    [{ failureThreshold: 11 }, 'failureThreshold 11 must be 1-10'],
    [{ hostedZoneId: 'zone-1' }, 'hostedZoneId "zone-1" is not a Route 53 hosted zone ID'],
    [{ healthCheckPath: 'health' }, 'healthCheckPath "health" must start with /'],
  ])('S5 FailoverDns rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new FailoverDns(chart, 'Dns', { ...dnsProps, ...(override as object) }))).toThrow(message);
  });

  test('S5 FailoverDns with every value: two health checks and two records; with one missing: checks only, pending names it', () => {
    const endpoint = (region: string) => ({ healthCheckHost: `abc.execute-api.${region}.amazonaws.com`, aliasTarget: { dnsName: `d-abc.execute-api.${region}.amazonaws.com`, hostedZoneId: 'Z1UJRXOUMOOFQ8' } });
    const complete = synthWith((chart) => new FailoverDns(chart, 'Dns', { ...dnsProps, primary: endpoint('us-east-1'), secondary: endpoint('us-east-2') }));
    expect([ofKind(complete, 'HealthCheck').length, ofKind(complete, 'RecordSet').length]).toEqual([2, 2]);
    let pending: readonly string[] = [];
    const partial = synthWith((chart) => {
      pending = new FailoverDns(chart, 'Dns', { ...dnsProps, primary: endpoint('us-east-1'), secondary: { healthCheckHost: 'x.execute-api.us-east-2.amazonaws.com' } }).pending;
    });
    expect([ofKind(partial, 'HealthCheck').length, ofKind(partial, 'RecordSet').length, pending]).toEqual([2, 0, ['secondary.aliasTarget']]);
  });

  test('S5 AuroraGlobalDatabase refuses both members in one region', () => {
    expect(() =>
      synthWith((chart) => {
        const key = new KmsKey(chart, 'Key', { name: 'k', alias: 'alias/k', description: 'k', users: ['rds'] });
        const network = new Network(chart, 'Net', { name: 'n', cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], subnets: { isolated: 24 }, flowLogs: { retentionDays: 7 } });
        const side = { region: 'us-east-1' as const, network, encryptionKey: key, clients: [{ peer: Peer.ipv4('10.0.0.0/16'), description: 'vpc' }] };
        new AuroraGlobalDatabase(chart, 'Db', { name: 'g', engineVersion: '16.8', instanceClass: 'db.r6g.large', databaseName: 'p', masterPassword: { name: 's', key: 'k' }, primary: side, secondary: side });
      }),
    ).toThrow('secondary.region must differ from primary.region (us-east-1)');
  });
});
