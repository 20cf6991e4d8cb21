/** Databases, buckets, tables: encryption, backups, protection, public access, secrets. */
import { rule, type Rule } from '../rule';
import { at, deletionPolicy, statementsOf } from '../fields';
import { known, type Json, type LintObject } from '../objects';

const DB_CLUSTER = 'rds.services.k8s.aws/DBCluster';
const DB_INSTANCE = 'rds.services.k8s.aws/DBInstance';
const BUCKET = 's3.services.k8s.aws/Bucket';
const TABLE = 'dynamodb.services.k8s.aws/Table';

/** A database that holds its own storage: a cluster, or an instance outside a cluster (Aurora members inherit theirs). */
const ownsStorage = (o: LintObject) => o.kind === DB_CLUSTER || at(o, 'spec.dbClusterIdentifier') === undefined;
const dbLabel = (o: LintObject) => (o.kind === DB_CLUSTER ? 'cluster' : 'instance');

/** The kinds whose deletion loses data. */
export const DATA_STORE_KINDS = [DB_CLUSTER, DB_INSTANCE, 'rds.services.k8s.aws/GlobalCluster', TABLE, BUCKET, 'kms.services.k8s.aws/Key', 'elasticache.services.k8s.aws/ReplicationGroup'];

/** Every string field whose name says password, with its path (a Secret reference is an object, not a string). */
function passwordFields(node: unknown, path: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => passwordFields(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Json).flatMap(([key, value]) =>
    /password/i.test(key) && typeof value === 'string' && value !== '' && known(value) ? [`${path}.${key}`] : passwordFields(value, `${path}.${key}`),
  );
}

export const DATA_RULES: Rule[] = [
  rule({
    id: 'ACKS-RDS-001',
    severity: 'error',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    description: 'A database is not encrypted at rest',
    rationale: 'Unencrypted storage, snapshots and replicas expose cardholder data to anyone who gets a copy; encryption cannot be turned on later without a copy.',
    fix: 'Set storageEncrypted: true (with kmsKeyRef to a customer key).',
    pci: ['3.5.1'],
    fsbp: ['RDS.3', 'RDS.27'],
    *check(object) {
      if (ownsStorage(object) && at(object, 'spec.storageEncrypted') !== true) yield { path: 'spec.storageEncrypted', message: `the ${dbLabel(object)} is not encrypted at rest` };
    },
  }),
  rule({
    id: 'ACKS-RDS-002',
    severity: 'warning',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    description: 'A database is encrypted with the AWS-managed key, not a customer key',
    rationale: 'Only a customer key lets you control, audit and revoke who decrypts, and share encrypted snapshots.',
    fix: 'Set kmsKeyRef (or kmsKeyID) to a customer-managed KMS key with rotation.',
    pci: ['3.6.1'],
    fsbp: [],
    *check(object) {
      if (ownsStorage(object) && at(object, 'spec.kmsKeyRef') === undefined && at(object, 'spec.kmsKeyID') === undefined) yield { path: 'spec.kmsKeyRef', message: `the ${dbLabel(object)} names no customer key` };
    },
  }),
  rule({
    id: 'ACKS-RDS-003',
    severity: 'error',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    productionOnly: true,
    description: 'A production database keeps fewer than 7 days of backups',
    rationale: 'RDS keeps one day unless told otherwise: a problem found on Monday cannot be undone from Friday\'s data.',
    fix: 'Set backupRetentionPeriod to 7 or more (35 at most).',
    pci: [],
    fsbp: ['RDS.11', 'RDS.26'],
    *check(object) {
      const days = at(object, 'spec.backupRetentionPeriod');
      if (ownsStorage(object) && !(typeof days === 'number' && days >= 7)) yield { path: 'spec.backupRetentionPeriod', message: `keeps ${days ?? 'the default 1'} day(s) of backups` };
    },
  }),
  rule({
    id: 'ACKS-RDS-004',
    severity: 'warning',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    description: 'A database exports no logs to CloudWatch Logs',
    rationale: 'Engine logs (errors, slow queries, audit) are the only record of database access; without export they stay on the host and are lost with it (seed 002).',
    fix: 'List the engine\'s log types in enableCloudwatchLogsExports (postgresql; audit, error, general, slowquery for MySQL).',
    pci: ['10.2.1'],
    fsbp: ['RDS.9', 'RDS.34'],
    *check(object) {
      if (ownsStorage(object) && !((at(object, 'spec.enableCloudwatchLogsExports') ?? []) as string[]).length) yield { path: 'spec.enableCloudwatchLogsExports', message: 'exports no logs' };
    },
  }),
  rule({
    id: 'ACKS-RDS-005',
    severity: 'error',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    productionOnly: true,
    description: 'A production database has no deletion protection',
    rationale: 'Deleting the Kubernetes object (or a prune) would delete the database (seed 003).',
    fix: 'Set deletionProtection: true, with services.k8s.aws/deletion-policy: retain.',
    pci: [],
    fsbp: ['RDS.7', 'RDS.8'],
    *check(object) {
      if (ownsStorage(object) && at(object, 'spec.deletionProtection') !== true) yield { path: 'spec.deletionProtection', message: 'deletion protection is off' };
    },
  }),
  rule({
    id: 'ACKS-RDS-006',
    severity: 'error',
    kinds: [DB_CLUSTER, DB_INSTANCE],
    productionOnly: true,
    description: 'A production database is deleted without a final snapshot (ACK\'s default)',
    rationale: 'ACK\'s rds controller skips the final snapshot unless the object says otherwise: a deleted object loses the data for good (seed 003).',
    fix: 'Annotate rds.services.k8s.aws/skip-final-snapshot: "false" and rds.services.k8s.aws/final-db-snapshot-identifier: <name>.',
    pci: [],
    fsbp: [],
    source: 'rds-controller v1.11.1 pkg/util/annotations.go:27 (skip-final-snapshot defaults to true)',
    *check(object) {
      if (ownsStorage(object) && object.manifest.metadata?.annotations?.['rds.services.k8s.aws/skip-final-snapshot'] !== 'false') {
        yield { path: 'metadata.annotations', message: 'rds.services.k8s.aws/skip-final-snapshot is not "false": no final snapshot on delete' };
      }
    },
  }),
  rule({
    id: 'ACKS-RDS-007',
    severity: 'error',
    kinds: [DB_INSTANCE],
    description: 'A database instance is publicly accessible',
    rationale: 'A public endpoint puts the database one password away from the internet.',
    fix: 'Set publiclyAccessible: false; reach it from the VPC.',
    pci: ['1.4.4'],
    fsbp: ['RDS.2'],
    *check(object) {
      if (at(object, 'spec.publiclyAccessible') === true) yield { path: 'spec.publiclyAccessible', message: 'the instance is publicly accessible' };
    },
  }),
  rule({
    id: 'ACKS-SECRET-001',
    severity: 'error',
    kinds: ['*', '/Secret'],
    description: 'A password (or a Secret\'s data) is written in the manifest',
    rationale: 'Manifests live in git and in the cluster\'s etcd; a literal password is readable by everyone who can read either (seeds 001, 003).',
    fix: 'Use manageMasterUserPassword: true (AWS keeps it), or reference a Secret made outside git (masterUserPassword: {name, key}).',
    pci: ['8.3.2', '8.6.2'],
    fsbp: [],
    *check(object) {
      if (object.kind === '/Secret') {
        if (object.manifest.data || object.manifest.stringData) yield { path: object.manifest.data ? 'data' : 'stringData', message: 'a Secret with its values in the manifest' };
        return;
      }
      for (const path of passwordFields(object.manifest.spec, 'spec')) yield { path, message: 'a literal password' };
    },
  }),
  rule({
    id: 'ACKS-S3-001',
    severity: 'error',
    kinds: [BUCKET],
    description: 'A bucket does not block all four kinds of public access',
    rationale: 'Without all four settings one ACL or policy statement can make objects public.',
    fix: 'Set publicAccessBlock.blockPublicACLs, ignorePublicACLs, blockPublicPolicy and restrictPublicBuckets to true.',
    pci: ['1.4.4'],
    fsbp: ['S3.8'],
    *check(object) {
      const block = at(object, 'spec.publicAccessBlock') ?? {};
      const off = ['blockPublicACLs', 'ignorePublicACLs', 'blockPublicPolicy', 'restrictPublicBuckets'].filter((key) => block[key] !== true);
      if (off.length) yield { path: 'spec.publicAccessBlock', message: `not set: ${off.join(', ')}` };
    },
  }),
  rule({
    id: 'ACKS-S3-002',
    severity: 'error',
    kinds: [BUCKET],
    description: 'A bucket states no default encryption',
    rationale: 'Encryption at rest must be a stated setting, not an account default someone can change.',
    fix: 'Set encryption.rules[].applyServerSideEncryptionByDefault (aws:kms with a customer key, or AES256 where a service requires it).',
    pci: ['3.5.1'],
    fsbp: ['S3.17'],
    *check(object) {
      const rules = (at(object, 'spec.encryption.rules') ?? []) as Json[];
      if (!rules.some((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm)) yield { path: 'spec.encryption', message: 'no default encryption' };
    },
  }),
  rule({
    id: 'ACKS-S3-003',
    severity: 'error',
    kinds: [BUCKET],
    description: 'A bucket does not keep versions',
    rationale: 'Without versioning an overwrite or delete loses the object; replication and Object Lock need it too (seed 004).',
    fix: 'Set versioning.status: Enabled.',
    pci: ['10.5.1'],
    fsbp: ['S3.14'],
    *check(object) {
      if (at(object, 'spec.versioning.status') !== 'Enabled') yield { path: 'spec.versioning', message: 'versioning is not Enabled' };
    },
  }),
  rule({
    id: 'ACKS-S3-004',
    severity: 'error',
    kinds: [BUCKET],
    description: 'A bucket accepts requests without TLS',
    rationale: 'Only a bucket policy denying aws:SecureTransport false keeps clients from sending data in clear text.',
    fix: 'Add a policy statement: Deny s3:* on the bucket and its objects when aws:SecureTransport is "false".',
    pci: ['4.2.1'],
    fsbp: ['S3.5'],
    *check(object) {
      const policy = at(object, 'spec.policy');
      if (!known(policy)) return;
      const denies = statementsOf(policy).statements.some((s) => s.Effect === 'Deny' && String((s.Condition as Json | undefined)?.Bool?.['aws:SecureTransport']) === 'false');
      if (!denies) yield { path: 'spec.policy', message: 'no statement denies requests without TLS (aws:SecureTransport "false")' };
    },
  }),
  rule({
    id: 'ACKS-S3-005',
    severity: 'warning',
    kinds: [BUCKET],
    description: 'A bucket has no lifecycle rules',
    rationale: 'Without lifecycle rules old versions and logs are kept (and paid for) forever, or deleted by hand without a retention policy.',
    fix: 'Add lifecycle rules: noncurrent-version expiry, and for logs the retention you must keep.',
    pci: ['3.2.1'],
    fsbp: ['S3.13'],
    *check(object) {
      if (!((at(object, 'spec.lifecycle.rules') ?? []) as unknown[]).length) yield { path: 'spec.lifecycle', message: 'no lifecycle rules' };
    },
  }),
  rule({
    id: 'ACKS-DDB-001',
    severity: 'warning',
    kinds: [TABLE],
    description: 'A table has no point-in-time recovery',
    rationale: 'Without PITR a bad write or delete can only be undone from on-demand backups, if anyone took one.',
    fix: 'Set continuousBackups.pointInTimeRecoveryEnabled: true.',
    pci: [],
    fsbp: ['DynamoDB.2'],
    *check(object) {
      if (at(object, 'spec.continuousBackups.pointInTimeRecoveryEnabled') !== true) yield { path: 'spec.continuousBackups', message: 'point-in-time recovery is off' };
    },
  }),
  rule({
    id: 'ACKS-RETAIN-001',
    severity: 'error',
    kinds: DATA_STORE_KINDS,
    productionOnly: true,
    description: 'A production data store is deleted in AWS when its object is deleted',
    rationale: 'ACK deletes the AWS resource with the object unless the deletion policy says retain: a prune or a mistaken kubectl delete loses production data (R-G7).',
    fix: 'Annotate services.k8s.aws/deletion-policy: retain (or the namespace with <service>.services.k8s.aws/deletion-policy: retain).',
    pci: [],
    fsbp: [],
    source: 'ACK runtime pkg/runtime/reconciler.go:523-538 (deletion policy)',
    *check(object, set) {
      if (object.kind === DB_INSTANCE && !ownsStorage(object)) return;
      if (deletionPolicy(object, set) !== 'retain') yield { path: 'metadata.annotations', message: 'the deletion policy is not retain' };
    },
  }),
];
