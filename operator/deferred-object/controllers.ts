/**
 * The DeferredObject controller on the shared runtime (R-O6): it watches the
 * DeferredObjects and, from the first one that reads a kind, the objects of
 * that kind (whole, through the shared cache), so that an input's change
 * reaches the objects that read it at once (an index maps each input to its
 * readers). Kinds are those CustomResourceDefinitions serve, followed as they
 * come and go.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { SdkDomainNames, type DomainNameLookup } from '../aws/domain-names';
import { DEFERRED_FIELD_MANAGER } from '../identity';
import type { ResourceType } from '../runtime/api-client';
import { groupKindOf, type CustomKind } from '../runtime/cache';
import { Controller, generationChanged, ownKey, type Predicate } from '../runtime/controller';
import type { Manager } from '../runtime/manager';
import { DEFERRED_OBJECT_TYPE, type DeferredObject } from './crd';
import { inputKey, targetKey } from './graph';
import { DeferredObjectReconciler, type InputObjects } from './reconciler';

export const DEFERRED_OBJECT_CONTROLLER = 'deferredobject';
const INPUT_INDEX = 'inputs';

export interface DeferredObjectOptions {
  /** @default 2 */
  readonly concurrency?: number;
  /** @default the AWS SDK with the default credential chain */
  readonly domainNames?: DomainNameLookup;
  readonly now?: () => Date;
}

/** A spec change, or the start of a deletion (a finalizer to run). */
const specChangedOrDeleting: Predicate<DeferredObject> = (event) => generationChanged(event) || (event.object.metadata?.deletionTimestamp !== undefined && event.previous?.metadata?.deletionTimestamp === undefined);

export class DeferredObjectControllers {
  readonly controller: Controller;
  private readonly kinds = new Map<string, CustomKind>();
  private readonly watched = new Set<string>();

  constructor(
    private readonly manager: Manager,
    options: DeferredObjectOptions = {},
  ) {
    const { api, cache, events, logger, metrics } = manager;
    const deferred = cache.kind<DeferredObject>(DEFERRED_OBJECT_TYPE);
    deferred.store.addIndex(INPUT_INDEX, (object) => object.spec.inputs.flatMap((input) => (input.object ? [inputKey(object.metadata!.namespace!, input.object)] : [])));
    cache.watchCustomKinds<null>({
      derive: () => null,
      onChange: (kind) => void this.kinds.set(groupKindOf(kind), kind),
      onRemove: (kind) => void this.kinds.delete(groupKindOf(kind)),
    });
    const inputs: InputObjects = {
      typeOf: (group, kind) => this.kinds.get(`${group}/${kind}`)?.type,
      get: (type, namespace, name) => this.watch(type).store.get(`${namespace}/${name}`),
    };
    this.controller = new Controller({
      name: DEFERRED_OBJECT_CONTROLLER,
      logger,
      metrics,
      concurrency: options.concurrency ?? 2,
      reconciler: new DeferredObjectReconciler({
        api,
        deferred: deferred.store,
        inputs,
        events,
        logger: logger.child({ controller: DEFERRED_OBJECT_CONTROLLER }),
        fieldManager: DEFERRED_FIELD_MANAGER,
        domainNames: options.domainNames ?? new SdkDomainNames(),
        now: options.now,
      }),
    });
    // A DeferredObject's change concerns those that read what it renders too: a cycle closed by
    // the one created last is then found by every member, not by that one alone.
    const readers = (object: DeferredObject) => deferred.store.byIndex(INPUT_INDEX, targetKey(object)).flatMap((reader) => [...ownKey(reader)]);
    this.controller.watch(deferred, (object) => [...ownKey(object), ...readers(object)], specChangedOrDeleting);
    manager.add(this.controller);
  }

  /** The cached objects of an input kind, watched from the first DeferredObject that reads it. */
  private watch(type: ResourceType) {
    const source = this.manager.cache.kind<KubernetesObject>(type);
    const groupKind = groupKindOf(type);
    if (!this.watched.has(groupKind)) {
      this.watched.add(groupKind);
      const deferred = this.manager.cache.kind<DeferredObject>(DEFERRED_OBJECT_TYPE);
      this.controller.watch(source, (object) => deferred.store.byIndex(INPUT_INDEX, `${groupKind}|${object.metadata?.namespace}/${object.metadata?.name}`).flatMap((reader) => [...ownKey(reader)]));
      this.manager.logger.info('watching DeferredObject input kind', { kind: groupKind });
    }
    return source;
  }
}
