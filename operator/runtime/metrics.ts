/**
 * The operator's Prometheus metrics, named like controller-runtime's so that
 * existing dashboards and alerts apply.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Reconciliations by controller and result', labelNames: ['controller', 'result'], registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Reconciliations that returned an error', labelNames: ['controller'], registers: [this.registry] });
  readonly reconcileDuration = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Time per reconciliation',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Keys waiting in the queue', labelNames: ['name'], registers: [this.registry] });
  readonly queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Keys added to the queue', labelNames: ['name'], registers: [this.registry] });
  readonly queueLatency = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'Time a key waits before a worker takes it',
    labelNames: ['name'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds after errors', labelNames: ['name'], registers: [this.registry] });
  readonly apiRequests = new Counter({ name: 'rest_client_requests_total', help: 'Kubernetes API requests by verb and status code', labelNames: ['verb', 'code'], registers: [this.registry] });
  readonly leader = new Gauge({ name: 'leader_election_master_status', help: '1 while this replica is the leader', labelNames: ['name'], registers: [this.registry] });
  readonly eventsDropped = new Counter({ name: 'ack_systems_events_dropped_total', help: 'Events not sent because 1000 were already queued (the API server fell behind)', labelNames: ['reason'], registers: [this.registry] });
  readonly informerRelists = new Counter({ name: 'informer_relists_total', help: 'Full relists of an informer (start, 410 Gone)', labelNames: ['resource'], registers: [this.registry] });

  constructor() {
    // process_* and nodejs_* (memory, heap, event loop lag), as controller-runtime exports process_* and go_*.
    collectDefaultMetrics({ register: this.registry });
  }
}
