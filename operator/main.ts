/**
 * The operator's entry point: `npm run operator` (against the current
 * kubeconfig) or the container's command (in-cluster).
 *
 *   --metrics-port <n>        /healthz, /readyz, /metrics            (default 8080)
 *   --leader-elect <bool>     run only while holding the Lease       (default true)
 *   --lease-namespace <ns>    (default $POD_NAMESPACE, else ack-systems-operator)
 *   --lease-name <name>       (default ack-systems-operator)
 *   --identity <id>           (default $POD_NAME, else hostname-pid)
 *   --lease-duration-ms, --renew-deadline-ms, --retry-period-ms   (15000, 10000, 2000)
 *   --concurrency <n>         objects reconciled in parallel          (default 4)
 *   --log-level <level>       debug | info | warn | error             (default info)
 *
 * SIGTERM and SIGINT shut down gracefully: in-flight work finishes, the Lease
 * is released.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, createLogger, EventRecorder, Manager, OperatorMetrics, type LogLevel } from './runtime/index';
import { TagPolicyOperator } from './tag-policy/tag-policy-operator';

const { values } = parseArgs({
  options: {
    'metrics-port': { type: 'string', default: '8080' },
    'leader-elect': { type: 'string', default: 'true' },
    'lease-namespace': { type: 'string', default: process.env.POD_NAMESPACE ?? 'ack-systems-operator' },
    'lease-name': { type: 'string', default: 'ack-systems-operator' },
    identity: { type: 'string', default: process.env.POD_NAME ?? `${hostname()}-${process.pid}` },
    'lease-duration-ms': { type: 'string', default: '15000' },
    'renew-deadline-ms': { type: 'string', default: '10000' },
    'retry-period-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
    'log-level': { type: 'string', default: 'info' },
  },
});

const logger = createLogger({ level: values['log-level'] as LogLevel, fields: { identity: values.identity } });
const kubeConfig = new KubeConfig();
// In a pod: the ServiceAccount token; elsewhere: $KUBECONFIG or ~/.kube/config.
if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
else kubeConfig.loadFromDefault();

const metrics = new OperatorMetrics();
const api = new ApiClient(kubeConfig, metrics);
const manager = new Manager({
  api,
  logger,
  metrics,
  port: Number(values['metrics-port']),
  leaderElection:
    values['leader-elect'] === 'true'
      ? {
          namespace: values['lease-namespace'],
          name: values['lease-name'],
          identity: values.identity,
          leaseDurationMs: Number(values['lease-duration-ms']),
          renewDeadlineMs: Number(values['renew-deadline-ms']),
          retryPeriodMs: Number(values['retry-period-ms']),
        }
      : undefined,
});
const tagPolicies = new TagPolicyOperator({
  api,
  logger,
  metrics,
  events: new EventRecorder(api, 'ack-systems-operator', values.identity, logger),
  concurrency: Number(values.concurrency),
});
manager.add(tagPolicies);
manager.addReadyCheck('tag-policy-caches', () => tagPolicies.synced);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received; shutting down', { signal });
    manager.shutdown().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  });
}

await manager.start();
logger.info('operator running', { metricsPort: manager.port, leaderElection: values['leader-elect'] === 'true' });
