/**
 * Moving traffic without Route 53's control plane (research dr.md §4, §7):
 * each side's Route 53 health check watches a CloudWatch alarm in that side's
 * region, and the alarm watches a metric the controller publishes (1: serve,
 * 0: out). Publishing is a regional data-plane call that works while us-east-1's
 * Route 53 API does not; the controller publishes every round, so a value that
 * stops arriving is missing data the alarm treats as it is configured to.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RegionalClients } from './regional-clients';

export const TRAFFIC_CONTROL_NAMESPACE = 'ACKSystems/Failover';
export const TRAFFIC_CONTROL_METRIC = 'TrafficAllowed';

export interface TrafficControl {
  /** Publishes whether the side named `control` (its alarm's dimension) may serve. */
  set(region: string, control: string, serving: boolean): Promise<void>;
}

export class SdkTrafficControl implements TrafficControl {
  private readonly clients: RegionalClients<CloudWatchClient>;

  constructor(clientFor: (region: string) => CloudWatchClient = (region) => new CloudWatchClient({ region, maxAttempts: 3 })) {
    this.clients = new RegionalClients(clientFor);
  }

  async set(region: string, control: string, serving: boolean): Promise<void> {
    await this.clients.in(region).send(
      new PutMetricDataCommand({
        Namespace: TRAFFIC_CONTROL_NAMESPACE,
        MetricData: [{ MetricName: TRAFFIC_CONTROL_METRIC, Dimensions: [{ Name: 'Control', Value: control }], Value: serving ? 1 : 0, Unit: 'Count' }],
      }),
    );
  }
}
