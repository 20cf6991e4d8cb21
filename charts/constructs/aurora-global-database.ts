/**
 * An Aurora global database: a primary cluster in one region, the global
 * cluster made from it, and a secondary cluster in another region that
 * replicates it (read-only until promoted). What the failover controller
 * watches and acts on: `GlobalCluster` names both members.
 */
import { Construct } from 'constructs';
import * as rds from '../../imports/rds.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, nameProblem } from '../../lib/naming';
import type { AwsRegion } from '../../lib/validation/aws';
import { physicalName } from './aws-context';
import { DatabaseCluster, FULL_PROTECTION, protectionAnnotations, type DatabaseClient, type DataProtection, type SecretKeyRef } from './database';
import type { KmsKey } from './kms-key';
import type { Network } from './network';
import { RegionScope } from './region-scope';
import { syncWave } from './sync-wave';

/** One region of the global database: its network and its own key (a cross-region encrypted replica needs one there). */
export interface GlobalDatabaseRegion {
  readonly region: AwsRegion;
  readonly network: Network;
  readonly encryptionKey: KmsKey;
  /** Peers that may connect on the engine's port in this region. */
  readonly clients: readonly DatabaseClient[];
}

export interface AuroraGlobalDatabaseProps {
  /** Kubernetes name of the global cluster; the regional clusters add `-primary` and `-secondary`. */
  readonly name: string;
  /** Checked against the maintained version table (R-G9); the same in both regions, as AWS requires. */
  readonly engineVersion: string;
  /** The same class in both regions: the promoted region carries the whole load. */
  readonly instanceClass: string;
  readonly databaseName: string;
  /**
   * The primary's master password, from a Kubernetes Secret in the namespace
   * (AWS-managed passwords are not supported for global databases; the
   * secondary takes no credentials at all).
   */
  readonly masterPassword: SecretKeyRef;
  readonly primary: GlobalDatabaseRegion;
  readonly secondary: GlobalDatabaseRegion;
  /** Instances per regional cluster (2+ is Multi-AZ in each region). @default 2 */
  readonly instancesPerRegion?: number;
  /** Days of automated backups, in each region. @default 7 */
  readonly backupRetentionDays?: number;
  /** @default FULL_PROTECTION */
  readonly protection?: DataProtection;
}

/**
 * The order ACK needs, whatever order `kubectl apply` sends the objects in:
 * the primary cluster is created alone, the global cluster is made *from* it
 * (`sourceDBClusterIdentifier`, its ARN), and the secondary joins the global
 * cluster by identifier. Until its predecessor exists each create fails with
 * a not-found error that ACK retries (not Terminal: rds-controller v1.11.1
 * `db_cluster/sdk.go`, `global_cluster/sdk.go`), so the three converge. A
 * global cluster created empty first, as in AWS's console flow, would let a
 * secondary that happens to be created first become the writer with no master
 * user: Terminal. Argo CD sync waves state the same order (primary 1, global
 * 2, secondary 3).
 */
export class AuroraGlobalDatabase extends Construct {
  readonly globalCluster: rds.GlobalCluster;
  readonly globalClusterIdentifier: string;
  readonly primary: DatabaseCluster;
  readonly secondary: DatabaseCluster;

  constructor(scope: Construct, id: string, props: AuroraGlobalDatabaseProps) {
    super(scope, id);
    this.globalClusterIdentifier = physicalName(this, AWS_NAME_RULES.rdsIdentifier, props.name);
    const problem =
      nameProblem(this.globalClusterIdentifier, AWS_NAME_RULES.rdsIdentifier) ??
      (props.primary.region === props.secondary.region ? `secondary.region must differ from primary.region (${props.primary.region})` : undefined);
    if (problem) throw new ValidationError(problem, this);
    const protection = props.protection ?? FULL_PROTECTION;
    const regional = (role: 'primary' | 'secondary', region: GlobalDatabaseRegion) =>
      new DatabaseCluster(new RegionScope(this, role === 'primary' ? 'Primary' : 'Secondary', { region: region.region }), 'Cluster', {
        name: `${props.name}-${role}`,
        engine: 'aurora-postgresql',
        engineVersion: props.engineVersion,
        instanceClass: props.instanceClass,
        instances: props.instancesPerRegion ?? 2,
        network: region.network,
        encryptionKey: region.encryptionKey,
        databaseName: props.databaseName,
        clients: region.clients,
        backupRetentionDays: props.backupRetentionDays,
        protection,
        globalMembership:
          role === 'primary'
            ? { role, masterPassword: props.masterPassword }
            : { role, globalClusterIdentifier: this.globalClusterIdentifier, sourceRegion: props.primary.region },
      });

    this.primary = regional('primary', props.primary);
    this.globalCluster = new rds.GlobalCluster(new RegionScope(this, 'Global', { region: props.primary.region }), 'Resource', {
      metadata: { name: props.name, annotations: { ...protectionAnnotations(protection, this.globalClusterIdentifier), ...syncWave(2) } },
      spec: {
        globalClusterIdentifier: this.globalClusterIdentifier,
        // Engine, version, name and encryption come from the source (AWS refuses them alongside it).
        sourceDbClusterIdentifier: this.primary.arn,
        deletionProtection: protection.deletionProtection,
      },
    });
    this.secondary = regional('secondary', props.secondary);
    for (const [cluster, wave] of [
      [this.primary, 1],
      [this.secondary, 3],
    ] as const) {
      for (const object of [cluster.cluster, ...cluster.instances]) for (const [key, value] of Object.entries(syncWave(wave))) object.metadata.addAnnotation(key, value);
    }
  }
}
