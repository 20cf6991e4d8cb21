import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as s3 from '../../imports/s3.services.k8s.aws';
import { ELB_LOG_DELIVERY_ACCOUNTS } from '../../lib/catalog';
import { PCI_AUDIT_LOG_ONLINE_DAYS, PCI_AUDIT_LOG_RETENTION_DAYS } from '../../lib/compliance';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, joinName, nameProblem, stableSuffix } from '../../lib/naming';
import { arn, awsContext } from './aws-context';
import { FULL_PROTECTION, protectionAnnotations, type DataProtection } from './database';
import type { IGrantable, Role } from './iam';
import type { KmsKey } from './kms-key';

export type StorageClass = 'STANDARD_IA' | 'ONEZONE_IA' | 'INTELLIGENT_TIERING' | 'GLACIER_IR' | 'GLACIER' | 'DEEP_ARCHIVE';

export interface LifecycleRule {
  readonly id: string;
  /** Current versions move to these classes after so many days. @default - none */
  readonly transitions?: readonly { readonly days: number; readonly storageClass: StorageClass }[];
  /** Noncurrent versions move after so many days of being noncurrent. @default - none */
  readonly noncurrentTransitions?: readonly { readonly days: number; readonly storageClass: StorageClass }[];
  /** Noncurrent versions are deleted after so many days. @default - kept */
  readonly noncurrentExpirationDays?: number;
  /** Current versions expire (become noncurrent) after so many days. @default - never */
  readonly expirationDays?: number;
  /** @default 7: unfinished multipart uploads cost money and hold data */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/**
 * The lifecycle of a bucket that receives logs (access logs of load balancers
 * and buckets): kept the PCI DSS retention, the first months immediately
 * readable, then archived; overwritten versions go at once (logs are written once).
 */
export const PCI_LOG_LIFECYCLE: LifecycleRule = {
  id: 'pci-retention',
  transitions: [{ days: PCI_AUDIT_LOG_ONLINE_DAYS, storageClass: 'GLACIER' }],
  expirationDays: PCI_AUDIT_LOG_RETENTION_DAYS,
  noncurrentExpirationDays: 1,
};

/** How `replicateTo` copies this bucket's objects into another bucket. */
export interface BucketReplicationOptions {
  /** Role S3 assumes to replicate (trusting `s3.amazonaws.com`); granted exactly what replication needs. */
  readonly role: Role;
  /** Rule ID; S3 echoes it, and ACK compares rules whole. */
  readonly ruleId: string;
  /**
   * Also replicate metadata changes made to replicas (replica modification
   * sync): set on both buckets of a two-way pair, so that what is written
   * during a failover comes back on failback. Replicas are never re-replicated.
   * @default false
   */
  readonly replicaModifications?: boolean;
}

export interface SecureBucketProps {
  /** Kubernetes object name. */
  readonly name: string;
  /**
   * The bucket's parts before its stable suffix, e.g. `['payments', 'prod', 'audit']`
   * → `payments-prod-audit-1a2b3c4d`. The suffix is a hash of account,
   * environment, system and these parts: globally unique, the same on every synth (R-G4).
   */
  readonly nameParts: readonly string[];
  /** @default - SSE-S3 (AES256) with a bucket key */
  readonly encryptionKey?: KmsKey;
  /** @default - none */
  readonly lifecycleRules?: readonly LifecycleRule[];
  /** @default FULL_PROTECTION (retained when its object is deleted) */
  readonly protection?: DataProtection;
  /**
   * S3 Object Lock: every new object version is immutable for so many days, in
   * COMPLIANCE mode (nobody, root included, can shorten or remove it). Can
   * never be turned off again (s3-controller v1.10.0 `bucket/hook.go`:
   * PutObjectLockConfiguration; AWS refuses to disable it).
   * @default - no Object Lock
   */
  readonly objectLockDays?: number;
  /** Where S3 writes this bucket's server access logs. @default - not logged */
  readonly serverAccessLogs?: { readonly bucket: SecureBucket; readonly prefix: string };
}

/** A statement of a bucket policy (principals are written by the caller). */
type BucketPolicyStatement = Readonly<Record<string, unknown>>;

/**
 * An S3 bucket that cannot be made public, rejects plain-HTTP access, keeps
 * every version, encrypts by default with a bucket key, and disables ACLs.
 */
export class SecureBucket extends Construct {
  readonly resource: s3.Bucket;
  readonly bucketName: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const context = awsContext(this);
    this.bucketName = joinName(AWS_NAME_RULES.s3Bucket, [
      ...props.nameParts,
      stableSuffix([context.account, context.environment.name, ...props.nameParts]),
    ]);
    const ruleIds = (props.lifecycleRules ?? []).map((r) => r.id);
    const badDays = (props.lifecycleRules ?? [])
      .flatMap((r) => [...(r.transitions ?? []), ...(r.noncurrentTransitions ?? []), ...(r.expirationDays !== undefined ? [{ days: r.expirationDays }] : [])].map((t) => [r.id, t.days] as const))
      .find(([, days]) => !Number.isInteger(days) || days < 1);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      (new Set(ruleIds).size === ruleIds.length ? undefined : 'two lifecycle rules share an id') ??
      (badDays ? `lifecycle rule ${badDays[0]}: transition after ${badDays[1]} days; days must be whole and at least 1` : undefined) ??
      (props.objectLockDays === undefined || (Number.isInteger(props.objectLockDays) && props.objectLockDays >= 1 && props.objectLockDays <= 36500)
        ? undefined
        : `objectLockDays ${props.objectLockDays} must be a whole number of days from 1 to 36500`) ??
      (props.serverAccessLogs && !/^([a-z0-9-]+\/)*$/.test(props.serverAccessLogs.prefix) ? `serverAccessLogs.prefix "${props.serverAccessLogs.prefix}" must be empty or end with /` : undefined);
    if (problem) throw new ValidationError(problem, this);

    this.arn = arn(this, 's3', this.bucketName, { region: '', account: '' });
    const protection = props.protection ?? FULL_PROTECTION;
    this.logDeliveryProblem = props.encryptionKey
      ? 'it is encrypted with a KMS key; log delivery needs SSE-S3'
      : props.objectLockDays !== undefined
        ? 'it has an Object Lock default retention, which log delivery does not support'
        : undefined;
    this.policyStatements.push({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [this.arn, `${this.arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    props.serverAccessLogs?.bucket.allowServerAccessLogs(this, props.serverAccessLogs.prefix);

    this.encryptionKey = props.encryptionKey;
    this.resource = new s3.Bucket(this, 'Resource', {
      metadata: { name: props.name, annotations: protectionAnnotations(protection, this.bucketName) },
      spec: {
        name: this.bucketName,
        // us-east-1 is the default location, which S3 rejects when named explicitly.
        createBucketConfiguration: context.region === 'us-east-1' ? undefined : { locationConstraint: context.region },
        publicAccessBlock: { blockPublicAcLs: true, ignorePublicAcLs: true, blockPublicPolicy: true, restrictPublicBuckets: true },
        ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
        encryption: {
          rules: [
            {
              applyServerSideEncryptionByDefault: props.encryptionKey
                ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.encryptionKey.aliasArn }
                : { sseAlgorithm: 'AES256' },
              bucketKeyEnabled: true,
            },
          ],
        },
        versioning: { status: 'Enabled' },
        objectLockEnabledForBucket: props.objectLockDays !== undefined ? true : undefined,
        objectLockConfiguration: props.objectLockDays !== undefined ? { rule: { defaultRetention: { mode: 'COMPLIANCE', days: props.objectLockDays } } } : undefined,
        logging: props.serverAccessLogs
          ? { loggingEnabled: { targetBucket: props.serverAccessLogs.bucket.bucketName, targetPrefix: props.serverAccessLogs.prefix } }
          : undefined,
        policy: Lazy.any({ produce: () => JSON.stringify({ Version: '2012-10-17', Statement: this.policyStatements }) }) as unknown as string,
        lifecycle: props.lifecycleRules?.length
          ? {
              rules: props.lifecycleRules.map((rule) => ({
                id: rule.id,
                status: 'Enabled',
                filter: { prefix: '' },
                transitions: rule.transitions?.map((t) => ({ days: t.days, storageClass: t.storageClass })),
                noncurrentVersionTransitions: rule.noncurrentTransitions?.map((t) => ({ noncurrentDays: t.days, storageClass: t.storageClass })),
                noncurrentVersionExpiration: rule.noncurrentExpirationDays ? { noncurrentDays: rule.noncurrentExpirationDays } : undefined,
                expiration: rule.expirationDays ? { days: rule.expirationDays } : undefined,
                abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortIncompleteMultipartUploadDays ?? 7 },
              })),
            }
          : undefined,
        replication: Lazy.any({ produce: () => this.replicationSpec() }),
      },
    });
  }

  /**
   * Lets Elastic Load Balancing write load balancer access logs of this
   * account under `prefix/` (the regional ELB account, or the log-delivery
   * service for regions opened since August 2022). ALB access logs need SSE-S3
   * on the bucket: SSE-KMS is not supported for them.
   */
  allowLoadBalancerLogs(prefix: string): void {
    if (this.logDeliveryProblem) throw new ValidationError(`load balancer access logs cannot go to this bucket: ${this.logDeliveryProblem}`, this);
    const { region, account, partition } = awsContext(this);
    const elbAccount = ELB_LOG_DELIVERY_ACCOUNTS[region];
    this.policyStatements.push({
      Sid: 'LoadBalancerAccessLogs',
      Effect: 'Allow',
      Principal: elbAccount ? { AWS: `arn:${partition}:iam::${elbAccount}:root` } : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${this.arn}/${prefix}/AWSLogs/${account}/*`,
    });
  }

  /**
   * Lets S3 server access logging of `source` (this account) write under
   * `prefix`. S3 delivers these logs only to SSE-S3 buckets without an Object
   * Lock default retention.
   */
  allowServerAccessLogs(source: SecureBucket, prefix: string): void {
    if (this.logDeliveryProblem) throw new ValidationError(`${source.node.path} cannot log to this bucket: ${this.logDeliveryProblem}`, this);
    const { account } = awsContext(this);
    this.policyStatements.push({
      Sid: `ServerAccessLogs${this.policyStatements.length}`,
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${this.arn}/${prefix}*`,
      Condition: { ArnLike: { 'aws:SourceArn': source.arn }, StringEquals: { 'aws:SourceAccount': account } },
    });
  }

  /**
   * Lets one CloudTrail trail of this account check the bucket and write its
   * log files under `AWSLogs/<account>/` (AWS CloudTrail user guide, "Amazon
   * S3 bucket policy for CloudTrail"), and only that trail (`aws:SourceArn`).
   */
  allowCloudTrail(trailArn: string): void {
    const { account } = awsContext(this);
    const principal = { Service: 'cloudtrail.amazonaws.com' };
    this.policyStatements.push(
      { Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: principal, Action: 's3:GetBucketAcl', Resource: this.arn, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
      {
        Sid: 'CloudTrailWrite',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:PutObject',
        Resource: `${this.arn}/AWSLogs/${account}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      },
    );
  }

  /** Lets `grantee` read objects. */
  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPolicy({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${this.arn}/*`] });
  }

  /** Lets `grantee` add objects (not delete or overwrite versions away: versioning keeps them). */
  grantWrite(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPolicy({ actions: ['s3:PutObject'], resources: [`${this.arn}/*`] });
  }

  private readonly policyStatements: BucketPolicyStatement[] = [];
  /** Why log delivery services cannot write here, if they cannot. */
  private logDeliveryProblem?: string;

  private readonly encryptionKey?: KmsKey;
  private replication?: { readonly destination: SecureBucket; readonly options: BucketReplicationOptions };

  /**
   * Replicates every new object version, and delete markers, into
   * `destination` (versioned, usually in another region): Replication Time
   * Control (99.99% within 15 minutes) with its metrics, objects encrypted with
   * the destination's key, and a role that may do exactly that. The rule is
   * written in the shape S3 echoes (`id`, `priority`, `filter`), because ACK
   * compares rules whole (s3-controller v1.10.0 `bucket/delta.go`).
   */
  replicateTo(destination: SecureBucket, options: BucketReplicationOptions): void {
    if (this.replication) throw new ValidationError('a bucket replicates to one destination; replicateTo was called twice', this);
    if (destination === this) throw new ValidationError('a bucket cannot replicate to itself', this);
    if (!/^[A-Za-z0-9-]{1,255}$/.test(options.ruleId)) throw new ValidationError(`ruleId "${options.ruleId}" must be 1-255 letters, digits and dashes`, this);
    this.replication = { destination, options };
    const role = options.role;
    role.addToPolicy({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.arn] });
    role.addToPolicy({ actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], resources: [`${this.arn}/*`] });
    role.addToPolicy({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [`${destination.arn}/*`] });
    this.encryptionKey?.grantDecrypt(role);
    destination.encryptionKey?.grantEncrypt(role);
  }

  private replicationSpec() {
    if (!this.replication) return undefined;
    const { destination, options } = this.replication;
    return {
      roleRef: { from: { name: options.role.resource.name } },
      rules: [
        {
          id: options.ruleId,
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: {
            bucket: destination.arn,
            // S3 accepts the alias ARN here (a key ARN holds an ID AWS invents).
            encryptionConfiguration: destination.encryptionKey ? { replicaKmsKeyId: destination.encryptionKey.aliasArn } : undefined,
            replicationTime: { status: 'Enabled', time: { minutes: 15 } },
            metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
          },
          sourceSelectionCriteria:
            this.encryptionKey || options.replicaModifications
              ? {
                  sseKmsEncryptedObjects: this.encryptionKey ? { status: 'Enabled' } : undefined,
                  replicaModifications: options.replicaModifications ? { status: 'Enabled' } : undefined,
                }
              : undefined,
        },
      ],
    };
  }
}
