import { describe, expect, test } from '@jest/globals';
import { DatabaseCluster, DatabaseInstance, dataProtectionFor, type DatabaseClusterProps, type DatabaseInstanceProps } from '../../../charts/constructs/database';
import { KmsKey } from '../../../charts/constructs/kms-key';
import { Network } from '../../../charts/constructs/network';
import { Queue } from '../../../charts/constructs/queue';
import { RedisCluster } from '../../../charts/constructs/redis-cluster';
import { SecureBucket } from '../../../charts/constructs/secure-bucket';
import { Peer, Port, SecurityGroup } from '../../../charts/constructs/security-group';
import { Table, TABLE_READ_WRITE_ACTIONS } from '../../../charts/constructs/table';
import { Role } from '../../../charts/constructs/iam';
import { RegionScope } from '../../../charts/constructs/region-scope';
import type { SystemChart } from '../../../charts/system-chart';
import { stableSuffix } from '../../../lib/naming';
import { environment, inlineStatements, manifest, ofKind, rawEnvironment, synthWith } from '../../support/fixtures';

function fixtures(chart: SystemChart) {
  const key = new KmsKey(chart, 'Key', { name: 'data', alias: 'alias/data-test', description: 'test', users: ['rds', 'secretsmanager', 'dynamodb', 'elasticache', 'sqs'] });
  const network = new Network(chart, 'Network', {
    name: 'net',
    cidr: '10.0.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: { private: 20, isolated: 24 },
    flowLogs: { retentionDays: 30 },
    vpcId: 'vpc-0123456789abcdef0',
  });
  return { key, network };
}

const clusterProps = (chart: SystemChart): DatabaseClusterProps => {
  const { key, network } = fixtures(chart);
  return {
    name: 'db',
    engine: 'aurora-postgresql',
    engineVersion: '15.12',
    instanceClass: 'db.r7g.large',
    network,
    encryptionKey: key,
    databaseName: 'payments',
    clients: [{ peer: Peer.ipv4('10.0.0.0/16'), description: 'from the VPC' }],
  };
};

describe('DatabaseCluster (Aurora)', () => {
  const manifests = synthWith((chart) => new DatabaseCluster(chart, 'Db', clusterProps(chart)));
  const cluster = manifest(manifests, 'DBCluster', 'db');

  test('R-G8 defaults: AWS-managed master password (no secret anywhere), encrypted with the customer key', () => {
    expect(cluster.spec).toMatchObject({
      manageMasterUserPassword: true,
      masterUserSecretKMSKeyRef: { from: { name: 'data' } },
      storageEncrypted: true,
      kmsKeyRef: { from: { name: 'data' } },
      masterUsername: 'dbadmin',
    });
    expect(cluster.spec.masterUserPassword).toBeUndefined();
  });

  test('defaults: 7 days of backups, windows, PostgreSQL log exports, tags copied to snapshots', () => {
    expect(cluster.spec).toMatchObject({
      backupRetentionPeriod: 7,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      enableCloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      engine: 'aurora-postgresql',
      engineVersion: '15.12',
    });
  });

  test('R-G7 defaults: deletion protection, retained by ACK, final snapshot taken (ACK skips it otherwise)', () => {
    expect(cluster.spec.deletionProtection).toBe(true);
    expect(cluster.metadata.annotations).toMatchObject({
      'services.k8s.aws/deletion-policy': 'retain',
      'rds.services.k8s.aws/skip-final-snapshot': 'false',
      'rds.services.k8s.aws/final-db-snapshot-identifier': 'db-test-final',
    });
  });

  test('defaults: two instances in different zones (Multi-AZ), never public', () => {
    const instances = ofKind(manifests, 'DBInstance');
    expect(instances.map((i) => [i.spec.dbInstanceIdentifier, i.spec.availabilityZone, i.spec.publiclyAccessible, i.spec.dbClusterIdentifier])).toEqual([
      ['db-test-1', 'us-east-1a', false, 'db-test'],
      ['db-test-2', 'us-east-1b', false, 'db-test'],
    ]);
  });

  test('its own subnet group (isolated tier when there is one) and security group: the engine port from its clients only', () => {
    expect(manifest(manifests, 'DBSubnetGroup', 'db').spec.subnetRefs.map((r: any) => r.from.name)).toEqual(['net-isolated-a', 'net-isolated-b']);
    expect(manifest(manifests, 'SecurityGroup', 'db-db').spec.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipRanges: [{ cidrIP: '10.0.0.0/16', description: 'from the VPC' }] },
    ]);
    expect(cluster.spec.vpcSecurityGroupRefs).toEqual([{ from: { name: 'db-db' } }]);
  });

  test('R-G9 an engine version that does not exist is refused, naming the valid ones', () => {
    expect(() => synthWith((chart) => new DatabaseCluster(chart, 'Db', { ...clusterProps(chart), engineVersion: '15.3' }))).toThrow(/aurora-postgresql 15.3 is not an available version; valid 15.x: /);
  });

  test.each([
    [{ engine: 'postgres' }, 'engine postgres is not an Aurora engine; use DatabaseInstance'],
    [{ instanceClass: 'db.t4g.micro' }, 'instance class db.t4g.micro is not allowed'],
    [{ backupRetentionDays: 0 }, 'backupRetentionDays 0 must be 1-35 (0 would turn backups off)'],
    [{ databaseName: '1db' }, 'databaseName "1db" must start with a letter'],
    [{ instances: 0 }, 'instances 0 must be 1-15'],
  ])('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new DatabaseCluster(chart, 'Db', { ...clusterProps(chart), ...(override as object) }))).toThrow(message);
  });

  test('a database nobody may connect to fails synth', () => {
    expect(() => synthWith((chart) => new DatabaseCluster(chart, 'Db', { ...clusterProps(chart), clients: [] }))).toThrow(/no clients may connect; pass clients or call allowFrom/);
  });

  test('allowFrom writes both sides: ingress on the database, egress on the client', () => {
    const result = synthWith((chart) => {
      const props = clusterProps(chart);
      const app = new SecurityGroup(chart, 'App', { name: 'app', groupName: 'app-test', description: 'app', vpc: props.network });
      new DatabaseCluster(chart, 'Db', { ...props, clients: [] }).allowFrom(app, 'from the app');
    });
    expect(manifest(result, 'SecurityGroup', 'db-db').spec.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, userIDGroupPairs: [{ groupRef: { from: { name: 'app' } }, description: 'from the app' }] },
    ]);
    expect(manifest(result, 'SecurityGroup', 'app').spec.egressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, userIDGroupPairs: [{ groupRef: { from: { name: 'db-db' } }, description: 'from the app' }] },
    ]);
  });

  test('grantConnect: describe this cluster, read only its RDS-managed secret, decrypt with its key', () => {
    const result = synthWith((chart) => {
      const db = new DatabaseCluster(chart, 'Db', clusterProps(chart));
      db.grantConnect(new Role(chart, 'Role', { name: 'app', description: 'app', assumedBy: 'ecs-tasks.amazonaws.com' }));
    });
    expect(inlineStatements(manifest(result, 'Role', 'app'))).toEqual([
      { Effect: 'Allow', Action: 'rds:DescribeDBClusters', Resource: 'arn:aws:rds:us-east-1:123456789012:cluster:db-test' },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!*',
        Condition: { StringEquals: { 'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': 'arn:aws:rds:us-east-1:123456789012:cluster:db-test' } },
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:us-east-1:123456789012:key/*',
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/data-test' } },
      },
    ]);
  });

  test('PCI TLS required: a cluster parameter group with rds.force_ssl "1" (the string AWS reports), referenced by the cluster', () => {
    expect(manifest(manifests, 'DBClusterParameterGroup', 'db').spec).toEqual({
      name: 'db-test',
      family: 'aurora-postgresql15',
      description: 'db: rds.force_ssl=1 (TLS required)',
      parameterOverrides: { 'rds.force_ssl': '1' },
      tags: expect.any(Array),
    });
    expect(cluster.spec.dbClusterParameterGroupRef).toEqual({ from: { name: 'db' } });
  });

  test('PCI Performance Insights on each instance, encrypted with the database key', () => {
    expect(ofKind(manifests, 'DBInstance').map((i) => [i.spec.performanceInsightsEnabled, i.spec.performanceInsightsKMSKeyRef, i.spec.performanceInsightsRetentionPeriod])).toEqual([
      [true, { from: { name: 'data' } }, 7],
      [true, { from: { name: 'data' } }, 7],
    ]);
  });

  test('R-G7 a non-production environment that retains its data protects it like production: deletion protection and a final snapshot', () => {
    const staging = environment({ ...rawEnvironment(), tier: 'non-production', deletionPolicy: 'retain' }, 'staging');
    expect(dataProtectionFor(staging)).toEqual({ deletionProtection: true, retain: true, finalSnapshot: true });
  });

  test('R-G7 dev protection follows the environment: no deletion protection, deleted with its object', () => {
    const dev = environment({ ...rawEnvironment(), tier: 'non-production', deletionPolicy: 'delete' }, 'dev');
    const devCluster = manifest(
      synthWith((chart) => new DatabaseCluster(chart, 'Db', { ...clusterProps(chart), protection: dataProtectionFor(dev) }), dev),
      'DBCluster',
      'db',
    );
    expect(devCluster.spec.deletionProtection).toBe(false);
    expect(devCluster.metadata.annotations).toEqual({
      'services.k8s.aws/region': 'us-east-1',
      'services.k8s.aws/deletion-policy': 'delete',
      'rds.services.k8s.aws/skip-final-snapshot': 'true',
    });
  });
});

describe('DatabaseInstance (RDS)', () => {
  const props = (chart: SystemChart): DatabaseInstanceProps => ({ ...clusterProps(chart), engine: 'postgres', engineVersion: '15.13', instanceClass: 'db.t4g.medium' });
  const instance = manifest(synthWith((chart) => new DatabaseInstance(chart, 'Db', props(chart))), 'DBInstance', 'db');

  test('S3 defaults: Multi-AZ, storage autoscaling 20 to 100 GiB on gp3, postgresql and upgrade logs', () => {
    expect(instance.spec).toMatchObject({
      multiAZ: true,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageType: 'gp3',
      enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      publiclyAccessible: false,
      manageMasterUserPassword: true,
      storageEncrypted: true,
      deletionProtection: true,
    });
    expect(instance.metadata.annotations['rds.services.k8s.aws/skip-final-snapshot']).toBe('false');
  });

  test('PCI TLS required through its DB parameter group; Performance Insights where the class has it', () => {
    const manifests = synthWith((chart) => new DatabaseInstance(chart, 'Db', props(chart)));
    expect(manifest(manifests, 'DBParameterGroup', 'db').spec).toMatchObject({ family: 'postgres15', parameterOverrides: { 'rds.force_ssl': '1' } });
    expect(instance.spec).toMatchObject({ dbParameterGroupRef: { from: { name: 'db' } }, performanceInsightsEnabled: true });
    const small = manifest(synthWith((chart) => new DatabaseInstance(chart, 'Db', { ...props(chart), instanceClass: 'db.t4g.small' })), 'DBInstance', 'db');
    expect(small.spec.performanceInsightsEnabled).toBeUndefined();
  });

  test('rejects storage that cannot grow', () => {
    expect(() => synthWith((chart) => new DatabaseInstance(chart, 'Db', { ...props(chart), allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 }))).toThrow(
      'storage 100 GiB growing to 100 GiB: need 20 <= allocatedStorageGiB < maxAllocatedStorageGiB <= 65536',
    );
  });
});

describe('Table (DynamoDB)', () => {
  const build = (chart: SystemChart) =>
    new Table(chart, 'Table', {
      name: 'items',
      partitionKey: { name: 'id', type: 'S' },
      sortKey: { name: 'ts', type: 'N' },
      globalSecondaryIndexes: [{ indexName: 'ByUser', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'ts', type: 'N' } }],
      timeToLiveAttribute: 'expiresAt',
      stream: 'NEW_AND_OLD_IMAGES',
      encryptionKey: fixtures(chart).key,
    });
  const table = manifest(synthWith(build), 'Table', 'items');

  test('defaults: on-demand, PITR, encrypted, deletion protection and retained', () => {
    expect(table.spec).toMatchObject({
      tableName: 'items-test',
      billingMode: 'PAY_PER_REQUEST',
      continuousBackups: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { enabled: true, sseType: 'KMS', kmsMasterKeyRef: { from: { name: 'data' } } },
      deletionProtectionEnabled: true,
    });
    expect(table.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });

  test('keys, GSIs with projection ALL, TTL, stream; each attribute defined once', () => {
    expect(table.spec.attributeDefinitions).toEqual([
      { attributeName: 'id', attributeType: 'S' },
      { attributeName: 'ts', attributeType: 'N' },
      { attributeName: 'userId', attributeType: 'S' },
    ]);
    expect(table.spec.globalSecondaryIndexes).toEqual([
      { indexName: 'ByUser', keySchema: [{ attributeName: 'userId', keyType: 'HASH' }, { attributeName: 'ts', keyType: 'RANGE' }], projection: { projectionType: 'ALL' } },
    ]);
    expect(table.spec.timeToLive).toEqual({ attributeName: 'expiresAt', enabled: true });
    expect(table.spec.streamSpecification).toEqual({ streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  test('grantReadWrite: exactly Get/Put/Query/Update on the table and its indexes', () => {
    const result = synthWith((chart) => build(chart).grantReadWrite(new Role(chart, 'Role', { name: 'fn', description: 'fn', assumedBy: 'lambda.amazonaws.com' })));
    expect(inlineStatements(manifest(result, 'Role', 'fn'))).toEqual([
      { Effect: 'Allow', Action: [...TABLE_READ_WRITE_ACTIONS], Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/items-test', 'arn:aws:dynamodb:us-east-1:123456789012:table/items-test/index/*'] },
    ]);
    expect(TABLE_READ_WRITE_ACTIONS).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  test.each([
    [{ sortKey: { name: 'id', type: 'N' } }, 'attribute "id" is declared with two types'],
    [{ replicas: [{ region: 'us-east-2', kmsKeyArn: 'arn:aws:kms:us-east-2:123456789012:key/3a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7001' }] }, 'replicas need stream: NEW_AND_OLD_IMAGES'],
    [{ stream: 'NEW_AND_OLD_IMAGES', replicas: [{ region: 'us-east-1', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/3a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7001' }] }, "a replica cannot be in the table's own region us-east-1"],
    [{ stream: 'NEW_AND_OLD_IMAGES', replicas: [{ region: 'us-east-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/3a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7001' }] }, 'replica us-east-2: kmsKeyArn "arn:aws:kms:us-west-2'],
  ] as const)('rejects %p', (override, message) => {
    expect(() =>
      synthWith((chart) => new Table(chart, 'T', { name: 't', partitionKey: { name: 'id', type: 'S' }, encryptionKey: fixtures(chart).key, ...(override as object) })),
    ).toThrow(message);
  });
});

describe('SecureBucket', () => {
  const bucket = manifest(
    synthWith((chart) => new SecureBucket(chart, 'Bucket', { name: 'audit', nameParts: ['payments', 'test', 'audit'], lifecycleRules: [{ id: 'archive', transitions: [{ days: 30, storageClass: 'GLACIER' }], noncurrentExpirationDays: 90 }] })),
    'Bucket',
    'audit',
  );

  test('R-G4 the name carries a stable suffix: a hash of account, environment and parts, not random', () => {
    expect(bucket.spec.name).toBe(`payments-test-audit-${stableSuffix(['123456789012', 'test', 'payments', 'test', 'audit'])}`);
  });

  test('defaults: all four public access blocks, ACLs off, versioning, SSE with a bucket key, TLS-only policy', () => {
    expect(bucket.spec.publicAccessBlock).toEqual({ blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    expect(bucket.spec.ownershipControls).toEqual({ rules: [{ objectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.spec.versioning).toEqual({ status: 'Enabled' });
    expect(bucket.spec.encryption).toEqual({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }] });
    expect(JSON.parse(bucket.spec.policy).Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    expect(bucket.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(bucket.spec.tagging.tagSet).toContainEqual({ key: 'Environment', value: 'test' });
  });

  test('lifecycle rules are enabled, apply to every object and abort stale multipart uploads', () => {
    expect(bucket.spec.lifecycle.rules).toEqual([
      {
        id: 'archive',
        status: 'Enabled',
        filter: { prefix: '' },
        transitions: [{ days: 30, storageClass: 'GLACIER' }],
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  test('with a key: SSE-KMS through the alias ARN (S3 takes no key reference)', () => {
    const kms = manifest(synthWith((chart) => new SecureBucket(chart, 'B', { name: 'b', nameParts: ['x'], encryptionKey: fixtures(chart).key })), 'Bucket', 'b');
    expect(kms.spec.encryption.rules[0].applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: 'aws:kms', kmsMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:alias/data-test' });
  });

  test('S5 replicateTo: delete markers, replication time control and metrics, the replica key; the role gets exactly what S3 needs', () => {
    const result = synthWith((chart) => {
      const role = new Role(chart, 'Role', { name: 'replication', description: 'replication', assumedBy: 's3.amazonaws.com' });
      const dr = new RegionScope(chart, 'Dr', { region: 'us-east-2' });
      const drKey = new KmsKey(dr, 'DrKey', { name: 'dr-data', alias: 'alias/dr-data-test', description: 'test', users: ['s3'] });
      const source = new SecureBucket(chart, 'B', { name: 'b', nameParts: ['x'], encryptionKey: fixtures(chart).key });
      const destination = new SecureBucket(dr, 'D', { name: 'd', nameParts: ['x', 'dr'], encryptionKey: drKey });
      source.replicateTo(destination, { role, ruleId: 'to-dr', replicaModifications: true });
    });
    const destinationArn = `arn:aws:s3:::${manifest(result, 'Bucket', 'd').spec.name}`;
    expect(manifest(result, 'Bucket', 'b').spec.replication).toEqual({
      roleRef: { from: { name: 'replication' } },
      rules: [
        {
          id: 'to-dr',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: {
            bucket: destinationArn,
            encryptionConfiguration: { replicaKMSKeyID: 'arn:aws:kms:us-east-2:123456789012:alias/dr-data-test' },
            replicationTime: { status: 'Enabled', time: { minutes: 15 } },
            metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
          },
          sourceSelectionCriteria: { sseKMSEncryptedObjects: { status: 'Enabled' }, replicaModifications: { status: 'Enabled' } },
        },
      ],
    });
    expect(manifest(result, 'Bucket', 'd').spec.replication).toBeUndefined();
    const statements = inlineStatements(manifest(result, 'Role', 'replication'));
    const source = `arn:aws:s3:::${manifest(result, 'Bucket', 'b').spec.name}`;
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      [['s3:GetReplicationConfiguration', 's3:ListBucket'], source],
      [['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], `${source}/*`],
      [['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], `${destinationArn}/*`],
      ['kms:Decrypt', 'arn:aws:kms:us-east-1:123456789012:key/*'],
      [['kms:Encrypt', 'kms:GenerateDataKey'], 'arn:aws:kms:us-east-2:123456789012:key/*'],
    ]);
    expect(statements[4].Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/dr-data-test' } });
  });

  test('S5 replicateTo refuses a second destination, itself, and a bad rule ID', () => {
    const attempt = (act: (a: SecureBucket, b: SecureBucket, role: Role) => void) =>
      synthWith((chart) => {
        const role = new Role(chart, 'Role', { name: 'replication', description: 'replication', assumedBy: 's3.amazonaws.com' });
        act(new SecureBucket(chart, 'A', { name: 'a', nameParts: ['a'] }), new SecureBucket(chart, 'B', { name: 'b', nameParts: ['b'] }), role);
      });
    expect(() => attempt((a, b, role) => [1, 2].forEach(() => a.replicateTo(b, { role, ruleId: 'r' })))).toThrow('replicateTo was called twice');
    expect(() => attempt((a, _, role) => a.replicateTo(a, { role, ruleId: 'r' }))).toThrow('cannot replicate to itself');
    expect(() => attempt((a, b, role) => a.replicateTo(b, { role, ruleId: 'to dr' }))).toThrow('ruleId "to dr" must be');
  });

  test.each([
    [{ nameParts: ['Payments'] }, 'S3 bucket name'],
    [{ lifecycleRules: [{ id: 'a' }, { id: 'a' }] }, 'two lifecycle rules share an id'],
    [{ lifecycleRules: [{ id: 'a', transitions: [{ days: 0, storageClass: 'GLACIER' }] }] }, 'lifecycle rule a: transition after 0 days'],
  ] as const)('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new SecureBucket(chart, 'B', { name: 'b', nameParts: ['x'], ...(override as object) }))).toThrow(message);
  });
});

describe('SecureBucket Object Lock and access logs', () => {
  test('objectLockDays: COMPLIANCE-mode default retention, Object Lock enabled at creation', () => {
    const bucket = manifest(synthWith((chart) => new SecureBucket(chart, 'B', { name: 'b', nameParts: ['b'], objectLockDays: 365 })), 'Bucket', 'b');
    expect(bucket.spec).toMatchObject({ objectLockEnabledForBucket: true, objectLockConfiguration: { rule: { defaultRetention: { mode: 'COMPLIANCE', days: 365 } } } });
  });

  test.each([
    [{ objectLockDays: 0 }, 'objectLockDays 0 must be a whole number of days from 1 to 36500'],
  ])('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new SecureBucket(chart, 'B', { name: 'b', nameParts: ['b'], ...override }))).toThrow(message);
  });

  test('server access logs cannot go to a bucket S3 cannot deliver to (locked, or KMS-encrypted)', () => {
    expect(() =>
      synthWith((chart) => {
        const locked = new SecureBucket(chart, 'Logs', { name: 'logs', nameParts: ['logs'], objectLockDays: 30 });
        new SecureBucket(chart, 'B', { name: 'b', nameParts: ['b'], serverAccessLogs: { bucket: locked, prefix: 'b/' } });
      }),
    ).toThrow('cannot log to this bucket: it has an Object Lock default retention, which log delivery does not support');
  });
});

describe('RedisCluster', () => {
  const build = (chart: SystemChart, multiAz = true) => {
    const { key, network } = fixtures(chart);
    return new RedisCluster(chart, 'Cache', {
      name: 'cache',
      nodeType: 'cache.r7g.large',
      network,
      multiAz,
      encryptionKey: key,
      authTokenSecret: { name: 'redis-auth', key: 'token' },
      clients: [{ peer: Peer.ipv4('10.0.0.0/16'), description: 'from the VPC' }],
    });
  };

  test('defaults: encryption at rest (customer key) and in transit, AUTH from a referenced Secret, failover across zones', () => {
    const group = manifest(synthWith((chart) => build(chart)), 'ReplicationGroup', 'cache');
    expect(group.spec).toMatchObject({
      engine: 'redis',
      atRestEncryptionEnabled: true,
      kmsKeyRef: { from: { name: 'data' } },
      transitEncryptionEnabled: true,
      authToken: { name: 'redis-auth', key: 'token' },
      replicasPerNodeGroup: 1,
      automaticFailoverEnabled: true,
      multiAZEnabled: true,
      snapshotRetentionLimit: 7,
    });
  });

  test('single zone: no replica, no failover', () => {
    const group = manifest(synthWith((chart) => build(chart, false)), 'ReplicationGroup', 'cache');
    expect(group.spec).toMatchObject({ replicasPerNodeGroup: 0, automaticFailoverEnabled: false, multiAZEnabled: false });
  });

  test('rejects a node type outside the table', () => {
    expect(() =>
      synthWith((chart) => {
        const { key, network } = fixtures(chart);
        new RedisCluster(chart, 'C', { name: 'c', nodeType: 'cache.m1.small', network, multiAz: false, encryptionKey: key, authTokenSecret: { name: 's', key: 'k' } });
      }),
    ).toThrow('nodeType cache.m1.small is not allowed');
  });
});

describe('Queue', () => {
  test('a dead-letter queue, both encrypted; the redrive policy names it by ARN, and only this queue may redrive into it', () => {
    const result = synthWith((chart) => new Queue(chart, 'Q', { name: 'jobs', encryptionKey: fixtures(chart).key }));
    const queue = manifest(result, 'Queue', 'jobs');
    const dlq = manifest(result, 'Queue', 'jobs-dlq');
    expect(JSON.parse(queue.spec.redrivePolicy)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:jobs-dlq-test', maxReceiveCount: 5 });
    expect(JSON.parse(dlq.spec.redriveAllowPolicy)).toEqual({ redrivePermission: 'byQueue', sourceQueueArns: ['arn:aws:sqs:us-east-1:123456789012:jobs-test'] });
    for (const q of [queue, dlq]) expect(q.spec.kmsMasterKeyRef).toEqual({ from: { name: 'data' } });
    expect(dlq.spec.messageRetentionPeriod).toBe('1209600');
    expect(queue.spec.tags).toMatchObject({ Environment: 'test' });
  });

  test.each([
    [{ retentionDays: 15 }, 'retentionDays 15 must be 1-14'],
    [{ maxReceiveCount: 0 }, 'maxReceiveCount 0 must be 1-1000'],
  ])('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new Queue(chart, 'Q', { name: 'q', encryptionKey: fixtures(chart).key, ...override }))).toThrow(message);
  });
});

describe('SecurityGroup peers', () => {
  const group = (ingress: Parameters<SecurityGroup['addIngress']>[0][]) =>
    synthWith((chart) => new SecurityGroup(chart, 'Sg', { name: 'sg', groupName: 'web-test', description: 'd', vpc: fixtures(chart).network, ingress }));

  test('the internet only with a written reason, and only on 80/443', () => {
    const sg = manifest(group([{ peer: Peer.anyIpv4('public load balancer for customers'), port: Port.tcp(443), description: 'HTTPS' }]), 'SecurityGroup', 'sg');
    expect(sg.spec.ingressRules[0].ipRanges).toEqual([{ cidrIP: '0.0.0.0/0', description: 'HTTPS (public load balancer for customers)' }]);
    expect(() => group([{ peer: Peer.anyIpv4('public load balancer for customers'), port: Port.tcp(22), description: 'SSH' }])).toThrow(
      'ingress from 0.0.0.0/0 on 22/tcp is refused; the internet may only reach ports 80 and 443 of a load balancer',
    );
    expect(() => Peer.anyIpv4('because')).toThrow('Peer.anyIpv4 needs a written reason');
  });

  test('a prefix list peer', () => {
    const sg = manifest(group([{ peer: Peer.prefixList('pl-63a5400a'), port: Port.tcp(443), description: 'S3' }]), 'SecurityGroup', 'sg');
    expect(sg.spec.ingressRules[0].prefixListIDs).toEqual([{ prefixListID: 'pl-63a5400a', description: 'S3' }]);
    expect(() => Peer.prefixList('pl-x')).toThrow('prefix list "pl-x": expected a prefix list ID');
  });
});

describe('DatabaseCluster with Aurora MySQL', () => {
  test('MySQL port, MySQL log exports, a MySQL version from the table', () => {
    const manifests = synthWith((chart) => new DatabaseCluster(chart, 'Db', { ...clusterProps(chart), engine: 'aurora-mysql', engineVersion: '8.0.mysql_aurora.3.08.2' }));
    expect(manifest(manifests, 'DBCluster', 'db').spec).toMatchObject({ port: 3306, enableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'] });
    expect(manifest(manifests, 'SecurityGroup', 'db-db').spec.ingressRules[0].fromPort).toBe(3306);
    expect(manifest(manifests, 'DBClusterParameterGroup', 'db').spec).toMatchObject({ family: 'aurora-mysql8.0', parameterOverrides: { require_secure_transport: 'ON' } });
  });
});
