/**
 * What a FailoverGroup member's ACK status says about its side (R-O2): plain
 * objects as the ACK controllers write them.
 */
import { describe, expect, test } from '@jest/globals';
import { memberProblem, sideMembers } from '../../../operator/failover-group/members';
import { lostWritesCopyName } from '../../../operator/aws/global-database';

const table = (status: object) => ({ apiVersion: 'dynamodb.services.k8s.aws/v1alpha1', kind: 'Table', metadata: { name: 'ledger' }, status: { ackResourceMetadata: { region: 'us-east-1' }, ...status } });

describe('FailoverGroup members (R-O2)', () => {
  test('R-O2 a side names its members by kind, lists included', () => {
    expect(
      sideMembers({ region: 'us-east-1', dbCluster: { name: 'db' }, healthCheck: { name: 'hc' }, probes: [], alarms: [{ name: 'errors' }], tables: [{ name: 'ledger' }], buckets: [{ name: 'docs' }, { name: 'logs' }] }),
    ).toEqual([
      { kind: 'dbCluster', name: 'db' },
      { kind: 'healthCheck', name: 'hc' },
      { kind: 'alarm', name: 'errors' },
      { kind: 'table', name: 'ledger' },
      { kind: 'bucket', name: 'docs' },
      { kind: 'bucket', name: 'logs' },
    ]);
  });

  test('R-O2 missing, Terminal and failed members make their side unhealthy; others do not', () => {
    expect(memberProblem('bucket', 'docs', undefined, 'us-east-1')).toBe('bucket docs: not found');
    expect(memberProblem('bucket', 'docs', { status: { conditions: [{ type: 'ACK.Terminal', status: 'True', message: 'BucketAlreadyExists' }] } }, 'us-east-1')).toBe('bucket docs: ACK.Terminal: BucketAlreadyExists');
    expect(memberProblem('dbCluster', 'db', { status: { status: 'inaccessible-encryption-credentials' } }, 'us-east-1')).toBe('dbCluster db: inaccessible-encryption-credentials');
    expect(memberProblem('dbCluster', 'db', { status: { status: 'backing-up' } }, 'us-east-1')).toBeUndefined();
  });

  test('R-O2 a global table serves its own region from itself and another from its replica there', () => {
    const replicated = table({ tableStatus: 'ACTIVE', replicas: [{ regionName: 'us-east-2', replicaStatus: 'ACTIVE' }] });
    expect(memberProblem('table', 'ledger', replicated, 'us-east-1')).toBeUndefined();
    expect(memberProblem('table', 'ledger', replicated, 'us-east-2')).toBeUndefined();
    expect(memberProblem('table', 'ledger', replicated, 'eu-west-1')).toBe('table ledger: no replica in eu-west-1');
    expect(memberProblem('table', 'ledger', table({ tableStatus: 'ACTIVE', replicas: [{ regionName: 'us-east-2', replicaStatus: 'REGION_DISABLED' }] }), 'us-east-2')).toBe('table ledger: replica in us-east-2 REGION_DISABLED');
    expect(memberProblem('table', 'ledger', table({ tableStatus: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS' }), 'us-east-1')).toBe('table ledger: INACCESSIBLE_ENCRYPTION_CREDENTIALS');
  });

  test('R-O2 the lost-writes copy is named after the snapshot, the same on every attempt, as RDS allows', () => {
    expect(lostWritesCopyName('rds:unplanned-global-failover-payments-primary-2026-11-30-01-02')).toBe('lost-writes-payments-primary-2026-11-30-01-02');
  });
});
