/**
 * The ACK-gap controllers on the shared runtime (R-O7): one controller per
 * kind, each watching its own objects and the ACK objects they reference
 * (an index maps each referenced object to the objects naming it), so a
 * load balancer or trail that becomes synced is acted on at once.
 */
import { SdkScalingPolicies, type ScalingPolicies } from '../aws/scaling-policies';
import { SdkTrailLogging, type TrailLogging as TrailLoggingApi } from '../aws/trail-logging';
import { SdkWebAclAssociations, type WebAclAssociations } from '../aws/web-acl-associations';
import { GAP_FIELD_MANAGER } from '../identity';
import { groupKindOf } from '../runtime/cache';
import { Controller, generationChanged, ownKey, type Predicate } from '../runtime/controller';
import type { Manager } from '../runtime/manager';
import { GapReconciler, type AckObject, type GapKind, type GapObject } from './gap';
import { targetTrackingPolicyKind } from './target-tracking-policy';
import { trailLoggingKind } from './trail-logging';
import { webAclAssociationKind } from './web-acl-association';

export const AWS_GAP_CONTROLLERS = { webAclAssociation: 'webaclassociation', trailLogging: 'traillogging', targetTrackingPolicy: 'targettrackingpolicy' } as const;
const REFERENCE_INDEX = 'references';

export interface AwsGapOptions {
  /** Keys reconciled in parallel, per controller. @default 1 */
  readonly concurrency?: Partial<Record<(typeof AWS_GAP_CONTROLLERS)[keyof typeof AWS_GAP_CONTROLLERS], number>>;
  /** @default the AWS SDK with the default credential chain (for each) */
  readonly webAcls?: WebAclAssociations;
  readonly trails?: TrailLoggingApi;
  readonly scalingPolicies?: ScalingPolicies;
  readonly now?: () => Date;
}

/** A spec change, or the start of a deletion (the finalizer's turn). */
const specChangedOrDeleting: Predicate<GapObject> = (event) => generationChanged(event) || (event.object.metadata?.deletionTimestamp !== undefined && event.previous?.metadata?.deletionTimestamp === undefined);

export class AwsGapControllers {
  readonly controllers: readonly Controller[];

  constructor(manager: Manager, options: AwsGapOptions = {}) {
    this.controllers = [
      this.add(manager, AWS_GAP_CONTROLLERS.webAclAssociation, webAclAssociationKind(options.webAcls ?? new SdkWebAclAssociations()), options),
      this.add(manager, AWS_GAP_CONTROLLERS.trailLogging, trailLoggingKind(options.trails ?? new SdkTrailLogging()), options),
      this.add(manager, AWS_GAP_CONTROLLERS.targetTrackingPolicy, targetTrackingPolicyKind(options.scalingPolicies ?? new SdkScalingPolicies()), options),
    ];
  }

  private add<T extends GapObject, Refs extends string>(manager: Manager, name: (typeof AWS_GAP_CONTROLLERS)[keyof typeof AWS_GAP_CONTROLLERS], kind: GapKind<T, Refs>, options: AwsGapOptions): Controller {
    const { api, cache, events, logger, metrics } = manager;
    const objects = cache.kind<T>(kind.type);
    const referenceKey = (groupKind: string, namespace: string, name: string) => `${groupKind}|${namespace}/${name}`;
    objects.store.addIndex(REFERENCE_INDEX, (object) =>
      (Object.entries(kind.refs(object)) as [Refs, string][]).map(([field, name]) => referenceKey(groupKindOf(kind.refTypes[field]), object.metadata!.namespace!, name)),
    );
    const referenced = new Map([...new Set(Object.values(kind.refTypes) as typeof kind.refTypes[Refs][])].map((type) => [groupKindOf(type), cache.kind<AckObject>(type)]));
    const controller = new Controller({
      name,
      logger,
      metrics,
      concurrency: options.concurrency?.[name] ?? 1,
      reconciler: new GapReconciler(kind, {
        objects: objects.store,
        referenced: (type) => referenced.get(groupKindOf(type))!.store,
        api,
        events,
        logger: logger.child({ controller: name }),
        fieldManager: GAP_FIELD_MANAGER,
        now: options.now,
      }),
    });
    controller.watch(objects, ownKey, specChangedOrDeleting);
    for (const source of referenced.values()) {
      controller.watch(source, (object) => objects.store.byIndex(REFERENCE_INDEX, referenceKey(source.groupKind, object.metadata!.namespace!, object.metadata!.name!)).flatMap(ownKey));
    }
    manager.add(controller);
    return controller;
  }
}
