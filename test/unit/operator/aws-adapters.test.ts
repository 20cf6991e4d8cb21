/**
 * The failover controller's AWS adapters (R-O2), at the SDK boundary with
 * aws-sdk-client-mock (the SDK's standard test tool): the right command, the
 * right parameters, sent to the region AWS requires.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBClusterSnapshotsCommand, DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkGlobalDatabase } from '../../../operator/aws/global-database';
import { SdkTrafficControl } from '../../../operator/aws/traffic-control';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const PRIMARY = 'arn:aws:rds:us-east-1:123456789012:cluster:payments-global-primary-prod';
const SECONDARY = 'arn:aws:rds:us-east-2:123456789012:cluster:payments-global-secondary-prod';

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
});

/** Clients that remember the region they were made for. */
function regional<T>(make: (region: string) => T): { clientFor: (region: string) => T; regions: string[] } {
  const regions: string[] = [];
  return { regions, clientFor: (region) => (regions.push(region), make(region)) };
}

describe('Aurora global database adapter (R-O2)', () => {
  test('R-O2 describe reads the members, the writer, their synchronization and the failover state', async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [
        {
          FailoverState: { Status: 'failing-over' },
          GlobalClusterMembers: [
            { DBClusterArn: PRIMARY, IsWriter: true },
            { DBClusterArn: SECONDARY, IsWriter: false, SynchronizationStatus: 'connected' },
          ],
        },
      ],
    });
    const database = new SdkGlobalDatabase();
    expect(await database.describe('payments-global-prod', 'us-east-2')).toEqual({
      failoverState: 'failing-over',
      members: [
        { clusterArn: PRIMARY, writer: true, synchronizationStatus: undefined },
        { clusterArn: SECONDARY, writer: false, synchronizationStatus: 'connected' },
      ],
    });
    expect(rds.commandCalls(DescribeGlobalClustersCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'payments-global-prod' });
  });

  test('R-O2 switchover goes to the primary\'s region; failover to the target\'s, always allowing the data loss the policy accepted', async () => {
    rds.on(SwitchoverGlobalClusterCommand).resolves({});
    rds.on(FailoverGlobalClusterCommand).resolves({});
    const clients = regional((region) => new RDSClient({ region }));
    const database = new SdkGlobalDatabase(clients.clientFor);
    await database.switchover('payments-global-prod', SECONDARY, 'us-east-1');
    await database.failover('payments-global-prod', SECONDARY, 'us-east-2');
    expect(clients.regions).toEqual(['us-east-1', 'us-east-2']);
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'payments-global-prod', TargetDbClusterIdentifier: SECONDARY });
    expect(rds.commandCalls(FailoverGlobalClusterCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'payments-global-prod', TargetDbClusterIdentifier: SECONDARY, AllowDataLoss: true });
  });

  test('R-O2 after an unplanned failover, the old primary\'s lost-writes snapshot is found by its name, in its region', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        { DBClusterSnapshotIdentifier: 'rds:payments-global-primary-prod-2026-11-29-03-00' },
        { DBClusterSnapshotIdentifier: 'rds:unplanned-global-failover-payments-global-primary-prod-2026-11-30-01-02' },
      ],
    });
    const clients = regional((region) => new RDSClient({ region }));
    const found = await new SdkGlobalDatabase(clients.clientFor).findFailoverSnapshot('payments-global-primary-prod', 'us-east-1');
    expect(found).toBe('rds:unplanned-global-failover-payments-global-primary-prod-2026-11-30-01-02');
    expect([clients.regions, rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0].args[0].input]).toEqual([['us-east-1'], { DBClusterIdentifier: 'payments-global-primary-prod' }]);
  });

  test('R-O2 an unknown global cluster is an error naming it', async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    await expect(new SdkGlobalDatabase().describe('nope', 'us-east-1')).rejects.toThrow('global cluster nope not found in us-east-1');
  });
});

describe('traffic control adapter (R-O2)', () => {
  test('R-O2 publishes 1 (serve) or 0 (out) for the side\'s control, in that side\'s region, one client per region', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const clients = regional((region) => new CloudWatchClient({ region }));
    const control = new SdkTrafficControl(clients.clientFor);
    await control.set('us-east-1', 'dr-prod-primary', false);
    await control.set('us-east-2', 'dr-prod-secondary', true);
    await control.set('us-east-1', 'dr-prod-primary', true);
    expect(clients.regions).toEqual(['us-east-1', 'us-east-2']);
    expect(cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input.MetricData![0])).toEqual([
      { MetricName: 'TrafficAllowed', Dimensions: [{ Name: 'Control', Value: 'dr-prod-primary' }], Value: 0, Unit: 'Count' },
      { MetricName: 'TrafficAllowed', Dimensions: [{ Name: 'Control', Value: 'dr-prod-secondary' }], Value: 1, Unit: 'Count' },
      { MetricName: 'TrafficAllowed', Dimensions: [{ Name: 'Control', Value: 'dr-prod-primary' }], Value: 1, Unit: 'Count' },
    ]);
  });
});
