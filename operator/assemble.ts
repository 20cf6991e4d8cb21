/**
 * The operator's parts wired together: one API client, the manager, the
 * TagPolicy controller and the peering-health exporter. `main.ts` runs it with the command-line flags; tests
 * run the same assembly in-process.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { OPERATOR_NAME } from './identity';
import { ApiClient, EventRecorder, Manager, OperatorMetrics, type Logger, type ManagerOptions } from './runtime/index';
import { PeeringHealth } from './peering-health/peering-health';
import { TagPolicyOperator } from './tag-policy/tag-policy-operator';

export interface OperatorOptions {
  readonly logger: Logger;
  /** This replica's name in Events. */
  readonly identity: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  readonly port: number;
  /** @default - none: controllers run at once */
  readonly leaderElection?: ManagerOptions['leaderElection'];
  /** ACK objects reconciled in parallel. @default 4 */
  readonly concurrency?: number;
}

export interface AssembledOperator {
  readonly api: ApiClient;
  readonly manager: Manager;
  readonly tagPolicies: TagPolicyOperator;
  readonly metrics: OperatorMetrics;
}

export function assembleOperator(kubeConfig: KubeConfig, options: OperatorOptions): AssembledOperator {
  const { logger } = options;
  const metrics = new OperatorMetrics();
  const api = new ApiClient(kubeConfig, metrics);
  const manager = new Manager({ api, logger, metrics, port: options.port, leaderElection: options.leaderElection });
  const tagPolicies = new TagPolicyOperator({
    api,
    logger,
    metrics,
    events: new EventRecorder(api, OPERATOR_NAME, options.identity, logger),
    concurrency: options.concurrency,
  });
  manager.add(tagPolicies);
  manager.addReadyCheck('tag-policy-caches', () => tagPolicies.synced);
  manager.add(new PeeringHealth({ api, logger, metrics }));
  return { api, manager, tagPolicies, metrics };
}
