/**
 * The shared informer cache, owned by the manager (controller-runtime
 * `pkg/cache`): one informer per kind, keyed by group and kind, whatever the
 * number of controllers reading it. It runs on every replica, leader or
 * not, so that a replica taking over starts warm.
 *
 * Kinds served by a CustomResourceDefinition follow their CRD, which the
 * cache watches: the informer reads the version Kubernetes prefers among
 * those served (v1 over v1beta1 over v1alpha1) and moves when that changes
 * (ACK promoting a kind), relisting into the same store so that nothing is
 * counted twice; it pauses while the CRD is not Established and empties
 * (handlers see deletes) when the CRD is deleted, instead of retrying a
 * version that is not served. A kind the ServiceAccount may not list is
 * reported once and does not hold up the others; its informer keeps trying.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ApiClient, ResourceType } from './api-client';
import { applyMask, coversMask, IDENTITY_MASK, unionMasks, type FieldMask } from './field-mask';
import { Informer, type InformerHandler, type InformerOptions } from './informer';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';
import type { Store } from './store';
import { isStatus } from './api-client';

export interface CacheOptions {
  readonly api: ApiClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  /** Appended to the error logged for a kind the ServiceAccount may not list: how to grant it. */
  readonly rbacHint?: string;
  /** Passed to every informer (tests shorten watches and backoff). */
  readonly informer?: Pick<InformerOptions<KubernetesObject>, 'watchTimeoutSeconds' | 'backoff' | 'pageSize'>;
}

export const CRD_TYPE: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };

/** The part of a CustomResourceDefinition the cache reads. */
export interface CustomResourceDefinition extends KubernetesObject {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string };
    versions: { name: string; served: boolean; storage: boolean; schema?: { openAPIV3Schema?: unknown } }[];
  };
  status?: { conditions?: { type: string; status: string }[] };
}

/** A kind served by a CRD, as the cache sees it. */
export interface CustomKind {
  readonly group: string;
  readonly kind: string;
  /** Where it is read: the preferred served version; undefined while no version is served. */
  readonly type?: ResourceType;
  readonly established: boolean;
}

/** A watcher of the kinds CRDs serve (for controllers that discover kinds, like TagPolicy). */
export interface CustomKindWatcher<D> {
  /**
   * What this watcher needs of a CRD, computed from it as it is read (the
   * CRD itself, with its large schemas, is not kept). `version` is the
   * version `type` reads.
   */
  derive(crd: CustomResourceDefinition, version: string): D;
  /** A kind appeared or changed (served version, Established, schema). */
  onChange(kind: CustomKind, derived: D): void;
  /** Its CRD was deleted. */
  onRemove(kind: CustomKind): void;
}

/** What the cache keeps of a CRD. */
interface CrdSummary extends KubernetesObject {
  readonly custom: CustomKind;
  /** One entry per watcher, in registration order. */
  readonly derived: readonly unknown[];
}

export type CachedKindState = 'syncing' | 'synced' | 'forbidden' | 'not-served' | 'stopped';

/** One kind in the cache: its store, its handlers, and whether it has synced. */
export interface CachedKind<T extends KubernetesObject> {
  readonly groupKind: string;
  readonly store: Store<T>;
  /** Where it is read now (the version follows the CRD). */
  readonly type: ResourceType;
  readonly state: CachedKindState;
  /** Adds a handler (told of every stored object first). @returns a function that removes it */
  addHandler(handler: InformerHandler<T>): () => void;
  /** Resolves once the kind has listed, or cannot be (not served, forbidden), or the cache stopped. */
  synced(): Promise<void>;
}

/** Groups of the API server itself (CRDs cannot use them without API approval). */
export function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

export function groupKindOf(type: Pick<ResourceType, 'group' | 'kind'>): string {
  return `${type.group}/${type.kind}`;
}

const VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (apiextensions `version.go`): GA before beta
 * before alpha, higher numbers first, then other names alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (version: string): [number, number, number] | undefined => {
    const match = VERSION.exec(version);
    if (!match) return undefined;
    const stability = match[2] === 'alpha' ? 0 : match[2] === 'beta' ? 1 : 2;
    return [stability, Number(match[1]), Number(match[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return 0;
}

export function preferredVersion(crd: CustomResourceDefinition): string | undefined {
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => v.name)
    .sort(compareVersionPriority)[0];
}

class Entry<T extends KubernetesObject> implements CachedKind<T> {
  readonly informer: Informer<T>;
  mask: FieldMask;
  state: CachedKindState = 'syncing';
  private waiters: (() => void)[] = [];
  /** CRD changes are applied one at a time. */
  private applying = Promise.resolve();

  constructor(
    readonly groupKind: string,
    readonly declared: ResourceType,
    mask: FieldMask,
    options: Omit<InformerOptions<T>, 'type' | 'transform'>,
  ) {
    this.mask = mask;
    this.informer = new Informer<T>({ ...options, type: declared, transform: this.transform() });
  }

  get store(): Store<T> {
    return this.informer.store;
  }

  get type(): ResourceType {
    return this.informer.resourceType;
  }

  addHandler(handler: InformerHandler<T>): () => void {
    return this.informer.addHandler(handler);
  }

  synced(): Promise<void> {
    if (this.state !== 'syncing') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  settle(state: CachedKindState): void {
    this.state = state;
    if (state !== 'syncing') this.waiters.splice(0).forEach((resolve) => resolve());
  }

  transform(): (object: KubernetesObject) => T {
    const mask = unionMasks(IDENTITY_MASK, this.mask);
    return (object) => applyMask(object, mask) as T;
  }

  /** Runs `change` after the previous one: CRD events arrive faster than informers stop. */
  serially(change: () => Promise<void>): Promise<void> {
    this.applying = this.applying.then(change);
    return this.applying;
  }
}

export class SharedCache {
  private readonly entries = new Map<string, Entry<KubernetesObject>>();
  private readonly watchers: CustomKindWatcher<unknown>[] = [];
  private readonly crds: Informer<CrdSummary>;
  /** CRD summaries by group/kind. */
  private readonly customKinds = new Map<string, CrdSummary>();
  private readonly logger: Logger;
  private running = false;

  constructor(private readonly options: CacheOptions) {
    this.logger = options.logger.child({ component: 'cache' });
    this.crds = new Informer<CrdSummary>({ ...this.informerOptions(), type: CRD_TYPE, transform: (object) => this.summarize(object as CustomResourceDefinition) });
    this.crds.addHandler({
      onAdd: (crd) => this.crdChanged(crd),
      onUpdate: (_, crd) => this.crdChanged(crd),
      onDelete: (crd) => this.crdRemoved(crd),
    });
  }

  /**
   * The cached kind of `type`, created on first use; `mask` is what the
   * caller reads (default: the whole object). A caller reading more than the
   * kind's cache keeps widens it, by a relist into the same store.
   */
  kind<T extends KubernetesObject>(type: ResourceType, mask: FieldMask = true): CachedKind<T> {
    const groupKind = groupKindOf(type);
    const existing = this.entries.get(groupKind) as Entry<T> | undefined;
    if (existing) {
      if (isBuiltInGroup(type.group) && existing.declared.version !== type.version) {
        throw new Error(`${groupKind} is cached at ${existing.declared.version}; read it at that version, not ${type.version}`);
      }
      if (!coversMask(existing.mask, mask)) {
        existing.mask = unionMasks(existing.mask, mask);
        if (existing.informer.running) this.logger.info('a reader needs more of this kind; relisting to keep it', { kind: groupKind });
        void existing.informer.reconfigure({ transform: existing.transform() });
      }
      return existing;
    }
    const entry = new Entry<T>(groupKind, type, mask, {
      ...this.informerOptions(),
      onError: (error) => {
        if (!isStatus(error, 403) || entry.state === 'forbidden') return;
        entry.settle('forbidden');
        this.logger.error(`no RBAC to list/watch ${groupKind}; its objects are not seen until it is granted${this.options.rbacHint ? `. ${this.options.rbacHint}` : ''}`, { kind: groupKind });
      },
    });
    this.entries.set(groupKind, entry as unknown as Entry<KubernetesObject>);
    if (this.running) void this.run(entry as unknown as Entry<KubernetesObject>);
    return entry;
  }

  /** Watches the kinds CRDs serve. Register before the cache starts (what it derives is computed as CRDs are read). */
  watchCustomKinds<D>(watcher: CustomKindWatcher<D>): void {
    if (this.crds.hasSynced || this.crds.running) throw new Error('watchCustomKinds must be called before the cache starts');
    this.watchers.push(watcher as CustomKindWatcher<unknown>);
  }

  /** Starts every informer; resolves once all (including kinds added meanwhile) have synced or cannot. */
  async start(): Promise<void> {
    this.running = true;
    await this.crds.start();
    for (const entry of this.entries.values()) void this.run(entry);
    for (let pending = this.pending(); pending.length > 0; pending = this.pending()) await Promise.all(pending.map((entry) => entry.synced()));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([this.crds.stop(), ...[...this.entries.values()].map((entry) => entry.informer.stop())]);
    for (const entry of this.entries.values()) if (entry.state === 'syncing') entry.settle('stopped');
  }

  /** Kinds still syncing (for /readyz). */
  unsynced(): string[] {
    return [...(this.crds.hasSynced ? [] : [groupKindOf(CRD_TYPE)]), ...this.pending().map((entry) => entry.groupKind)];
  }

  private pending(): Entry<KubernetesObject>[] {
    return [...this.entries.values()].filter((entry) => entry.state === 'syncing');
  }

  private informerOptions() {
    const { api, logger, metrics } = this.options;
    return { ...this.options.informer, api, logger, metrics };
  }

  private async run(entry: Entry<KubernetesObject>): Promise<void> {
    if (isBuiltInGroup(entry.declared.group)) {
      await entry.informer.start();
      if (this.running) entry.settle('synced');
      return;
    }
    await entry.serially(() => this.follow(entry));
  }

  /** Moves a CRD-backed kind's informer to what its CRD serves now. */
  private async follow(entry: Entry<KubernetesObject>): Promise<void> {
    // Until the CRDs are listed, a missing CRD means nothing; start() follows every kind then.
    if (!this.running || !this.crds.hasSynced) return;
    const custom = this.customKinds.get(entry.groupKind)?.custom;
    const { informer } = entry;
    if (!custom?.type || !custom.established) {
      if (informer.running) {
        this.logger.info(custom ? 'kind not served (CRD not Established or no served version); pausing' : 'CRD deleted; forgetting its objects', { kind: entry.groupKind });
        await informer.stop();
      }
      // A deleted CRD takes its objects with it; a paused one keeps them for when it returns.
      if (!custom) informer.clear();
      entry.settle('not-served');
      return;
    }
    if (informer.running && informer.resourceType.version === custom.type.version) return;
    if (informer.running) this.logger.info('kind now served at another version; relisting into the same cache', { kind: entry.groupKind, from: informer.resourceType.version, to: custom.type.version });
    const wasRunning = informer.running;
    let listed = informer.reconfigure({ type: custom.type });
    if (!wasRunning) listed = informer.start();
    if (entry.state !== 'forbidden') entry.settle('syncing');
    // Not awaited: a forbidden or failing list must not hold up other CRD changes.
    void listed.then(() => {
      if (this.running && informer.running) entry.settle('synced');
    });
  }

  private summarize(crd: CustomResourceDefinition): CrdSummary {
    const { group, names, scope } = crd.spec;
    const version = preferredVersion(crd);
    const custom: CustomKind = {
      group,
      kind: names.kind,
      type: version ? { group, version, plural: names.plural, kind: names.kind, namespaced: scope === 'Namespaced' } : undefined,
      established: crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
    };
    const { name, resourceVersion, uid } = crd.metadata ?? {};
    return {
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      metadata: { name, resourceVersion, uid },
      custom,
      derived: version ? this.watchers.map((watcher) => watcher.derive(crd, version)) : [],
    };
  }

  private crdChanged(summary: CrdSummary): void {
    const groupKind = groupKindOf(summary.custom);
    this.customKinds.set(groupKind, summary);
    const entry = this.entries.get(groupKind);
    if (entry && this.running) void entry.serially(() => this.follow(entry));
    if (summary.custom.type) this.watchers.forEach((watcher, i) => watcher.onChange(summary.custom, summary.derived[i]));
  }

  private crdRemoved(summary: CrdSummary): void {
    const groupKind = groupKindOf(summary.custom);
    this.customKinds.delete(groupKind);
    const entry = this.entries.get(groupKind);
    if (entry && this.running) void entry.serially(() => this.follow(entry));
    this.watchers.forEach((watcher) => watcher.onRemove(summary.custom));
  }
}
