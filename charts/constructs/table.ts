import { Construct } from 'constructs';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, physicalName } from './aws-context';
import { FULL_PROTECTION, protectionAnnotations, type DataProtection } from './database';
import type { IGrantable } from './iam';
import type { KmsKey } from './kms-key';

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
   * Regions holding replicas (global table, 2019 version). Replicas of a table
   * encrypted with a customer key would need that key's ARN per region, which
   * ACK cannot reference: not supported with `encryptionKey`.
   * @default - none
   */
  readonly replicaRegions?: readonly string[];
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
      (props.encryptionKey && props.replicaRegions?.length ? 'replicaRegions cannot be used with encryptionKey (ACK has no per-region key reference)' : undefined);
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
        tableReplicas: props.replicaRegions?.map((regionName) => ({ regionName })),
      },
    });
  }

  /**
   * Lets `grantee` read and write items: exactly TABLE_READ_WRITE_ACTIONS on
   * the table and its indexes (a Query on a global secondary index is
   * authorized against the index's ARN).
   */
  grantReadWrite(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPolicy({ actions: [...TABLE_READ_WRITE_ACTIONS], resources: [this.arn, `${this.arn}/index/*`] });
  }
}
