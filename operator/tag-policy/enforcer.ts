/**
 * Reconciles one ACK object: makes the tags its covering policies require
 * present, in the kind's own tag shape, with server-side apply under the
 * operator's field manager. Tags no policy requires are never removed or
 * changed. Level-based: it reads the object and the policies from the caches.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { readTags, tagPatch } from '../../lib/tags/apply';
import type { TagShape } from '../../lib/tags/tag-shape';
import { apiVersionOf, objectPath, type ApiClient } from '../runtime/api-client';
import type { CachedKind } from '../runtime/cache';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import type { Store } from '../runtime/store';
import type { TagPolicy } from './crd';
import type { ComplianceLedger } from './ledger';
import { groupKind, policyCovers, requiredTags } from './matching';

/** An ACK object as the enforcer reads it. */
export interface AckObject extends KubernetesObject {
  spec?: Record<string, unknown>;
}

/** An ACK kind being watched: its cached objects and the tag shape of the version they are read at. */
export interface WatchedKind {
  readonly source: CachedKind<AckObject>;
  readonly shape: TagShape | null;
}

export interface TagEnforcerOptions {
  readonly api: ApiClient;
  readonly fieldManager: string;
  readonly kinds: ReadonlyMap<string, WatchedKind>;
  readonly policies: Store<TagPolicy>;
  readonly namespaces: Store<KubernetesObject>;
  readonly ledger: ComplianceLedger;
  readonly events: EventRecorder;
  /** Called with the names of policies whose status may have changed. */
  readonly onPoliciesTouched: (policies: readonly string[]) => void;
  /** Re-check compliant objects this often (drift made while a watch was down). */
  readonly resyncMs: number;
}

/**
 * The keys of a map-shaped tag field that `fieldManager` owns through
 * server-side apply, read from `metadata.managedFields` (list-shaped tag
 * fields are atomic: the owner owns the whole list, not keys).
 */
export function ownedTagKeys(object: KubernetesObject, shape: TagShape, fieldManager: string): string[] {
  if (shape.form !== 'map') return [];
  const entry = object.metadata?.managedFields?.find((e) => e.manager === fieldManager && e.operation === 'Apply' && !e.subresource);
  let node = (entry?.fieldsV1 as Record<string, unknown> | undefined)?.['f:spec'] as Record<string, unknown> | undefined;
  for (const part of shape.path) node = node?.[`f:${part}`] as Record<string, unknown> | undefined;
  return Object.keys(node ?? {})
    .filter((key) => key.startsWith('f:'))
    .map((key) => key.slice(2));
}

/** Work-queue keys: `<group>/<Kind>|<namespace>/<name>` (no version: a kind moving to another version is the same objects). */
export function enforcerKey(groupKind: string, object: KubernetesObject): string {
  return `${groupKind}|${object.metadata!.namespace}/${object.metadata!.name}`;
}

export class TagEnforcer implements Reconciler {
  constructor(private readonly options: TagEnforcerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { kinds, ledger, onPoliciesTouched } = this.options;
    const [kindName, objectKey] = key.split('|');
    const previous = ledger.get(key)?.policies ?? [];
    const kind = kinds.get(kindName);
    const object = kind?.source.store.get(objectKey);
    const policies = object ? this.covering(object) : [];
    if (!kind || !object || policies.length === 0) {
      ledger.remove(key);
      onPoliciesTouched(previous);
      return;
    }

    const names = policies.map((p) => p.metadata!.name!);
    const touched = [...new Set([...previous, ...names])];
    const { tags, conflicts } = requiredTags(policies, objectKey);
    if (kind.shape === null) {
      ledger.set(key, { kind: groupKind(object), policies: names, state: 'untaggable', conflicts });
      onPoliciesTouched(touched);
      return;
    }

    const current = readTags(kind.shape, object.spec);
    const missing = [...tags].filter(([tag, value]) => current.get(tag) !== value).map(([tag]) => tag);
    if (missing.length > 0) {
      ledger.set(key, { kind: groupKind(object), policies: names, state: 'pending', conflicts });
      try {
        await this.apply(kind, object, current, tags);
      } catch (error) {
        ledger.recordError(names, `${objectKey}: ${(error as Error).message}`);
        onPoliciesTouched(touched);
        throw error;
      }
      for (const policy of policies) if (missing.some((tag) => tag in policy.spec.tags)) ledger.countCorrection(policy.metadata!.name!);
      this.options.events.record(object, 'Normal', 'TagsCorrected', `set tags ${missing.join(', ')} required by TagPolicy ${names.join(', ')}`);
    }
    ledger.set(key, { kind: groupKind(object), policies: names, state: 'compliant', conflicts });
    onPoliciesTouched(touched);
    return { requeueAfterMs: this.options.resyncMs };
  }

  private covering(object: AckObject): TagPolicy[] {
    const namespace = object.metadata?.namespace;
    const namespaceLabels = namespace ? this.options.namespaces.get(namespace)?.metadata?.labels ?? undefined : undefined;
    return this.options.policies.list().filter((policy) => !policy.metadata?.deletionTimestamp && policyCovers(policy, object, namespaceLabels));
  }

  /**
   * Applies the required tags. A list-shaped tag field is atomic, so the
   * whole merged list is sent, pinned to the version it was computed from: a
   * concurrent change makes the apply fail (409) and the key is retried with
   * fresh state instead of overwriting it.
   */
  private async apply(kind: WatchedKind, object: AckObject, current: ReadonlyMap<string, string>, required: ReadonlyMap<string, string>): Promise<void> {
    const shape = kind.shape!;
    const { type } = kind.source;
    const { name, namespace, resourceVersion } = object.metadata!;
    // Server-side apply removes a map key its manager stops sending. Keys this
    // operator set earlier that no policy requires any more are sent again with
    // their current value, so that it never removes a tag.
    const kept = ownedTagKeys(object, shape, this.options.fieldManager).filter((key) => !required.has(key) && current.has(key));
    const tags = new Map([...kept.map((key) => [key, current.get(key)!] as const), ...required]);
    await this.options.api.apply(
      objectPath(type, namespace, name!),
      {
        apiVersion: apiVersionOf(type),
        kind: type.kind,
        metadata: { name, namespace, ...(shape.form === 'list' ? { resourceVersion } : {}) },
        spec: tagPatch(shape, object.spec, tags),
      } as KubernetesObject,
      this.options.fieldManager,
      // The policy's value wins over another manager's for the keys it requires.
      { force: true },
    );
  }
}
