/**
 * The failover controller's AWS adapters (R-O2), at the SDK boundary with
 * aws-sdk-client-mock (the SDK's standard test tool): the right command, the
 * right parameters, sent to the region AWS requires.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ApiGatewayV2Client, GetDomainNameCommand } from '@aws-sdk/client-apigatewayv2';
import { CopyDBClusterSnapshotCommand, DBClusterSnapshotAlreadyExistsFault, DescribeDBClusterSnapshotsCommand, DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { regional } from '../../support/regional-clients';
import { SdkGlobalDatabase } from '../../../operator/aws/global-database';
import { SdkHealthSignals } from '../../../operator/aws/health-signals';
import { DOMAIN_NAME_TTL_MS, SdkDomainNames } from '../../../operator/aws/domain-names';
import { SdkTrafficControl } from '../../../operator/aws/traffic-control';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const route53 = mockClient(Route53Client);
const apigateway = mockClient(ApiGatewayV2Client);
const PRIMARY = 'arn:aws:rds:us-east-1:123456789012:cluster:payments-global-primary-prod';
const SECONDARY = 'arn:aws:rds:us-east-2:123456789012:cluster:payments-global-secondary-prod';

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  route53.reset();
  apigateway.reset();
});


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

  test('R-O2 the lost-writes snapshot is copied to a manual snapshot, with its tags; a copy made before is done, not an error', async () => {
    rds.on(CopyDBClusterSnapshotCommand).resolvesOnce({}).rejectsOnce(new DBClusterSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    const clients = regional((region) => new RDSClient({ region }));
    const database = new SdkGlobalDatabase(clients.clientFor);
    await database.keepSnapshot('rds:unplanned-global-failover-db-1', 'lost-writes-db-1', 'us-east-1');
    await database.keepSnapshot('rds:unplanned-global-failover-db-1', 'lost-writes-db-1', 'us-east-1');
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand).map((call) => call.args[0].input)).toEqual(
      Array(2).fill({ SourceDBClusterSnapshotIdentifier: 'rds:unplanned-global-failover-db-1', TargetDBClusterSnapshotIdentifier: 'lost-writes-db-1', CopyTags: true }),
    );
    expect(clients.regions).toEqual(['us-east-1']);
    rds.on(CopyDBClusterSnapshotCommand).rejects(new Error('AccessDenied'));
    await expect(database.keepSnapshot('rds:unplanned-global-failover-db-1', 'lost-writes-db-1', 'us-east-1')).rejects.toThrow('AccessDenied');
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

describe('AWS health signals adapter (R-O2)', () => {
  const observations = (passing: number, failing: number) => ({
    HealthCheckObservations: [
      ...Array.from({ length: passing }, () => ({ Region: 'us-east-1' as const, StatusReport: { Status: 'Success: HTTP Status Code 200, OK' } })),
      ...Array.from({ length: failing }, () => ({ Region: 'eu-west-1' as const, StatusReport: { Status: 'Failure: Connection timed out.' } })),
    ],
  });

  test('R-O2 a health check is healthy as Route 53 decides: more than 18% of its checkers report success; none yet is healthy', async () => {
    const signals = new SdkHealthSignals(new Route53Client({ region: 'us-east-1' }));
    route53.on(GetHealthCheckStatusCommand, { HealthCheckId: 'two' }).resolves(observations(2, 14)).on(GetHealthCheckStatusCommand, { HealthCheckId: 'three' }).resolves(observations(3, 13)).on(GetHealthCheckStatusCommand, { HealthCheckId: 'new' }).resolves({ HealthCheckObservations: [] });
    expect(await signals.healthCheck('two')).toEqual({ healthy: false, detail: '2 of 16 Route 53 checkers report success; e.g. Failure: Connection timed out.' });
    expect(await signals.healthCheck('three')).toEqual({ healthy: true, detail: '3 of 16 Route 53 checkers report success' });
    expect(await signals.healthCheck('new')).toEqual({ healthy: true, detail: 'no checker has reported yet' });
  });

  test('R-O2 alarms in ALARM are asked of the side\'s region, by name, with CloudWatch\'s reason', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'dr-prod-primary-handler-errors', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).' }] });
    const clients = regional((region) => new CloudWatchClient({ region }));
    const signals = new SdkHealthSignals(new Route53Client({ region: 'us-east-1' }), clients.clientFor);
    expect(await signals.alarming('eu-west-1', ['dr-prod-primary-handler-errors', 'dr-prod-primary-db-cpu'])).toEqual([
      { name: 'dr-prod-primary-handler-errors', reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).' },
    ]);
    expect(await signals.alarming('eu-west-1', [])).toEqual([]);
    expect(clients.regions).toEqual(['eu-west-1']);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input)).toEqual([
      { AlarmNames: ['dr-prod-primary-handler-errors', 'dr-prod-primary-db-cpu'], StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
    ]);
  });

  test('R-O2 replication lag: the newest AuroraGlobalDBRPOLag (else the older engines\' metric) of the last 5 minutes, in seconds; none is unknown', async () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const signals = new SdkHealthSignals(new Route53Client({ region: 'us-east-1' }));
    cloudwatch.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: [{ Id: 'lag0', Values: [2500, 900] }, { Id: 'lag1', Values: [7000] }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'lag0', Values: [] }, { Id: 'lag1', Values: [7000] }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'lag0', Values: [] }, { Id: 'lag1', Values: [] }] });
    expect(await signals.replicationLagSeconds('us-east-2', 'payments-secondary', now)).toBe(2.5);
    expect(await signals.replicationLagSeconds('us-east-2', 'payments-secondary', now)).toBe(7);
    expect(await signals.replicationLagSeconds('us-east-2', 'payments-secondary', now)).toBeUndefined();
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input).toMatchObject({ StartTime: new Date('2026-11-30T09:55:00Z'), EndTime: now, ScanBy: 'TimestampDescending' });
    expect(input.MetricDataQueries!.map((q) => [q.MetricStat!.Metric!.MetricName, q.MetricStat!.Metric!.Dimensions, q.MetricStat!.Stat])).toEqual([
      ['AuroraGlobalDBRPOLag', [{ Name: 'DBClusterIdentifier', Value: 'payments-secondary' }], 'Maximum'],
      ['AuroraGlobalDBReplicationLag', [{ Name: 'DBClusterIdentifier', Value: 'payments-secondary' }], 'Maximum'],
    ]);
  });
});

describe('API Gateway domain lookup (R-O6)', () => {
  test('R-O6 the regional target of a custom domain, asked in its region, kept for the TTL; a domain without one is not ready', async () => {
    let now = 0;
    apigateway.on(GetDomainNameCommand, { DomainName: 'api.example.com' }).resolves({ DomainNameConfigurations: [{ ApiGatewayDomainName: 'd-abc.execute-api.eu-west-1.amazonaws.com', HostedZoneId: 'ZLY8HYME6SFDD' }] });
    apigateway.on(GetDomainNameCommand, { DomainName: 'new.example.com' }).resolves({ DomainNameConfigurations: [] });
    const clients = regional((region) => new ApiGatewayV2Client({ region }));
    const lookup = new SdkDomainNames(clients.clientFor, () => now);
    const target = { regionalDomainName: 'd-abc.execute-api.eu-west-1.amazonaws.com', regionalHostedZoneId: 'ZLY8HYME6SFDD' };
    expect(await lookup.regionalTarget('eu-west-1', 'api.example.com')).toEqual(target);
    now = DOMAIN_NAME_TTL_MS - 1;
    expect(await lookup.regionalTarget('eu-west-1', 'api.example.com')).toEqual(target);
    expect(apigateway.commandCalls(GetDomainNameCommand)).toHaveLength(1);
    now = DOMAIN_NAME_TTL_MS;
    await lookup.regionalTarget('eu-west-1', 'api.example.com');
    expect(apigateway.commandCalls(GetDomainNameCommand)).toHaveLength(2);
    expect(clients.regions).toEqual(['eu-west-1']);
    await expect(lookup.regionalTarget('eu-west-1', 'new.example.com')).rejects.toThrow('domain new.example.com has no regional target yet');
  });
});
