import { Construct } from 'constructs';
import * as cloudtrail from '../../imports/cloudtrail.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { addWarning } from '../../lib/warnings';
import { arn, physicalName } from './aws-context';
import { TrailLogging } from './aws-gaps';
import { FULL_PROTECTION, type DataProtection } from './database';
import type { KmsKey } from './kms-key';
import { defer, isLateBound, lateBound, valueOf } from './late-binding';
import { PCI_LOG_LIFECYCLE, SecureBucket } from './secure-bucket';

export interface AuditTrailProps {
  /** Kubernetes object name; base of the AWS names. */
  readonly name: string;
  /** Parts of the log bucket's name (a stable suffix is added). */
  readonly bucketNameParts: readonly string[];
  /** Encrypts the log files; its policy must let CloudTrail use it (`users: ['cloudtrail']`). */
  readonly encryptionKey: KmsKey;
  /**
   * The key's ARN, once AWS has assigned it. ACK's Trail takes `kmsKeyID` as
   * a string and writes GetTrail's key ARN back into the spec
   * (cloudtrail-controller v1.3.2, research ack-behaviour.md §6), so only the
   * key's ARN converges; with late binding the operator reads it from the
   * key's status.
   * @default - late-bound, or (config mode) no trail yet: synth warns
   */
  readonly encryptionKeyArn?: string;
  /** Where `encryptionKeyArn` is set in config, for the warning. */
  readonly encryptionKeyArnConfigPath: string;
  /** @default FULL_PROTECTION */
  readonly protection?: DataProtection;
}

/**
 * A multi-region CloudTrail trail of the account's management events, with
 * log file validation, encrypted with a customer key, into a bucket only this
 * trail may write (kept for the PCI retention), and a `TrailLogging` object
 * that makes it record: ACK creates trails stopped and never starts them.
 */
export class AuditTrail extends Construct {
  readonly bucket: SecureBucket;
  readonly trailName: string;
  readonly trail?: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.trailName = physicalName(this, AWS_NAME_RULES.cloudTrail, props.name);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.trailName, AWS_NAME_RULES.cloudTrail) ??
      (props.encryptionKeyArn === undefined || isLateBound(props.encryptionKeyArn) || /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(props.encryptionKeyArn)
        ? undefined
        : `encryptionKeyArn "${props.encryptionKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>); ACK compares it with the key ARN CloudTrail reports`);
    if (problem) throw new ValidationError(problem, this);
    const protection = props.protection ?? FULL_PROTECTION;
    const trailArn = arn(this, 'cloudtrail', `trail/${this.trailName}`);

    this.bucket = new SecureBucket(this, 'Bucket', {
      name: `${props.name}-logs`,
      nameParts: props.bucketNameParts,
      lifecycleRules: [PCI_LOG_LIFECYCLE],
      protection,
    });
    this.bucket.allowCloudTrail(trailArn);

    const key = { name: 'key', object: props.encryptionKey.resource };
    const late = props.encryptionKeyArn === undefined && lateBound(this);
    const keyArn = props.encryptionKeyArn ?? (late ? valueOf(key, 'status.ackResourceMetadata.arn') : undefined);
    if (!keyArn) {
      addWarning(this, 'TRAIL-PENDING', `no CloudTrail trail yet: its KMS key ARN is AWS's; once applied, put it (outputs ConfigMap) into ${props.encryptionKeyArnConfigPath} and synthesize again`);
      return;
    }
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      metadata: { name: props.name },
      spec: {
        name: this.trailName,
        s3BucketName: this.bucket.bucketName,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        kmsKeyId: keyArn,
      },
    });
    if (late) defer(this.trail, [key]);
    new TrailLogging(this, 'Logging', { name: props.name, trail: { resource: this.trail, trailName: this.trailName }, retain: protection.retain });
  }
}
