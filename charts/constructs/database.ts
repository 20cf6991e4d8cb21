import { Construct } from 'constructs';
import * as rds from '../../imports/rds.services.k8s.aws';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';
import {
  engineVersionProblem,
  FORCE_TLS_PARAMETER,
  instanceClassProblem,
  parameterGroupFamily,
  performanceInsightsSupported,
  RDS_ENGINES,
  type RdsEngine,
} from '../../lib/catalog';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, awsContext, physicalName } from './aws-context';
import type { IGrantable } from './iam';
import type { KmsKey } from './kms-key';
import type { Network, SubnetTier } from './network';
import { Port, SecurityGroup, type Peer } from './security-group';

/** How a data store survives the deletion of its Kubernetes object (R-G7). */
export interface DataProtection {
  /** AWS deletion protection: the AWS API refuses to delete it. */
  readonly deletionProtection: boolean;
  /** ACK `deletion-policy: retain`: deleting the object leaves the AWS resource. */
  readonly retain: boolean;
  /** A final snapshot when it is deleted (ACK skips it unless told otherwise). */
  readonly finalSnapshot: boolean;
}

/** Everything on: the default of every data store construct. */
export const FULL_PROTECTION: DataProtection = { deletionProtection: true, retain: true, finalSnapshot: true };

/**
 * The protection an environment asks for, all or nothing: an environment that
 * retains its data (`deletionPolicy: retain`, always in production) also
 * protects it from deletion and snapshots it last; one whose data may go with
 * its objects (dev) does neither.
 */
export function dataProtectionFor(environment: EnvironmentConfig): DataProtection {
  const retain = environment.deletionPolicy === 'retain';
  return { deletionProtection: retain, retain, finalSnapshot: retain };
}

/** Annotations that tell ACK what to do when the object is deleted. */
export function protectionAnnotations(protection: DataProtection, identifier: string, service: 'rds' | 'other' = 'other'): Record<string, string> {
  return {
    [ACK_ANNOTATIONS.deletionPolicy]: protection.retain ? 'retain' : 'delete',
    ...(service === 'rds'
      ? {
          // rds-controller skips the final snapshot unless this says "false".
          'rds.services.k8s.aws/skip-final-snapshot': String(!protection.finalSnapshot),
          ...(protection.finalSnapshot ? { 'rds.services.k8s.aws/final-db-snapshot-identifier': `${identifier}-final` } : {}),
        }
      : {}),
  };
}

/**
 * Fails synth when a data store's security group lets nobody in: unusable, and
 * usually a forgotten `allowFrom`.
 */
export function requireClients(scope: Construct, group: SecurityGroup): void {
  scope.node.addValidation({ validate: () => (group.ingressRuleCount > 0 ? [] : [`${scope.node.path}: no clients may connect; pass clients or call allowFrom`]) });
}

/** A peer allowed to reach the database on its port. */
export interface DatabaseClient {
  readonly peer: Peer;
  readonly description: string;
}

interface DatabaseCommonProps {
  /** Kubernetes object name; also the base of the AWS identifier. */
  readonly name: string;
  /** @default - `<name>-<environmentSuffix>` */
  readonly identifier?: string;
  readonly engine: RdsEngine;
  /** Checked against the maintained version table (R-G9). */
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly network: Network;
  /** @default isolated, when the network has that tier, else private */
  readonly subnetTier?: SubnetTier;
  /** Customer-managed key for storage and for the AWS-managed master password secret. */
  readonly encryptionKey: KmsKey;
  readonly databaseName: string;
  /** @default dbadmin */
  readonly masterUsername?: string;
  /** Peers that may connect on the engine's port; add security groups with `allowFrom`. @default - none */
  readonly clients?: readonly DatabaseClient[];
  /** Days of automated backups (1-35). @default 7 */
  readonly backupRetentionDays?: number;
  /** @default 03:00-04:00 (UTC) */
  readonly preferredBackupWindow?: string;
  /** @default sun:04:30-sun:05:30 (UTC), after the backup window */
  readonly preferredMaintenanceWindow?: string;
  /** @default FULL_PROTECTION */
  readonly protection?: DataProtection;
  /** AWS name of the database's security group. @default `<name>-db-<environmentSuffix>` */
  readonly securityGroupName?: string;
}

/** Days of Performance Insights history kept: 7 is the free tier. */
const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;

/**
 * What every database shares: validation, its own security group, subnet
 * group and parameter group, and the secure settings (encryption with a
 * customer key, TLS required, AWS-managed master password, log exports,
 * backups, Performance Insights where the class has it, protection).
 */
abstract class DatabaseBase extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly subnetGroup: rds.DbSubnetGroup;
  readonly identifier: string;
  readonly port: number;
  protected readonly protection: DataProtection;
  protected readonly common: Required<Omit<DatabaseCommonProps, 'identifier' | 'subnetTier' | 'protection' | 'clients' | 'securityGroupName'>>;

  protected constructor(scope: Construct, id: string, props: DatabaseCommonProps, aurora: boolean) {
    super(scope, id);
    this.identifier = props.identifier ?? physicalName(this, AWS_NAME_RULES.rdsIdentifier, props.name);
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.identifier, AWS_NAME_RULES.rdsIdentifier) ??
      (RDS_ENGINES[props.engine].aurora === aurora ? undefined : `engine ${props.engine} ${aurora ? 'is not an Aurora engine; use DatabaseInstance' : 'is an Aurora engine; use DatabaseCluster'}`) ??
      engineVersionProblem(props.engine, props.engineVersion) ??
      instanceClassProblem(props.engine, props.instanceClass) ??
      (Number.isInteger(backupRetentionDays) && backupRetentionDays >= 1 && backupRetentionDays <= 35 ? undefined : `backupRetentionDays ${backupRetentionDays} must be 1-35 (0 would turn backups off)`) ??
      (/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(props.databaseName) ? undefined : `databaseName "${props.databaseName}" must start with a letter and hold only letters, digits and _`);
    if (problem) throw new ValidationError(problem, this);

    this.port = RDS_ENGINES[props.engine].port;
    this.protection = props.protection ?? FULL_PROTECTION;
    this.common = {
      ...props,
      masterUsername: props.masterUsername ?? 'dbadmin',
      backupRetentionDays,
      preferredBackupWindow: props.preferredBackupWindow ?? '03:00-04:00',
      preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:04:30-sun:05:30',
    };

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.name}-db`,
      groupName: props.securityGroupName ?? physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-db`),
      description: `${props.name} database: ${props.engine} port ${this.port} from its clients only`,
      vpc: props.network,
      ingress: (props.clients ?? []).map((client) => ({ peer: client.peer, port: Port.tcp(this.port), description: client.description })),
    });
    requireClients(this, this.securityGroup);
    const tier = props.subnetTier ?? (props.network.subnets.some((s) => s.tier === 'isolated') ? 'isolated' : 'private');
    this.subnetGroup = new rds.DbSubnetGroup(this, 'SubnetGroup', {
      metadata: { name: props.name },
      spec: { name: this.identifier, description: `${props.name} database subnets (${tier})`, subnetRefs: props.network.subnetRefs(tier) },
    });
    // PCI DSS 4.2.1 / 8.3.2: the engine refuses unencrypted connections.
    const tls = FORCE_TLS_PARAMETER[props.engine];
    this.parameterGroupSpec = {
      name: this.identifier,
      family: parameterGroupFamily(props.engine, props.engineVersion),
      description: `${props.name}: ${tls.name}=${tls.value} (TLS required)`,
      parameterOverrides: { [tls.name]: tls.value },
    };
  }

  /** The parameter group every subclass creates (cluster-level for Aurora). */
  protected readonly parameterGroupSpec: { name: string; family: string; description: string; parameterOverrides: Record<string, string> };

  /** ARN of the cluster or instance. */
  abstract readonly arn: string;

  /** Lets members of `client` connect on the engine's port (both groups' rules). */
  allowFrom(client: SecurityGroup, description: string): void {
    this.securityGroup.allowFrom(client, Port.tcp(this.port), description);
  }

  /**
   * Lets `grantee` find and log in to the database: describe it (endpoint and
   * master secret ARN, which AWS assigns), read only the master secret RDS
   * manages for it (matched by the tag RDS puts on it), and decrypt that
   * secret with the database's key.
   */
  grantConnect(grantee: IGrantable): void {
    const cluster = RDS_ENGINES[this.common.engine].aurora;
    const { partition, region, account } = awsContext(this);
    grantee.grantPrincipal.addToPolicy({ actions: [cluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances'], resources: [this.arn] });
    grantee.grantPrincipal.addToPolicy({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [`arn:${partition}:secretsmanager:${region}:${account}:secret:rds!*`],
      conditions: { StringEquals: { [`secretsmanager:ResourceTag/aws:rds:${cluster ? 'primaryDBClusterArn' : 'primaryDBInstanceArn'}`]: this.arn } },
    });
    this.common.encryptionKey.grantDecrypt(grantee);
  }

  /**
   * Performance Insights, encrypted with the database's key, where the
   * instance class offers it. For Aurora members ACK sends these only at
   * create (rds-controller v1.11.1 `db_instance/hooks.go`: compared only
   * without `dbClusterIdentifier`).
   */
  protected performanceInsights(instanceClass: string) {
    if (!performanceInsightsSupported(instanceClass)) return {};
    return {
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyRef: this.common.encryptionKey.ref,
      performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
    };
  }

  /**
   * The master user: AWS generates its password and keeps it in Secrets
   * Manager (R-G8: nothing secret is in git), unless a Secret is given.
   */
  protected credentials(masterPassword?: SecretKeyRef) {
    const { common } = this;
    return masterPassword
      ? { masterUsername: common.masterUsername, masterUserPassword: { name: masterPassword.name, key: masterPassword.key } }
      : { masterUsername: common.masterUsername, manageMasterUserPassword: true, masterUserSecretKmsKeyRef: common.encryptionKey.ref };
  }

  /** The spec fields every RDS database kind shares (the credentials aside). */
  protected sharedSpec() {
    const { common } = this;
    return {
      engine: common.engine,
      engineVersion: common.engineVersion,
      storageEncrypted: true,
      kmsKeyRef: common.encryptionKey.ref,
      backupRetentionPeriod: common.backupRetentionDays,
      preferredBackupWindow: common.preferredBackupWindow,
      preferredMaintenanceWindow: common.preferredMaintenanceWindow,
      enableCloudwatchLogsExports: [...RDS_ENGINES[common.engine].logExports],
      copyTagsToSnapshot: true,
      deletionProtection: this.protection.deletionProtection,
      dbSubnetGroupRef: { from: { name: this.subnetGroup.name } },
      vpcSecurityGroupRefs: [{ from: { name: this.securityGroup.resource.name } }],
    };
  }
}

/** A key of a Kubernetes Secret in the object's namespace (only referenced: its value never reaches `dist/`). */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/**
 * A cluster's part in an Aurora global database (`AuroraGlobalDatabase` sets
 * it). The primary keeps a master user whose password comes from a Secret:
 * AWS-managed passwords are not supported for global databases. A secondary
 * has no master user, password or database name (AWS refuses them for a
 * cross-region replica: InvalidParameterCombination, Terminal in ACK) and
 * joins by identifier, replicating from `sourceRegion`
 * (rds-controller v1.11.1: `globalClusterIdentifier` is sent only at create).
 */
export type GlobalMembership =
  | { readonly role: 'primary'; readonly masterPassword: SecretKeyRef }
  | { readonly role: 'secondary'; readonly globalClusterIdentifier: string; readonly sourceRegion: string };

export interface DatabaseClusterProps extends DatabaseCommonProps {
  readonly engine: 'aurora-postgresql' | 'aurora-mysql';
  /** Writer plus readers, spread over the network's zones; 2+ is Multi-AZ. @default 2 */
  readonly instances?: number;
  /** @default - a standalone cluster with an AWS-managed master password */
  readonly globalMembership?: GlobalMembership;
}

/** An Aurora cluster (PostgreSQL or MySQL) and its instances. */
export class DatabaseCluster extends DatabaseBase {
  readonly cluster: rds.DbCluster;
  readonly instances: readonly rds.DbInstance[];
  override readonly arn: string;

  constructor(scope: Construct, id: string, props: DatabaseClusterProps) {
    super(scope, id, props, true);
    const count = props.instances ?? 2;
    if (!Number.isInteger(count) || count < 1 || count > 15) throw new ValidationError(`instances ${count} must be 1-15`, this);
    this.arn = arn(this, 'rds', `cluster:${this.identifier}`);
    const membership = props.globalMembership;
    const parameterGroup = new rds.DbClusterParameterGroup(this, 'ParameterGroup', { metadata: { name: props.name }, spec: this.parameterGroupSpec });
    this.cluster = new rds.DbCluster(this, 'Cluster', {
      metadata: { name: props.name, annotations: protectionAnnotations(this.protection, this.identifier, 'rds') },
      spec: {
        ...this.sharedSpec(),
        dbClusterIdentifier: this.identifier,
        port: this.port,
        dbClusterParameterGroupRef: { from: { name: parameterGroup.name } },
        ...(membership?.role === 'secondary'
          ? { globalClusterIdentifier: membership.globalClusterIdentifier, sourceRegion: membership.sourceRegion }
          : { ...this.credentials(membership?.masterPassword), databaseName: props.databaseName }),
      },
    });
    const zones = [...new Set(props.network.subnets.map((s) => s.availabilityZone))];
    this.instances = Array.from({ length: count }, (_, i) => {
      const instanceId = `${this.identifier}-${i + 1}`;
      if (nameProblem(instanceId, AWS_NAME_RULES.rdsIdentifier)) throw new ValidationError(nameProblem(instanceId, AWS_NAME_RULES.rdsIdentifier)!, this);
      return new rds.DbInstance(this, `Instance${i + 1}`, {
        metadata: { name: `${props.name}-${i + 1}`, annotations: protectionAnnotations({ ...this.protection, finalSnapshot: false }, instanceId, 'rds') },
        spec: {
          dbInstanceIdentifier: instanceId,
          dbClusterIdentifier: this.identifier,
          dbInstanceClass: props.instanceClass,
          engine: props.engine,
          availabilityZone: zones[i % zones.length],
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          copyTagsToSnapshot: true,
          ...this.performanceInsights(props.instanceClass),
        },
      });
    });
  }
}

export interface DatabaseInstanceProps extends DatabaseCommonProps {
  readonly engine: 'postgres' | 'mysql';
  /** A standby in another zone. @default true */
  readonly multiAz?: boolean;
  /** Initial storage, GiB. @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling, GiB. @default 100 */
  readonly maxAllocatedStorageGiB?: number;
}

/** A single RDS instance (PostgreSQL or MySQL), with storage autoscaling. */
export class DatabaseInstance extends DatabaseBase {
  readonly instance: rds.DbInstance;
  override readonly arn: string;

  constructor(scope: Construct, id: string, props: DatabaseInstanceProps) {
    super(scope, id, props, false);
    const allocated = props.allocatedStorageGiB ?? 20;
    const max = props.maxAllocatedStorageGiB ?? 100;
    if (!(Number.isInteger(allocated) && allocated >= 20 && max > allocated && max <= 65536)) {
      throw new ValidationError(`storage ${allocated} GiB growing to ${max} GiB: need 20 <= allocatedStorageGiB < maxAllocatedStorageGiB <= 65536`, this);
    }
    this.arn = arn(this, 'rds', `db:${this.identifier}`);
    const parameterGroup = new rds.DbParameterGroup(this, 'ParameterGroup', { metadata: { name: props.name }, spec: this.parameterGroupSpec });
    this.instance = new rds.DbInstance(this, 'Instance', {
      metadata: { name: props.name, annotations: protectionAnnotations(this.protection, this.identifier, 'rds') },
      spec: {
        ...this.sharedSpec(),
        ...this.credentials(),
        dbInstanceIdentifier: this.identifier,
        dbInstanceClass: props.instanceClass,
        dbName: props.databaseName,
        multiAz: props.multiAz ?? true,
        allocatedStorage: allocated,
        maxAllocatedStorage: max,
        storageType: 'gp3',
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        port: this.port,
        dbParameterGroupRef: { from: { name: parameterGroup.name } },
        ...this.performanceInsights(props.instanceClass),
      },
    });
  }
}
