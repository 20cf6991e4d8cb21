import { Construct } from 'constructs';
import * as kms from '../../imports/kms.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, awsContext } from './aws-context';
import type { IGrantable } from './iam';

/** AWS services that may use a key on behalf of this account. */
export type KeyUser = 'rds' | 'dynamodb' | 's3' | 'sqs' | 'sns' | 'elasticache' | 'secretsmanager' | 'lambda' | 'logs' | 'cloudwatch' | 'cloudtrail';

const USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'];

/** Pending-window limits of KMS key deletion, in days. */
export const KEY_DELETION_WINDOW = { min: 7, max: 30 } as const;

export interface KmsKeyProps {
  /** Kubernetes object name of the key (the alias object adds `-alias`). */
  readonly name: string;
  /** Alias name, with its `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
  /** Services that may use the key; each only through itself, for this account. */
  readonly users: readonly KeyUser[];
  /**
   * Days between scheduling deletion and deletion (ACK annotation
   * `kms.services.k8s.aws/pending-window-in-days`).
   * @default 30, the longest: a deleted key makes its data unreadable
   */
  readonly deletionWindowDays?: number;
}

/**
 * A customer-managed KMS key with yearly rotation on (AWS CDK leaves it off),
 * an explicit key policy (the account administers it; each named service uses
 * it only through itself, for this account) and an alias.
 */
export class KmsKey extends Construct {
  readonly resource: kms.Key;
  readonly alias: kms.Alias;
  readonly aliasName: string;
  /** ARN of the alias; usable where a key ARN string is required and no reference exists (S3). */
  readonly aliasArn: string;
  /** An ACK reference to the key (`kmsKeyRef` and the like). */
  readonly ref: { from: { name: string } };

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const deletionWindow = props.deletionWindowDays ?? KEY_DELETION_WINDOW.max;
    const problem =
      nameProblem(`${props.name}-alias`, K8S_LABEL_NAME) ??
      nameProblem(props.alias, AWS_NAME_RULES.kmsAlias) ??
      (Number.isInteger(deletionWindow) && deletionWindow >= KEY_DELETION_WINDOW.min && deletionWindow <= KEY_DELETION_WINDOW.max
        ? undefined
        : `deletionWindowDays ${deletionWindow} is outside ${KEY_DELETION_WINDOW.min}-${KEY_DELETION_WINDOW.max}`) ??
      (props.users.length > 0 ? undefined : 'users must name at least one service; a key nothing may use is a mistake');
    if (problem) throw new ValidationError(problem, this);

    const { account, region, partition } = awsContext(this);
    const root = `arn:${partition}:iam::${account}:root`;
    const statements = [
      // Without this statement IAM policies could not grant use of the key, and nobody could manage it.
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
      ...[...new Set(props.users)].sort().map((service) =>
        service === 'cloudwatch'
          ? {
              // Alarms publishing to a topic encrypted with this key (AWS managed keys cannot allow this).
              Sid: 'CloudWatchAlarmsUse',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': account } },
            }
          : service === 'cloudtrail'
          ? {
              // CloudTrail encrypting this account's trails' log files (AWS CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail").
              Sid: 'CloudTrailEncryptLogs',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceAccount': account },
                StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*` },
              },
            }
          : service === 'logs'
          ? {
              Sid: 'CloudWatchLogsUse',
              Effect: 'Allow',
              Principal: { Service: `logs.${region}.amazonaws.com` },
              Action: USE_ACTIONS,
              Resource: '*',
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
            }
          : {
              Sid: `${service.charAt(0).toUpperCase()}${service.slice(1)}Use`,
              Effect: 'Allow',
              Principal: { AWS: root },
              Action: USE_ACTIONS,
              Resource: '*',
              Condition: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com`, 'kms:CallerAccount': account } },
            },
      ),
    ];

    this.resource = new kms.Key(this, 'Resource', {
      metadata: { name: props.name, annotations: { 'kms.services.k8s.aws/pending-window-in-days': String(deletionWindow) } },
      spec: {
        description: props.description,
        enableKeyRotation: true,
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      },
    });
    this.ref = { from: { name: props.name } };
    this.aliasName = props.alias;
    this.aliasArn = arn(this, 'kms', props.alias);
    this.alias = new kms.Alias(this, 'Alias', {
      metadata: { name: `${props.name}-alias` },
      spec: { name: props.alias, targetKeyRef: this.ref },
    });
  }

  /**
   * Lets `grantee` decrypt with this key. The key's ARN holds an ID AWS
   * invents, so the grant names the key by its alias (`kms:ResourceAliases`).
   */
  grantDecrypt(grantee: IGrantable): void {
    this.grant(grantee, ['kms:Decrypt']);
  }

  /** Lets `grantee` encrypt with this key (and make data keys), e.g. S3 writing replicas. */
  grantEncrypt(grantee: IGrantable): void {
    this.grant(grantee, ['kms:Encrypt', 'kms:GenerateDataKey']);
  }

  /** Lets `grantee` encrypt (new data keys) and decrypt, e.g. to send and receive SQS messages. */
  grantEncryptDecrypt(grantee: IGrantable): void {
    this.grant(grantee, ['kms:Decrypt', 'kms:GenerateDataKey']);
  }

  /**
   * Lets `grantee` have `service` use this key on its behalf, and only that
   * service (`kms:ViaService`): e.g. RDS copying an encrypted snapshot.
   */
  grantServiceUse(grantee: IGrantable, service: string): void {
    this.grant(grantee, ['kms:CreateGrant', 'kms:DescribeKey'], { StringEquals: { 'kms:ViaService': `${service}.${awsContext(this).region}.amazonaws.com` } });
  }

  private grant(grantee: IGrantable, actions: string[], conditions: Record<string, Record<string, string>> = {}): void {
    grantee.grantPrincipal.addToPolicy({
      actions,
      resources: [arn(this, 'kms', 'key/*')],
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': this.aliasName }, ...conditions },
    });
  }
}
