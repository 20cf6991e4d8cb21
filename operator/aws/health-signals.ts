/**
 * What AWS itself says about a side's health (R-O2), read when the operator
 * has credentials: Route 53's checkers for a health check, CloudWatch alarm
 * states, and the Aurora replication lag that bounds an unplanned failover's
 * data loss. Each read goes to a data plane that outlives the other region:
 * the alarms and the lag metric to the side's own region (Aurora publishes
 * lag only in secondary regions, research dr.md §1), health-check status to
 * Route 53's global endpoint.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckStatusCommand, Route53Client } from '@aws-sdk/client-route-53';
import { RegionalClients } from './regional-clients';

/** Route 53 counts a check healthy when more than 18% of its checkers see it healthy (research dr.md §4). */
const ROUTE53_HEALTHY_SHARE = 0.18;
/** Aurora's lag metrics, newest engines first: `AuroraGlobalDBRPOLag` (user transactions), `AuroraGlobalDBReplicationLag` (older MySQL). */
const LAG_METRICS = ['AuroraGlobalDBRPOLag', 'AuroraGlobalDBReplicationLag'];
const LAG_WINDOW_MS = 5 * 60_000;

export interface HealthSignals {
  /** Route 53's verdict on a health check, as it would route on it, and why. */
  healthCheck(healthCheckId: string): Promise<{ readonly healthy: boolean; readonly detail: string }>;
  /** Those of `alarmNames` in state ALARM in `region`, with CloudWatch's reason. */
  alarming(region: string, alarmNames: readonly string[]): Promise<{ readonly name: string; readonly reason: string }[]>;
  /** The newest replication lag of a secondary cluster, seconds; undefined when Aurora published none in the last 5 minutes. */
  replicationLagSeconds(region: string, clusterIdentifier: string, now: Date): Promise<number | undefined>;
}

/** The AWS SDK v3 implementation; credentials from the default chain (IRSA, EKS Pod Identity). */
export class SdkHealthSignals implements HealthSignals {
  private readonly cloudWatch: RegionalClients<CloudWatchClient>;

  constructor(
    private readonly route53: Route53Client = new Route53Client({ region: 'us-east-1', maxAttempts: 2 }),
    cloudWatchFor: (region: string) => CloudWatchClient = (region) => new CloudWatchClient({ region, maxAttempts: 2 }),
  ) {
    this.cloudWatch = new RegionalClients(cloudWatchFor);
  }

  async healthCheck(healthCheckId: string): Promise<{ healthy: boolean; detail: string }> {
    const result = await this.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }));
    const reports = (result.HealthCheckObservations ?? []).map((o) => o.StatusReport?.Status ?? '');
    const passing = reports.filter((status) => status.startsWith('Success')).length;
    // No report yet: Route 53 treats a new check as healthy, and so does this.
    if (reports.length === 0) return { healthy: true, detail: 'no checker has reported yet' };
    const healthy = passing / reports.length > ROUTE53_HEALTHY_SHARE;
    const failure = reports.find((status) => !status.startsWith('Success'));
    return { healthy, detail: `${passing} of ${reports.length} Route 53 checkers report success${healthy || !failure ? '' : `; e.g. ${failure}`}` };
  }

  async alarming(region: string, alarmNames: readonly string[]): Promise<{ name: string; reason: string }[]> {
    if (alarmNames.length === 0) return [];
    const result = await this.cloudWatch.in(region).send(new DescribeAlarmsCommand({ AlarmNames: [...alarmNames], StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    return [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])].map((alarm) => ({ name: alarm.AlarmName ?? '', reason: alarm.StateReason ?? 'in ALARM' }));
  }

  async replicationLagSeconds(region: string, clusterIdentifier: string, now: Date): Promise<number | undefined> {
    const result = await this.cloudWatch.in(region).send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - LAG_WINDOW_MS),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: LAG_METRICS.map((metricName, index) => ({
          Id: `lag${index}`,
          MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }] }, Period: 60, Stat: 'Maximum' },
        })),
      }),
    );
    const byId = new Map((result.MetricDataResults ?? []).map((r) => [r.Id, r.Values ?? []]));
    const newest = LAG_METRICS.map((_, index) => byId.get(`lag${index}`)?.[0]).find((value) => value !== undefined);
    return newest === undefined ? undefined : newest / 1000;
  }
}
