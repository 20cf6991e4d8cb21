/**
 * The operator's parts wired together: one API client, the manager (with its
 * shared cache and Event recorder), the TagPolicy controllers, the
 * FailoverGroup and DeferredObject controllers and the peering-health exporter. `main.ts` runs it with the command-line flags;
 * tests run the same assembly in-process.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerName } from './flags';
import { OPERATOR_NAME } from './identity';
import { ApiClient, Manager, OperatorMetrics, type CacheOptions, type Logger, type ManagerOptions } from './runtime/index';
import { AwsGapControllers, type AwsGapOptions } from './aws-gaps/controllers';
import { DeferredObjectControllers, type DeferredObjectOptions } from './deferred-object/controllers';
import { FailoverGroupControllers, type FailoverGroupOptions } from './failover-group/controllers';
import { PeeringHealth } from './peering-health/peering-health';
import { TagPolicyControllers } from './tag-policy/controllers';

/** How to grant a kind the operator may not list: its chart's RBAC is generated from the ACK CRDs. */
const RBAC_HINT = 'Regenerate the operator chart (npm run import && npm run synth) and apply dist/operator/';

export interface OperatorOptions {
  readonly logger: Logger;
  /** This replica's name in Events. */
  readonly identity: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  readonly port: number;
  /** @default - none: controllers run at once */
  readonly leaderElection?: ManagerOptions['leaderElection'];
  /** Keys reconciled in parallel, per controller. @default each controller's own */
  readonly concurrency?: Partial<Record<ControllerName, number>>;
  /** @default the informers' defaults (tests shorten them) */
  readonly informer?: CacheOptions['informer'];
  /** The failover controller's outside world. @default HTTPS probes and the AWS SDK's default credentials */
  readonly failover?: Omit<FailoverGroupOptions, 'concurrency'>;
  /** The DeferredObject controller's outside world. @default the AWS SDK's default credentials */
  readonly deferred?: Omit<DeferredObjectOptions, 'concurrency'>;
  /** The ACK-gap controllers' outside world. @default the AWS SDK's default credentials */
  readonly awsGaps?: Omit<AwsGapOptions, 'concurrency'>;
}

export interface AssembledOperator {
  readonly api: ApiClient;
  readonly manager: Manager;
  readonly tagPolicies: TagPolicyControllers;
  readonly failoverGroups: FailoverGroupControllers;
  readonly deferredObjects: DeferredObjectControllers;
  readonly awsGaps: AwsGapControllers;
  readonly metrics: OperatorMetrics;
}

export function assembleOperator(kubeConfig: KubeConfig, options: OperatorOptions): AssembledOperator {
  const { logger } = options;
  const metrics = new OperatorMetrics();
  const api = new ApiClient(kubeConfig, metrics);
  const manager = new Manager({
    api,
    logger,
    metrics,
    port: options.port,
    leaderElection: options.leaderElection,
    events: { component: OPERATOR_NAME, instance: options.identity },
    cache: { rbacHint: RBAC_HINT, informer: options.informer },
  });
  const tagPolicies = new TagPolicyControllers(manager, { concurrency: options.concurrency });
  const failoverGroups = new FailoverGroupControllers(manager, { ...options.failover, concurrency: options.concurrency?.failovergroup });
  const deferredObjects = new DeferredObjectControllers(manager, { ...options.deferred, concurrency: options.concurrency?.deferredobject });
  const awsGaps = new AwsGapControllers(manager, { ...options.awsGaps, concurrency: options.concurrency });
  new PeeringHealth(manager);
  return { api, manager, tagPolicies, failoverGroups, deferredObjects, awsGaps, metrics };
}
