/**
 * What the FailoverGroup tests share: the members ACK would have made (the
 * test writes their status, as the ACK controllers would), a group naming
 * them, and RDS answering as it would (the writer moves when asked).
 */
import { HttpMethod } from '@kubernetes/client-node';
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { RDSClient } from '@aws-sdk/client-rds';
import { collectionPath, objectPath, type ApiClient, type ResourceType } from '../../operator/runtime/api-client';
import { FAILOVER_GROUP_TYPE, type FailoverGroup, type FailoverGroupSpec } from '../../operator/failover-group/crd';
import { MEMBER_TYPES } from '../../operator/failover-group/members';

export const arnOf = (namespace: string, side: string, region: string) => `arn:aws:rds:${region}:123456789012:cluster:${namespace}-${side}`;
export const probeUrl = (namespace: string, side: string) => `https://${side}.${namespace}.example.com/health`;

/** RDS as it would answer: per global cluster (named after the namespace), the writer moves when a failover or switchover is asked for. */
export function answerLikeRds(rds: AwsClientStub<RDSClient>, writers: Map<string, 'primary' | 'secondary'>): void {
  rds.on(DescribeGlobalClustersCommand).callsFake((input: { GlobalClusterIdentifier: string }) => {
    const namespace = input.GlobalClusterIdentifier;
    const writer = writers.get(namespace) ?? 'primary';
    return {
      GlobalClusters: [
        {
          GlobalClusterMembers: [
            { DBClusterArn: arnOf(namespace, 'primary', 'us-east-1'), IsWriter: writer === 'primary', SynchronizationStatus: writer === 'primary' ? undefined : 'connected' },
            { DBClusterArn: arnOf(namespace, 'secondary', 'us-east-2'), IsWriter: writer === 'secondary', SynchronizationStatus: writer === 'secondary' ? undefined : 'connected' },
          ],
        },
      ],
    };
  });
  const move = (input: { GlobalClusterIdentifier: string; TargetDbClusterIdentifier: string }) => {
    writers.set(input.GlobalClusterIdentifier, input.TargetDbClusterIdentifier.includes('-secondary') ? 'secondary' : 'primary');
    return {};
  };
  rds.on(FailoverGlobalClusterCommand).callsFake(move);
  rds.on(SwitchoverGlobalClusterCommand).callsFake(move);
}

type MemberType = (typeof MEMBER_TYPES)[keyof typeof MEMBER_TYPES];

/** `DescribeGlobalClusters`'s result as RDS writes it in XML (the Query protocol), for a local AWS endpoint. */
export function globalClusterXml(namespace: string, writer: 'primary' | 'secondary'): string {
  const member = (side: 'primary' | 'secondary', region: string) =>
    `<GlobalClusterMember><DBClusterArn>${arnOf(namespace, side, region)}</DBClusterArn><IsWriter>${writer === side}</IsWriter>${writer === side ? '' : '<SynchronizationStatus>connected</SynchronizationStatus>'}</GlobalClusterMember>`;
  return `<GlobalClusters><GlobalClusterMember><GlobalClusterIdentifier>${namespace}</GlobalClusterIdentifier><GlobalClusterMembers>${member('primary', 'us-east-1')}${member('secondary', 'us-east-2')}</GlobalClusterMembers></GlobalClusterMember></GlobalClusters>`;
}

/** Merges `status` into an ACK object's status, as its controller would write it. */
export const writeAckStatus = (admin: ApiClient, type: ResourceType, namespace: string, name: string, status: object) =>
  admin.request(HttpMethod.PATCH, `${objectPath(type, namespace, name)}/status`, { body: { status }, contentType: 'application/merge-patch+json' });

/** Creates an ACK object and, when given, writes its status as its controller would. */
export async function ackMember(admin: ApiClient, type: ResourceType, namespace: string, name: string, spec: object, status?: object): Promise<void> {
  await admin.create(collectionPath(type, namespace), { apiVersion: `${type.group}/${type.version}`, kind: type.kind, metadata: { name, namespace }, spec } as never);
  if (status) await writeAckStatus(admin, type, namespace, name, status);
}

/** A namespace with the members ACK would have made: two clusters, the global cluster, two records. */
export async function members(admin: ApiClient, namespace: string): Promise<void> {
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const create = (type: MemberType, name: string, spec: object) => ackMember(admin, type, namespace, name, spec);
  for (const [side, region] of [
    ['primary', 'us-east-1'],
    ['secondary', 'us-east-2'],
  ] as const) {
    await create(MEMBER_TYPES.dbCluster, `db-${side}`, { dbClusterIdentifier: `${namespace}-${side}`, engine: 'aurora-postgresql' });
    await writeAckStatus(admin, MEMBER_TYPES.dbCluster, namespace, `db-${side}`, { ackResourceMetadata: { arn: arnOf(namespace, side, region), ownerAccountID: '123456789012', region }, status: 'available' });
    await create(MEMBER_TYPES.recordSet, `rec-${side}`, {
      recordType: 'A',
      name: 'api.example.com.',
      setIdentifier: side,
      failover: side === 'primary' ? 'PRIMARY' : 'SECONDARY',
      aliasTarget: { dnsName: `d-${side}.execute-api.${region}.amazonaws.com`, hostedZoneID: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: true },
      healthCheckRef: { from: { name: `hc-${side}` } },
    });
  }
  await create(MEMBER_TYPES.globalCluster, 'global', { globalClusterIdentifier: namespace });
  await writeAckStatus(admin, MEMBER_TYPES.globalCluster, namespace, 'global', { globalClusterMembers: [{ dbClusterARN: arnOf(namespace, 'primary', 'us-east-1'), isWriter: true }] });
}


export function groupSpec(namespace: string, policy: Partial<FailoverGroupSpec['policy']> = {}, extra: Partial<FailoverGroupSpec> = {}): object {
  const side = (name: string, region: string) => ({
    region,
    dbCluster: { name: `db-${name}` },
    recordSet: { name: `rec-${name}` },
    trafficControl: `${namespace}-${name}`,
    probes: [{ url: probeUrl(namespace, name) }],
  });
  return {
    primary: side('primary', 'us-east-1'),
    secondary: side('secondary', 'us-east-2'),
    globalCluster: { name: 'global' },
    policy: { failover: 'Automatic', failureThreshold: 1, probeIntervalSeconds: 5, cooldownSeconds: 0, allowDataLoss: true, ...policy },
    ...extra,
  };
}

export const createGroup = (admin: ApiClient, namespace: string, spec: object) =>
  admin.create<FailoverGroup>(collectionPath(FAILOVER_GROUP_TYPE, namespace), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'FailoverGroup', metadata: { name: 'payments', namespace }, spec } as never);
export const groupOf = (admin: ApiClient, namespace: string) => admin.get<FailoverGroup>(objectPath(FAILOVER_GROUP_TYPE, namespace, 'payments'));
