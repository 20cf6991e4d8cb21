/**
 * The TagPolicy controllers (R-O1), on the runtime's wiring layer:
 *
 * - every ACK kind (CRDs of `*.services.k8s.aws` groups, also those installed
 *   later) is read through the shared cache, with its tag shape derived from
 *   the CRD's schema by the same function synth uses; the cache keeps of each
 *   object its tag field and this operator's managedFields entry only;
 * - the enforcer reconciles ACK objects (`<group>/<Kind>|<namespace>/<name>`),
 *   on a change of the object, of a policy's spec, or of its namespace's labels;
 * - the status controller reconciles TagPolicy statuses from what the
 *   enforcer found, batched so that many objects changing at once make one
 *   write per policy.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { deriveTagShape, type SchemaNode, type TagShape } from '../../lib/tags/tag-shape';
import type { ResourceType } from '../runtime/api-client';
import { groupKindOf, type CustomKind, type CustomResourceDefinition } from '../runtime/cache';
import { Controller, generationChanged, labelsChanged, ownKey } from '../runtime/controller';
import type { FieldMask } from '../runtime/field-mask';
import type { Manager } from '../runtime/manager';
import { TAG_FIELD_MANAGER } from '../identity';
import { TAG_POLICY_TYPE, type TagPolicy } from './crd';
import { enforcerKey, TagEnforcer, type AckObject, type WatchedKind } from './enforcer';
import { ComplianceLedger } from './ledger';
import { PolicyStatusReconciler } from './status';

export const TAG_POLICY_CONTROLLERS = { enforcer: 'tagpolicy-enforcer', status: 'tagpolicy-status' } as const;
export type TagPolicyControllerName = (typeof TAG_POLICY_CONTROLLERS)[keyof typeof TAG_POLICY_CONTROLLERS];

const ACK_SERVICE_GROUP = /^[a-z0-9]+\.services\.k8s\.aws$/;
/** How long object results gather before a policy's status is recomputed and written. */
const STATUS_BATCH_MS = 1000;
const NAMESPACE_TYPE: ResourceType = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };

/** A kind's tag shape, or why it could not be derived (the kind is then treated as untaggable). */
interface DerivedShape {
  readonly shape: TagShape | null;
  readonly error?: string;
}

function deriveShape(crd: CustomResourceDefinition, version: string): DerivedShape {
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema as SchemaNode | undefined;
  try {
    return { shape: deriveTagShape(schema?.properties?.spec, crd.spec.names.kind) ?? null };
  } catch (error) {
    return { shape: null, error: (error as Error).message };
  }
}

export interface TagPolicyOptions {
  /** @default ack-systems-tag-operator */
  readonly fieldManager?: string;
  /** Keys reconciled in parallel, per controller. @default enforcer 4, status 1 */
  readonly concurrency?: Partial<Record<TagPolicyControllerName, number>>;
  /** Re-check compliant objects this often (drift made while a watch was down). @default 10 minutes */
  readonly resyncMs?: number;
}

export class TagPolicyControllers {
  readonly enforcer: Controller;
  readonly status: Controller;
  /** The ACK kinds discovered, by `<group>/<Kind>`. */
  readonly kinds = new Map<string, WatchedKind>();
  private readonly ledger = new ComplianceLedger();
  /** What the cache keeps of ACK objects' managedFields: this operator's entry (to know the tag keys it owns). */
  private readonly ownManagedFields: (entry: { manager?: string }) => boolean;

  constructor(
    private readonly manager: Manager,
    options: TagPolicyOptions = {},
  ) {
    const { api, cache, events, logger, metrics } = manager;
    const fieldManager = options.fieldManager ?? TAG_FIELD_MANAGER;
    this.ownManagedFields = (entry) => entry.manager === fieldManager;
    const policies = cache.kind<TagPolicy>(TAG_POLICY_TYPE);
    // Identity and labels are all the enforcer reads of a namespace.
    const namespaces = cache.kind<KubernetesObject>(NAMESPACE_TYPE, {});

    this.status = new Controller({
      name: TAG_POLICY_CONTROLLERS.status,
      logger,
      metrics,
      concurrency: options.concurrency?.[TAG_POLICY_CONTROLLERS.status] ?? 1,
      reconciler: new PolicyStatusReconciler({ api, policies: policies.store, ledger: this.ledger, events }),
    });
    // A new or changed policy is reconciled at once; any other update (the
    // controller's own status writes, or another writer's) joins the next
    // batch: while objects are corrected, one status write per batch.
    this.status.watch(policies, ownKey, generationChanged);
    this.status.watchBatched(STATUS_BATCH_MS, policies, ownKey, (event) => !generationChanged(event));

    this.enforcer = new Controller({
      name: TAG_POLICY_CONTROLLERS.enforcer,
      logger,
      metrics,
      concurrency: options.concurrency?.[TAG_POLICY_CONTROLLERS.enforcer] ?? 4,
      reconciler: new TagEnforcer({
        api,
        fieldManager,
        kinds: this.kinds,
        policies: policies.store,
        namespaces: namespaces.store,
        ledger: this.ledger,
        events,
        onPoliciesTouched: (names) => names.forEach((name) => this.status.queue.addAfter(name, STATUS_BATCH_MS)),
        resyncMs: options.resyncMs ?? 10 * 60_000,
      }),
    });
    // A policy's spec changing (not its status being written) concerns every object.
    this.enforcer.watch(policies, () => this.allObjectKeys(), generationChanged);
    this.enforcer.watch(namespaces, (namespace) => this.objectKeysIn(namespace.metadata!.name!), labelsChanged);

    cache.watchCustomKinds<DerivedShape>({
      derive: deriveShape,
      onChange: (kind, derived) => this.kindChanged(kind, derived),
      onRemove: () => undefined, // the cache empties the kind: the enforcer sees each object deleted
    });
    manager.add(this.status);
    manager.add(this.enforcer);
  }

  private kindChanged(kind: CustomKind, { shape, error }: DerivedShape): void {
    if (!ACK_SERVICE_GROUP.test(kind.group) || !kind.type) return;
    const groupKind = groupKindOf(kind);
    const known = this.kinds.get(groupKind);
    if (known && JSON.stringify(known.shape) === JSON.stringify(shape)) return;
    const { logger } = this.manager;
    if (error) logger.error('unknown tag shape; objects of this kind are reported as untaggable', { kind: groupKind, error });
    // The cache keeps the tag field and this operator's managedFields entry: ACK objects carry large specs and statuses.
    const mask: FieldMask = { metadata: { managedFields: this.ownManagedFields as (item: never) => boolean }, ...(shape ? { spec: shape.path.reduceRight<FieldMask>((inner, field) => ({ [field]: inner }), true) } : {}) };
    const source = this.manager.cache.kind<AckObject>(kind.type, mask);
    this.kinds.set(groupKind, { source, shape });
    if (known) {
      logger.info('tag shape of ACK kind changed; re-checking its objects', { kind: groupKind, taggable: shape !== null });
      for (const object of source.store.list()) this.enforcer.enqueue(enforcerKey(groupKind, object));
      return;
    }
    this.enforcer.watch(source, (object) => [enforcerKey(groupKind, object)]);
    logger.info('watching ACK kind', { kind: groupKind, taggable: shape !== null });
  }

  private *allObjectKeys(): Iterable<string> {
    for (const [groupKind, kind] of this.kinds) for (const object of kind.source.store.list()) yield enforcerKey(groupKind, object);
  }

  private *objectKeysIn(namespace: string): Iterable<string> {
    for (const [groupKind, kind] of this.kinds) for (const object of kind.source.store.listInNamespace(namespace)) yield enforcerKey(groupKind, object);
  }
}
