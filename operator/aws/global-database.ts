/**
 * The Aurora global database operations ACK's `GlobalCluster` cannot do
 * (rds-controller v1.11.1 has no failover, switchover or detach action), behind
 * a small interface so that the failover controller is tested at the SDK
 * boundary. Each call goes to the region AWS requires: a switchover to the
 * current primary's region, a failover to the target's (the primary's region
 * may be the one that is down), a describe to the region asked.
 */
import { CopyDBClusterSnapshotCommand, DBClusterSnapshotAlreadyExistsFault, DescribeDBClusterSnapshotsCommand, DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { RegionalClients } from './regional-clients';

/** The manual copies of lost-writes snapshots are named `lost-writes-<cluster>-<time>`. */
export const LOST_WRITES_COPY_PREFIX = 'lost-writes-';

/** `rds:unplanned-global-failover-<cluster>-<time>` → `lost-writes-<cluster>-<time>`: the same name on every attempt. */
export function lostWritesCopyName(snapshot: string): string {
  return `${LOST_WRITES_COPY_PREFIX}${snapshot.replace(/^rds:unplanned-global-failover-/, '')}`.slice(0, 255).replace(/-+$/, '');
}

export interface GlobalDatabaseMember {
  readonly clusterArn: string;
  readonly writer: boolean;
  /** `connected` once a secondary has caught up; `pending-resync` while it has not. */
  readonly synchronizationStatus?: string;
}

export interface GlobalDatabaseState {
  readonly members: readonly GlobalDatabaseMember[];
  /** `pending`, `failing-over`, `switching-over`, `cancelling`; undefined when no operation runs. */
  readonly failoverState?: string;
}

export interface GlobalDatabase {
  describe(globalClusterIdentifier: string, region: string): Promise<GlobalDatabaseState>;
  /** Planned: waits for the target to catch up, no data lost (RPO 0). Sent to the current primary's region. */
  switchover(globalClusterIdentifier: string, targetClusterArn: string, primaryRegion: string): Promise<void>;
  /** Unplanned: promotes the target now; writes not yet replicated are lost. Sent to the target's region. */
  failover(globalClusterIdentifier: string, targetClusterArn: string, targetRegion: string): Promise<void>;
  /**
   * The snapshot Aurora takes of an old primary after an unplanned failover
   * (`rds:unplanned-global-failover-<cluster>-<time>`), which holds the writes
   * not replicated; kept only for the cluster's backup retention.
   */
  findFailoverSnapshot(clusterIdentifier: string, region: string): Promise<string | undefined>;
  /**
   * Copies a snapshot to a manual one (kept until deleted, unlike automated
   * snapshots) in the same region and key; done if the copy already exists.
   */
  keepSnapshot(snapshotIdentifier: string, copyIdentifier: string, region: string): Promise<void>;
}

/** The AWS SDK v3 implementation; credentials from the default chain (IRSA, EKS Pod Identity). */
export class SdkGlobalDatabase implements GlobalDatabase {
  private readonly clients: RegionalClients<RDSClient>;

  constructor(clientFor: (region: string) => RDSClient = (region) => new RDSClient({ region, maxAttempts: 3 })) {
    this.clients = new RegionalClients(clientFor);
  }

  async describe(globalClusterIdentifier: string, region: string): Promise<GlobalDatabaseState> {
    const result = await this.clients.in(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier }));
    const cluster = result.GlobalClusters?.[0];
    if (!cluster) throw new Error(`global cluster ${globalClusterIdentifier} not found in ${region}`);
    return {
      members: (cluster.GlobalClusterMembers ?? []).map((member) => ({ clusterArn: member.DBClusterArn ?? '', writer: member.IsWriter === true, synchronizationStatus: member.SynchronizationStatus })),
      failoverState: cluster.FailoverState?.Status,
    };
  }

  async switchover(globalClusterIdentifier: string, targetClusterArn: string, primaryRegion: string): Promise<void> {
    await this.clients.in(primaryRegion).send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: targetClusterArn }));
  }

  async failover(globalClusterIdentifier: string, targetClusterArn: string, targetRegion: string): Promise<void> {
    await this.clients.in(targetRegion).send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterIdentifier, TargetDbClusterIdentifier: targetClusterArn, AllowDataLoss: true }));
  }

  async findFailoverSnapshot(clusterIdentifier: string, region: string): Promise<string | undefined> {
    const result = await this.clients.in(region).send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: clusterIdentifier }));
    return (result.DBClusterSnapshots ?? [])
      .map((snapshot) => snapshot.DBClusterSnapshotIdentifier ?? '')
      .filter((id) => id.startsWith('rds:unplanned-global-failover-'))
      .sort()
      .at(-1);
  }

  async keepSnapshot(snapshotIdentifier: string, copyIdentifier: string, region: string): Promise<void> {
    try {
      await this.clients.in(region).send(new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: snapshotIdentifier, TargetDBClusterSnapshotIdentifier: copyIdentifier, CopyTags: true }));
    } catch (error) {
      // Copied before (by this process or a previous leader): done.
      if (!(error instanceof DBClusterSnapshotAlreadyExistsFault)) throw error;
    }
  }
}
