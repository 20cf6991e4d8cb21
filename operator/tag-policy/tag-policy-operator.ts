/**
 * The TagPolicy controller (R-O1), wired onto the runtime:
 *
 * - a CRD informer discovers every ACK kind (CRDs of `*.services.k8s.aws`
 *   groups, also those installed later) and starts an informer per kind, with
 *   the kind's tag shape derived from its schema by the same function synth uses;
 * - the enforcer reconciles ACK objects; the status controller reconciles
 *   TagPolicy statuses from what the enforcer found.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { tagFieldOnly } from '../../lib/tags/apply';
import { deriveTagShape, kindKey, type SchemaNode, type TagShape } from '../../lib/tags/tag-shape';
import { apiVersionOf, isStatus, type ApiClient, type ResourceType } from '../runtime/api-client';
import { ConcurrencyLimit } from '../runtime/concurrency';
import { Controller } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import { Informer } from '../runtime/informer';
import type { Logger } from '../runtime/log';
import type { Runnable } from '../runtime/manager';
import type { OperatorMetrics } from '../runtime/metrics';
import { objectKey } from '../runtime/store';
import { TAG_FIELD_MANAGER } from '../identity';
import { TAG_POLICY_TYPE, type TagPolicy } from './crd';
import { enforcerKey, TagEnforcer, type AckObject, type WatchedKind } from './enforcer';
import { ComplianceLedger } from './ledger';
import { PolicyStatusReconciler } from './status';

const ACK_SERVICE_GROUP = /^[a-z0-9]+\.services\.k8s\.aws$/;
/** How long object results gather before a policy's status is recomputed and written. */
const STATUS_BATCH_MS = 1000;
const CRD_TYPE: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
const NAMESPACE_TYPE: ResourceType = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };

interface CustomResourceDefinition extends KubernetesObject {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string };
    versions: { name: string; served: boolean; storage: boolean; schema?: { openAPIV3Schema?: SchemaNode } }[];
  };
  status?: { conditions?: { type: string; status: string }[] };
}

/** What the operator keeps of a CRD (its schemas are large): the ACK kind it serves, if any. */
interface CrdSummary extends KubernetesObject {
  readonly ack?: {
    readonly type: ResourceType;
    readonly established: boolean;
    readonly shape: TagShape | null;
    /** Why the tag shape could not be derived; the kind is then treated as untaggable. */
    readonly shapeError?: string;
  };
}

/** Identity and labels: all the enforcer and the event recorder read of an object's metadata. */
function slimMetadata({ metadata = {} }: KubernetesObject): KubernetesObject['metadata'] {
  const { name, namespace, uid, resourceVersion, labels, deletionTimestamp } = metadata;
  return { name, namespace, uid, resourceVersion, labels, deletionTimestamp };
}

function summarizeCrd(object: KubernetesObject): CrdSummary {
  const crd = object as CustomResourceDefinition;
  const { group, names, scope, versions } = crd.spec;
  const version = versions.find((v) => v.served && v.storage) ?? versions.find((v) => v.served);
  const summary: CrdSummary = { apiVersion: crd.apiVersion, kind: crd.kind, metadata: slimMetadata(crd) };
  if (!ACK_SERVICE_GROUP.test(group) || !version) return summary;
  let shape: TagShape | null = null;
  let shapeError: string | undefined;
  try {
    shape = deriveTagShape(version.schema?.openAPIV3Schema?.properties?.spec, names.kind) ?? null;
  } catch (error) {
    shapeError = (error as Error).message;
  }
  return {
    ...summary,
    ack: {
      type: { group, version: version.name, plural: names.plural, kind: names.kind, namespaced: scope === 'Namespaced' },
      established: crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
      shape,
      shapeError,
    },
  };
}

export interface TagPolicyOperatorOptions {
  readonly api: ApiClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
  /** @default ack-systems-tag-operator */
  readonly fieldManager?: string;
  /** Objects reconciled in parallel. @default 4 */
  readonly concurrency?: number;
  /** @default 10 minutes */
  readonly resyncMs?: number;
}

export class TagPolicyOperator implements Runnable {
  readonly name = 'tag-policy';
  readonly enforcer: Controller;
  readonly statusController: Controller;
  readonly kinds = new Map<string, WatchedKind & { informer: Informer<AckObject> }>();
  private readonly crds: Informer<CrdSummary>;
  private readonly namespaces: Informer<KubernetesObject>;
  private readonly policies: Informer<TagPolicy>;
  private readonly ledger = new ComplianceLedger();
  private readonly logger: Logger;
  private readonly kindStarts: Promise<void>[] = [];
  private readonly syncedKinds = new Set<string>();
  /** Kinds the ServiceAccount may not list: reported, skipped for readiness. */
  readonly forbiddenKinds = new Set<string>();
  /** Informers of discovered kinds start a few at a time (see ConcurrencyLimit). */
  private readonly kindStartLimit = new ConcurrencyLimit(8);
  private started = false;
  private readonly fieldManager: string;

  constructor(private readonly options: TagPolicyOperatorOptions) {
    const { api, metrics } = options;
    this.fieldManager = options.fieldManager ?? TAG_FIELD_MANAGER;
    this.logger = options.logger.child({ component: 'tag-policy' });
    const informer = <T extends KubernetesObject>(type: ResourceType, transform?: (object: KubernetesObject) => T) => new Informer<T>({ api, type, logger: this.logger, metrics, transform });
    this.crds = informer(CRD_TYPE, summarizeCrd);
    this.namespaces = informer(NAMESPACE_TYPE, (namespace) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: slimMetadata(namespace) }));
    this.policies = informer(TAG_POLICY_TYPE);

    this.statusController = new Controller({
      name: 'tagpolicy-status',
      logger: this.logger,
      metrics,
      reconciler: new PolicyStatusReconciler({ api, policies: this.policies.store, ledger: this.ledger, events: options.events }),
    });
    this.enforcer = new Controller({
      name: 'tagpolicy-enforcer',
      logger: this.logger,
      metrics,
      concurrency: options.concurrency ?? 4,
      reconciler: new TagEnforcer({
        api,
        fieldManager: this.fieldManager,
        kinds: this.kinds,
        policies: this.policies.store,
        namespaces: this.namespaces.store,
        ledger: this.ledger,
        events: options.events,
        // Many objects change at once (a new policy, a relist): one status write per policy per batch, not per object.
        onPoliciesTouched: (names) => names.forEach((name) => this.statusController.queue.addAfter(name, STATUS_BATCH_MS)),
        resyncMs: options.resyncMs ?? 10 * 60_000,
      }),
    });

    this.crds.addHandler({ onAdd: (crd) => this.watchKind(crd), onUpdate: (_, crd) => this.watchKind(crd), onDelete: (crd) => void this.unwatchKind(crd) });
    this.policies.addHandler({
      onAdd: (policy) => this.policyChanged(policy),
      // Status writes do not change the generation; only spec changes need every object re-checked.
      onUpdate: (previous, policy) => {
        if (previous.metadata?.generation !== policy.metadata?.generation) this.policyChanged(policy);
      },
      onDelete: () => this.enqueueAllObjects(),
    });
    this.namespaces.addHandler({
      onUpdate: (previous, namespace) => {
        if (JSON.stringify(previous.metadata?.labels) !== JSON.stringify(namespace.metadata?.labels)) this.enqueueNamespace(namespace.metadata!.name!);
      },
    });
  }

  /** True once started and every discovered kind's informer has listed (or been refused). */
  get synced(): boolean {
    return this.started && [...this.kinds.keys()].every((kindId) => this.syncedKinds.has(kindId) || this.forbiddenKinds.has(kindId));
  }

  async start(): Promise<void> {
    await Promise.all([this.namespaces.start(), this.policies.start()]);
    await this.crds.start();
    await Promise.all(this.kindStarts);
    this.enforcer.start();
    this.statusController.start();
    this.started = true;
    this.logger.info('tag policy controller started', { kinds: this.kinds.size, policies: this.policies.store.size });
  }

  async stop(): Promise<void> {
    await this.enforcer.stop();
    await this.statusController.stop();
    await this.options.events.flush();
    await Promise.all([this.crds.stop(), this.namespaces.stop(), this.policies.stop(), ...[...this.kinds.values()].map((k) => k.informer.stop())]);
  }

  private watchKind(crd: CrdSummary): void {
    if (!crd.ack?.established) return;
    const { type, shape, shapeError } = crd.ack;
    const kindId = kindKey(apiVersionOf(type), type.kind);
    if (this.kinds.has(kindId)) return;
    if (shapeError) this.logger.error('unknown tag shape; objects of this kind are reported as untaggable', { kind: kindId, error: shapeError });
    const { fieldManager } = this;
    // A kind installed after the operator's RBAC was generated is forbidden: it
    // must not hold up readiness or the other kinds. The informer keeps
    // retrying, so granting the RBAC later is enough.
    let forbidden!: () => void;
    const whenForbidden = new Promise<void>((resolve) => (forbidden = resolve));
    const informer = new Informer<AckObject>({
      api: this.options.api,
      type,
      logger: this.logger,
      metrics: this.options.metrics,
      // The cache keeps the tag field and this operator's own managedFields entry only:
      // ACK objects carry large specs, statuses and managedFields.
      transform: (object) => ({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { ...slimMetadata(object), managedFields: object.metadata?.managedFields?.filter((entry) => entry.manager === fieldManager) },
        ...(shape ? { spec: tagFieldOnly(shape, (object as AckObject).spec) } : {}),
      }),
      onError: (error) => {
        if (!isStatus(error, 403) || this.forbiddenKinds.has(kindId)) return;
        this.forbiddenKinds.add(kindId);
        this.logger.error('no RBAC to list/watch this ACK kind; its objects are not tagged. Regenerate the operator chart (npm run import && npm run synth) and apply dist/operator/', { kind: kindId });
        forbidden();
      },
    });
    const enqueue = (object: AckObject) => this.enforcer.enqueue(enforcerKey(kindId, object));
    informer.addHandler({ onAdd: enqueue, onUpdate: (_, object) => enqueue(object), onDelete: enqueue });
    this.kinds.set(kindId, { type, shape, store: informer.store, informer });
    const synced = informer.start().then(() => {
      this.forbiddenKinds.delete(kindId);
      this.syncedKinds.add(kindId);
    });
    this.kindStarts.push(this.kindStartLimit.run(() => Promise.race([synced, whenForbidden])));
    this.logger.info('watching ACK kind', { kind: kindId, taggable: shape !== null });
  }

  private async unwatchKind(crd: CrdSummary): Promise<void> {
    if (!crd.ack) return;
    for (const [kindId, kind] of this.kinds) {
      if (kind.type.group !== crd.ack.type.group || kind.type.kind !== crd.ack.type.kind) continue;
      this.kinds.delete(kindId);
      this.syncedKinds.delete(kindId);
      this.forbiddenKinds.delete(kindId);
      await kind.informer.stop();
      kind.store.list().forEach((object) => this.enforcer.enqueue(enforcerKey(kindId, object)));
    }
  }

  private policyChanged(policy: TagPolicy): void {
    this.statusController.enqueue(policy.metadata!.name!);
    this.enqueueAllObjects();
  }

  private enqueueAllObjects(): void {
    for (const [kindId, kind] of this.kinds) for (const object of kind.store.list()) this.enforcer.enqueue(enforcerKey(kindId, object));
    for (const policy of this.policies.store.list()) this.statusController.enqueue(objectKey(policy));
  }

  private enqueueNamespace(namespace: string): void {
    for (const [kindId, kind] of this.kinds) for (const object of kind.store.listInNamespace(namespace)) this.enforcer.enqueue(enforcerKey(kindId, object));
  }
}
