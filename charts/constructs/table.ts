import { Construct } from 'constructs';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, awsContext, physicalName } from './aws-context';
import { FULL_PROTECTION, protectionAnnotations, type DataProtection } from './database';
import type { IGrantable } from './iam';
import type { KmsKey } from './kms-key';
import { isLateBound } from './late-binding';

export interface Attribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface GlobalSecondaryIndex {
  readonly indexName: string;
  readonly partitionKey: Attribute;
  /** @default - none */
  readonly sortKey?: Attribute;
  /** @default ALL */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

export interface TableReplica {
  readonly region: string;
  /** ARN of the replica's key, in `region` (AWS assigns it: a key ID cannot be chosen). */
  readonly kmsKeyArn: string;
}

export interface TableProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** @default - `<name>-<environmentSuffix>` */
  readonly tableName?: string;
  readonly partitionKey: Attribute;
  /** @default - none */
  readonly sortKey?: Attribute;
  /** @default - none */
  readonly globalSecondaryIndexes?: readonly GlobalSecondaryIndex[];
  /** Attribute holding each item's expiry time (epoch seconds). @default - items never expire */
  readonly timeToLiveAttribute?: string;
  /** @default - no stream */
  readonly stream?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
  /** @default - the AWS managed key `aws/dynamodb` */
  readonly encryptionKey?: KmsKey;
  /**
   * Replicas in other regions (a global table, 2019.11.21 version: ACK's
   * `tableReplicas`, not the legacy `GlobalTable` kind). Each names the ARN of
   * a key in its region: ACK compares every replica field AWS reports
   * verbatim, so an omitted key or table class would requeue forever
   * (dynamodb-controller v1.9.2 `table/hooks_replica_updates.go`). Needs
   * `encryptionKey` and `stream: NEW_AND_OLD_IMAGES` (else Terminal,
   * `table/hooks.go`).
   * @default - none
   */
  readonly replicas?: readonly TableReplica[];
  /** @default FULL_PROTECTION */
  readonly protection?: DataProtection;
}

/** Actions of `grantReadWrite`: what an API handler storing and reading items needs, nothing more. */
export const TABLE_READ_WRITE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] as const;

/**
 * A DynamoDB table: on-demand, point-in-time recovery, server-side encryption,
 * deletion protection, and grants that name exact actions and ARNs.
 */
export class Table extends Construct {
  readonly resource: dynamodb.Table;
  readonly tableName: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: TableProps) {
    super(scope, id);
    this.tableName = props.tableName ?? physicalName(this, AWS_NAME_RULES.dynamodbTable, props.name);
    const attributes = [props.partitionKey, props.sortKey, ...(props.globalSecondaryIndexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey])].filter(
      (a): a is Attribute => a !== undefined,
    );
    const types = new Map<string, string>();
    let conflict: Attribute | undefined;
    for (const attribute of attributes) {
      if (types.has(attribute.name) && types.get(attribute.name) !== attribute.type) conflict ??= attribute;
      types.set(attribute.name, attribute.type);
    }
    const indexNames = (props.globalSecondaryIndexes ?? []).map((i) => i.indexName);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.tableName, AWS_NAME_RULES.dynamodbTable) ??
      (conflict ? `attribute "${conflict.name}" is declared with two types` : undefined) ??
      (new Set(indexNames).size === indexNames.length ? undefined : 'two global secondary indexes share a name') ??
      replicaProblem(props, awsContext(this).region);
    if (problem) throw new ValidationError(problem, this);
    const protection = props.protection ?? FULL_PROTECTION;
    const keySchema = (partition: Attribute, sort?: Attribute) => [
      { attributeName: partition.name, keyType: 'HASH' },
      ...(sort ? [{ attributeName: sort.name, keyType: 'RANGE' }] : []),
    ];

    this.arn = arn(this, 'dynamodb', `table/${this.tableName}`);
    this.resource = new dynamodb.Table(this, 'Resource', {
      metadata: { name: props.name, annotations: protectionAnnotations(protection, this.tableName) },
      spec: {
        tableName: this.tableName,
        billingMode: 'PAY_PER_REQUEST',
        attributeDefinitions: [...types].map(([attributeName, attributeType]) => ({ attributeName, attributeType })),
        keySchema: keySchema(props.partitionKey, props.sortKey),
        globalSecondaryIndexes: props.globalSecondaryIndexes?.map((index) => ({
          indexName: index.indexName,
          keySchema: keySchema(index.partitionKey, index.sortKey),
          projection: { projectionType: index.projection ?? 'ALL' },
        })),
        continuousBackups: { pointInTimeRecoveryEnabled: true },
        sseSpecification: { enabled: true, sseType: 'KMS', kmsMasterKeyRef: props.encryptionKey?.ref },
        deletionProtectionEnabled: protection.deletionProtection,
        timeToLive: props.timeToLiveAttribute ? { attributeName: props.timeToLiveAttribute, enabled: true } : undefined,
        streamSpecification: props.stream ? { streamEnabled: true, streamViewType: props.stream } : undefined,
        tableReplicas: props.replicas?.map((replica) => ({ regionName: replica.region, kmsMasterKeyId: replica.kmsKeyArn, tableClassOverride: 'STANDARD' })),
      },
    });
  }

  /**
   * Lets `grantee` read and write items: exactly TABLE_READ_WRITE_ACTIONS on
   * the table and its indexes (a Query on a global secondary index is
   * authorized against the index's ARN); in `region`, its replica there.
   */
  grantReadWrite(grantee: IGrantable, region?: string): void {
    const table = region ? this.arn.replace(/^(arn:[^:]+:dynamodb:)[^:]+/, `$1${region}`) : this.arn;
    grantee.grantPrincipal.addToPolicy({ actions: [...TABLE_READ_WRITE_ACTIONS], resources: [table, `${table}/index/*`] });
  }
}

function replicaProblem(props: TableProps, region: string): string | undefined {
  const replicas = props.replicas ?? [];
  if (replicas.length === 0) return undefined;
  if (!props.encryptionKey) return 'replicas need encryptionKey: each replica is encrypted with a customer key of its own region';
  if (props.stream !== 'NEW_AND_OLD_IMAGES') return 'replicas need stream: NEW_AND_OLD_IMAGES (global tables replicate through it; ACK refuses replicas without it)';
  const regions = replicas.map((r) => r.region);
  if (regions.includes(region)) return `a replica cannot be in the table's own region ${region}`;
  if (new Set(regions).size !== regions.length) return 'two replicas name the same region';
  const wrongKey = replicas.find((r) => !isLateBound(r.kmsKeyArn) && !new RegExp(`^arn:aws[a-z-]*:kms:${r.region}:\\d{12}:key/[0-9a-f-]{36}$`).test(r.kmsKeyArn));
  return wrongKey ? `replica ${wrongKey.region}: kmsKeyArn "${wrongKey.kmsKeyArn}" is not a KMS key ARN in ${wrongKey.region}` : undefined;
}
