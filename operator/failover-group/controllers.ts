/**
 * The FailoverGroup controller on the shared runtime (R-O2): it watches the
 * groups and their members (the ACK DBClusters, GlobalCluster, RecordSets and
 * HealthChecks they name), so that a member's status change is looked at at
 * once, and probes on each group's own interval.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CrossRegionLease } from '../aws/cross-region-lease';
import { SdkGlobalDatabase, type GlobalDatabase } from '../aws/global-database';
import { SdkHealthSignals, type HealthSignals } from '../aws/health-signals';
import { SdkTrafficControl, type TrafficControl } from '../aws/traffic-control';
import { FAILOVER_FIELD_MANAGER } from '../identity';
import { Controller, generationChanged, ownKey } from '../runtime/controller';
import type { Manager } from '../runtime/manager';
import { FAILOVER_GROUP_TYPE, SIDES, type FailoverGroup } from './crd';
import { LeaseKeeper } from './lease-keeper';
import { FailoverMetrics } from './metrics';
import { fetchProber, type Prober } from './health';
import { MEMBER_TYPES, sideMembers, type MemberKind } from './members';
import { FailoverGroupReconciler } from './reconciler';

export const FAILOVER_GROUP_CONTROLLER = 'failovergroup';
const MEMBER_INDEX = 'members';

export interface FailoverGroupOptions {
  /** @default 2 */
  readonly concurrency?: number;
  /** @default HTTPS with fetch */
  readonly prober?: Prober;
  /** @default the AWS SDK with the default credential chain */
  readonly database?: GlobalDatabase;
  /** @default the AWS SDK with the default credential chain */
  readonly trafficControl?: TrafficControl;
  /** @default the AWS SDK with the default credential chain */
  readonly signals?: HealthSignals;
  /**
   * A lease shared by the operators of every cluster that holds this system's
   * groups (one per region): only its holder acts. @default - none: this cluster's leader acts
   */
  readonly crossRegionLease?: { readonly lease: CrossRegionLease; readonly retryMs: number };
  readonly now?: () => Date;
}

/** `<kind>|<namespace>/<name>` of every member a group names. */
function memberKeys(group: FailoverGroup): string[] {
  const namespace = group.metadata?.namespace ?? '';
  const spec = group.spec;
  return [
    ...(spec.globalCluster ? [`globalCluster|${namespace}/${spec.globalCluster.name}`] : []),
    ...SIDES.flatMap((side) => sideMembers(spec[side]).map(({ kind, name }) => `${kind}|${namespace}/${name}`)),
  ];
}

export class FailoverGroupControllers {
  readonly controller: Controller;

  constructor(manager: Manager, options: FailoverGroupOptions = {}) {
    const { api, cache, events, logger, metrics } = manager;
    const groups = cache.kind<FailoverGroup>(FAILOVER_GROUP_TYPE);
    groups.store.addIndex(MEMBER_INDEX, memberKeys);
    const members = Object.fromEntries(Object.entries(MEMBER_TYPES).map(([kind, type]) => [kind, cache.kind<KubernetesObject>(type)])) as Record<MemberKind, ReturnType<typeof cache.kind<KubernetesObject>>>;

    const keeper = options.crossRegionLease && new LeaseKeeper(options.crossRegionLease.lease, options.crossRegionLease.retryMs, logger);
    if (keeper) manager.add(keeper);
    this.controller = new Controller({
      name: FAILOVER_GROUP_CONTROLLER,
      logger,
      metrics,
      concurrency: options.concurrency ?? 2,
      reconciler: new FailoverGroupReconciler({
        api,
        groups: groups.store,
        members: Object.fromEntries(Object.entries(members).map(([kind, cached]) => [kind, cached.store])) as never,
        events,
        logger: logger.child({ controller: FAILOVER_GROUP_CONTROLLER }),
        fieldManager: FAILOVER_FIELD_MANAGER,
        prober: options.prober ?? fetchProber,
        database: options.database ?? new SdkGlobalDatabase(),
        trafficControl: options.trafficControl ?? new SdkTrafficControl(),
        signals: options.signals ?? new SdkHealthSignals(),
        metrics: new FailoverMetrics(metrics.registry),
        acting: keeper && (() => keeper.acting()),
        now: options.now,
      }),
    });
    // A spec change (a request, a freeze) is acted on at once; the group's own status writes are not.
    this.controller.watch(groups, ownKey, generationChanged);
    for (const [kind, cached] of Object.entries(members)) {
      this.controller.watch(cached, (member) => groups.store.byIndex(MEMBER_INDEX, `${kind}|${member.metadata?.namespace}/${member.metadata?.name}`).flatMap((group) => [...ownKey(group)]));
    }
    manager.add(this.controller);
  }
}
