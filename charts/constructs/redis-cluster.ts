import { Construct } from 'constructs';
import * as elasticache from '../../imports/elasticache.services.k8s.aws';
import { CACHE_NODE_TYPES, REDIS_VERSIONS } from '../../lib/catalog';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { physicalName } from './aws-context';
import { FULL_PROTECTION, protectionAnnotations, requireClients, type DatabaseClient, type DataProtection } from './database';
import type { KmsKey } from './kms-key';
import type { Network, SubnetTier } from './network';
import { Port, SecurityGroup } from './security-group';

const REDIS_PORT = 6379;

export interface RedisClusterProps {
  /** Kubernetes object name; base of the AWS names. */
  readonly name: string;
  /** Checked against the maintained table (R-G9). */
  readonly nodeType: string;
  /** @default 7.1 */
  readonly engineVersion?: (typeof REDIS_VERSIONS)[number];
  readonly network: Network;
  /** @default isolated, when the network has that tier, else private */
  readonly subnetTier?: SubnetTier;
  /** A replica in another zone with automatic failover. */
  readonly multiAz: boolean;
  readonly encryptionKey: KmsKey;
  /**
   * Kubernetes Secret (name and key) holding the AUTH token. Only referenced:
   * the token never appears in the manifests (R-G8).
   */
  readonly authTokenSecret: { readonly name: string; readonly key: string };
  /** Peers that may connect; add security groups with `allowFrom`. @default - none */
  readonly clients?: readonly DatabaseClient[];
  /** Days of daily snapshots (1-35). @default 7 */
  readonly snapshotRetentionDays?: number;
  /** @default FULL_PROTECTION */
  readonly protection?: DataProtection;
}

/**
 * An ElastiCache Redis replication group: encrypted at rest with a customer key
 * and in transit, AUTH required, in its own subnets and security group.
 */
export class RedisCluster extends Construct {
  readonly resource: elasticache.ReplicationGroup;
  readonly securityGroup: SecurityGroup;
  readonly replicationGroupId: string;

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    this.replicationGroupId = physicalName(this, AWS_NAME_RULES.cacheCluster, props.name);
    const snapshots = props.snapshotRetentionDays ?? 7;
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.replicationGroupId, AWS_NAME_RULES.cacheCluster) ??
      ((CACHE_NODE_TYPES as readonly string[]).includes(props.nodeType) ? undefined : `nodeType ${props.nodeType} is not allowed; use one of ${CACHE_NODE_TYPES.join(', ')}`) ??
      (Number.isInteger(snapshots) && snapshots >= 1 && snapshots <= 35 ? undefined : `snapshotRetentionDays ${snapshots} must be 1-35`) ??
      (nameProblem(props.authTokenSecret.name, K8S_LABEL_NAME) ? `authTokenSecret.name: ${nameProblem(props.authTokenSecret.name, K8S_LABEL_NAME)}` : undefined);
    if (problem) throw new ValidationError(problem, this);
    const protection = props.protection ?? FULL_PROTECTION;
    this.cacheClusterIds = Array.from({ length: props.multiAz ? 2 : 1 }, (_, i) => `${this.replicationGroupId}-00${i + 1}`);

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.name}-cache`,
      groupName: physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-cache`),
      description: `${props.name} Redis: port ${REDIS_PORT} from its clients only`,
      vpc: props.network,
      ingress: (props.clients ?? []).map((client) => ({ peer: client.peer, port: Port.tcp(REDIS_PORT), description: client.description })),
    });
    requireClients(this, this.securityGroup);
    const tier = props.subnetTier ?? (props.network.subnets.some((s) => s.tier === 'isolated') ? 'isolated' : 'private');
    const subnetGroup = new elasticache.CacheSubnetGroup(this, 'SubnetGroup', {
      metadata: { name: props.name },
      spec: { cacheSubnetGroupName: this.replicationGroupId, cacheSubnetGroupDescription: `${props.name} cache subnets (${tier})`, subnetRefs: props.network.subnetRefs(tier) },
    });
    this.resource = new elasticache.ReplicationGroup(this, 'Resource', {
      metadata: { name: props.name, annotations: protectionAnnotations(protection, this.replicationGroupId) },
      spec: {
        replicationGroupId: this.replicationGroupId,
        description: `${props.name} Redis`,
        engine: 'redis',
        engineVersion: props.engineVersion ?? '7.1',
        cacheNodeType: props.nodeType,
        numNodeGroups: 1,
        replicasPerNodeGroup: props.multiAz ? 1 : 0,
        automaticFailoverEnabled: props.multiAz,
        multiAzEnabled: props.multiAz,
        atRestEncryptionEnabled: true,
        kmsKeyRef: props.encryptionKey.ref,
        transitEncryptionEnabled: true,
        authToken: { name: props.authTokenSecret.name, key: props.authTokenSecret.key },
        port: REDIS_PORT,
        snapshotRetentionLimit: snapshots,
        snapshotWindow: '03:00-04:00',
        preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
        cacheSubnetGroupRef: { from: { name: subnetGroup.name } },
        securityGroupRefs: [{ from: { name: this.securityGroup.resource.name } }],
      },
    });
  }

  /**
   * IDs of the nodes' cache clusters (the CloudWatch dimension CacheClusterId):
   * `<group>-001` and, with Multi-AZ, its replica `<group>-002`. Either may be
   * primary: failover swaps them.
   */
  readonly cacheClusterIds: readonly string[];

  /** Lets members of `client` connect (both groups' rules). */
  allowFrom(client: SecurityGroup, description: string): void {
    this.securityGroup.allowFrom(client, Port.tcp(REDIS_PORT), description);
  }
}
