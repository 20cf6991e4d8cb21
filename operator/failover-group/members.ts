/**
 * The ACK objects a FailoverGroup names, and what each one's ACK status says
 * about its side's health. The controller caches every kind here, so the
 * operator chart's RBAC (read only, but `patch` on RecordSets) follows from
 * this table.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ackType as ack } from '../ack-types';
import type { Store } from '../runtime/store';
import { SIDES, type FailoverGroup, type RegionMembers, type Side } from './crd';

export const MEMBER_TYPES = {
  dbCluster: ack('rds', 'DBCluster', 'dbclusters'),
  globalCluster: ack('rds', 'GlobalCluster', 'globalclusters'),
  recordSet: ack('route53', 'RecordSet', 'recordsets'),
  healthCheck: ack('route53', 'HealthCheck', 'healthchecks'),
  alarm: ack('cloudwatch', 'MetricAlarm', 'metricalarms'),
  table: ack('dynamodb', 'Table', 'tables'),
  bucket: ack('s3', 'Bucket', 'buckets'),
} as const;
export type MemberKind = keyof typeof MEMBER_TYPES;
export type AckObject = KubernetesObject & { spec?: any; status?: any };

/** The members one side names, each with its kind. */
export function sideMembers(side: RegionMembers): { kind: MemberKind; name: string }[] {
  const one = (kind: MemberKind, ref: { name: string } | undefined) => (ref ? [{ kind, name: ref.name }] : []);
  const many = (kind: MemberKind, refs: readonly { name: string }[]) => refs.map((ref) => ({ kind, name: ref.name }));
  return [
    ...one('dbCluster', side.dbCluster),
    ...one('recordSet', side.recordSet),
    ...one('healthCheck', side.healthCheck),
    ...many('alarm', side.alarms),
    ...many('table', side.tables),
    ...many('bucket', side.buckets),
  ];
}

const FAILED_CLUSTER_STATES = new Set(['failed', 'inaccessible-encryption-credentials', 'incompatible-network', 'incompatible-restore']);
const UNUSABLE_TABLE_STATES = new Set(['DELETING', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'ARCHIVING', 'ARCHIVED']);
const UNUSABLE_REPLICA_STATES = new Set(['CREATION_FAILED', 'DELETING', 'REGION_DISABLED', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS']);

/**
 * Why a member makes the side in `region` unhealthy, from its ACK object:
 * missing, Terminal, a failed database, or a table (or its replica in that
 * region) that cannot serve.
 */
export function memberProblem(kind: MemberKind, name: string, object: AckObject | undefined, region: string): string | undefined {
  if (!object) return `${kind} ${name}: not found`;
  const terminal = (object.status?.conditions as { type: string; status: string; message?: string }[] | undefined)?.find((c) => c.type === 'ACK.Terminal' && c.status === 'True');
  if (terminal) return `${kind} ${name}: ACK.Terminal: ${terminal.message ?? ''}`.trim();
  if (kind === 'dbCluster' && FAILED_CLUSTER_STATES.has(object.status?.status)) return `${kind} ${name}: ${object.status.status}`;
  if (kind === 'table') return tableProblem(name, object, region);
  return undefined;
}

/** A global table serves a region from the table itself (its own region) or from its replica there. */
function tableProblem(name: string, table: AckObject, region: string): string | undefined {
  if (UNUSABLE_TABLE_STATES.has(table.status?.tableStatus)) return `table ${name}: ${table.status.tableStatus}`;
  const home = table.status?.ackResourceMetadata?.region as string | undefined;
  if (home === undefined || home === region) return undefined;
  const replica = (table.status?.replicas as { regionName?: string; replicaStatus?: string }[] | undefined)?.find((r) => r.regionName === region);
  if (!replica) return `table ${name}: no replica in ${region}`;
  return UNUSABLE_REPLICA_STATES.has(replica.replicaStatus ?? '') ? `table ${name}: replica in ${region} ${replica.replicaStatus}` : undefined;
}

export type MemberStores = Readonly<Record<MemberKind, Store<AckObject>>>;

/** The global database's identifier and each side's cluster ARN, once ACK has reported them. */
export function databaseMembers(group: FailoverGroup, stores: MemberStores): { identifier: string; arns: Record<Side, string>; identifiers: Record<Side, string | undefined> } | undefined {
  const namespace = group.metadata!.namespace!;
  const spec = group.spec;
  if (!spec.globalCluster || !spec.primary.dbCluster || !spec.secondary.dbCluster) return undefined;
  const global = stores.globalCluster.get(`${namespace}/${spec.globalCluster.name}`);
  const cluster = (side: Side) => stores.dbCluster.get(`${namespace}/${spec[side].dbCluster!.name}`);
  const [primary, secondary] = SIDES.map((side) => cluster(side)?.status?.ackResourceMetadata?.arn as string | undefined);
  const identifier = global?.spec?.globalClusterIdentifier as string | undefined;
  if (!identifier || !primary || !secondary) return undefined;
  return { identifier, arns: { primary, secondary }, identifiers: { primary: cluster('primary')?.spec?.dbClusterIdentifier, secondary: cluster('secondary')?.spec?.dbClusterIdentifier } };
}
