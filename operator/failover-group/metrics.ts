/** The failover controller's Prometheus series (R-O2): moves, how fast they were, and each side's health. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const SECONDS_BUCKETS = [5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export class FailoverMetrics {
  readonly moves: Counter<'namespace' | 'group' | 'kind' | 'trigger'>;
  readonly detectionSeconds: Histogram<'namespace' | 'group'>;
  readonly rtoSeconds: Histogram<'namespace' | 'group' | 'kind'>;
  readonly sideHealthy: Gauge<'namespace' | 'group' | 'side'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.moves = new Counter({ name: 'ack_systems_failover_moves_total', help: 'Completed failover and failback moves', labelNames: ['namespace', 'group', 'kind', 'trigger'], registers });
    this.detectionSeconds = new Histogram({ name: 'ack_systems_failover_detection_seconds', help: 'From the first failed probe to the decision to fail over', labelNames: ['namespace', 'group'], buckets: SECONDS_BUCKETS, registers });
    this.rtoSeconds = new Histogram({ name: 'ack_systems_failover_rto_seconds', help: 'From the first failed probe (or the request) to the move completed', labelNames: ['namespace', 'group', 'kind'], buckets: SECONDS_BUCKETS, registers });
    this.sideHealthy = new Gauge({ name: 'ack_systems_failover_side_healthy', help: '1 while a side passes its checks', labelNames: ['namespace', 'group', 'side'], registers });
  }
}
