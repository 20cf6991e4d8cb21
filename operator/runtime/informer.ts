/**
 * List + watch of one kind into a Store, with the guarantees an informer
 * needs (client-go `tools/cache/reflector.go`):
 *
 * - a paginated list gives the store and a resourceVersion; the watch
 *   continues from it, asking for bookmarks so that the version stays fresh
 *   even when nothing changes;
 * - a watch that ends (server timeout, network) resumes from the last
 *   version seen, after a backoff that grows on consecutive failures;
 * - "410 Gone" (the version was compacted away) triggers a relist, and the
 *   relist is diffed against the store, so handlers see every add, update and
 *   delete that happened in between: no event is lost;
 * - a handler added after the first list is first told of every stored
 *   object (as client-go's `AddEventHandler` replays the store);
 * - `reconfigure` moves the informer to another version of its kind, or to a
 *   wider transform, by a relist diffed against the same store: the objects
 *   are the same (same keys and resourceVersions), so handlers see no change.
 *
 * There is no periodic resync: a reconciler that wants to look again returns
 * `requeueAfterMs`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiError, apiVersionOf, collectionPath, isStatus, type ApiClient, type ResourceType } from './api-client';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';
import { objectKey, Store } from './store';

export interface InformerHandler<T extends KubernetesObject> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  onDelete?(object: T): void;
}

/** What the cache keeps of each object (client-go's TransformFunc). */
export type Transform<T extends KubernetesObject> = (object: KubernetesObject) => T;

export interface InformerOptions<T extends KubernetesObject> {
  /** The list and watch calls (an ApiClient). */
  readonly api: Pick<ApiClient, 'list' | 'watch'>;
  readonly type: ResourceType;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  /** List page size. @default 500 */
  readonly pageSize?: number;
  /**
   * The server ends each watch after this long and it is resumed from the last
   * version; a watch silent for 30 s longer is treated as a dead connection
   * (over HTTP/2 undici also PINGs the connection every minute and drops it
   * when a PING goes unanswered).
   * @default a random 5 to 10 minutes for each watch, as client-go's reflector, so that watches do not all end together
   */
  readonly watchTimeoutSeconds?: number;
  /** Reconnect backoff: first wait and ceiling. @default 500 ms doubling to 30 s */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Called with every list or watch failure before the informer retries it. */
  readonly onError?: (error: unknown) => void;
  /**
   * What the cache keeps of each object: drop what no reconciler reads, such
   * as managedFields and status, to keep memory proportional to what is used.
   * Must keep `metadata.name`, `namespace` and `resourceVersion`.
   * @default the whole object
   */
  readonly transform?: Transform<T>;
}

/** Thrown inside the watch loop to force a relist. */
class RelistError extends Error {}

/** client-go's reflector: between its minimum watch timeout (5 minutes) and twice that. */
const randomWatchTimeoutSeconds = () => Math.floor(300 * (1 + Math.random()));

export class Informer<T extends KubernetesObject> {
  readonly store = new Store<T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private type: ResourceType;
  private transform?: Transform<T>;
  private resourceVersion = '';
  private stopped = true;
  private relistRequested = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private listed = false;
  private readonly listWaiters: (() => void)[] = [];
  private readonly logger: Logger;
  private sleeping?: { timer: NodeJS.Timeout; wake: () => void };

  constructor(private readonly options: InformerOptions<T>) {
    this.type = options.type;
    this.transform = options.transform;
    this.logger = options.logger.child({ resource: this.resourceName });
  }

  get resourceName(): string {
    const { group, plural } = this.type;
    return group ? `${plural}.${group}` : plural;
  }

  /** The version watched now (it changes with `reconfigure`). */
  get resourceType(): ResourceType {
    return this.type;
  }

  /** True once a list has filled the store (it stays true across restarts). */
  get hasSynced(): boolean {
    return this.listed;
  }

  get running(): boolean {
    return !this.stopped;
  }

  /**
   * Adds a handler; once the store is filled, the handler is first told of
   * every stored object as an add. @returns a function that removes it
   */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.listed) for (const object of this.store.list()) handler.onAdd?.(object);
    return () => void this.handlers.delete(handler);
  }

  /** Starts (or restarts) listing and watching; resolves once a list is in the store, or when stopped first. */
  start(): Promise<void> {
    if (this.stopped) {
      this.stopped = false;
      this.loop = this.run();
    }
    return this.listed ? Promise.resolve() : this.nextList();
  }

  /** Stops listing and watching; the store is kept (a restart diffs against it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake();
    await this.loop;
    // Whoever waits for a list that will not come (a shutdown during sync) must not hang.
    this.listWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Empties the store, telling handlers of each object as a delete (its kind no longer exists). */
  clear(): void {
    for (const object of this.store.list()) this.applyEvent('DELETED', object);
  }

  /**
   * Watches another version of the kind and/or keeps another part of each
   * object, by a relist diffed against the store. Resolves after that relist
   * (at once when the informer is stopped: it applies at the next start).
   */
  reconfigure(change: { readonly type?: ResourceType; readonly transform?: Transform<T> }): Promise<void> {
    if (change.type) this.type = change.type;
    if (change.transform) this.transform = change.transform;
    if (this.stopped) return Promise.resolve();
    this.relistRequested = true;
    this.abort?.abort();
    this.wake();
    return this.nextList();
  }

  private nextList(): Promise<void> {
    return new Promise((resolve) => this.listWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let failures = 0;
    let needsList = true;
    while (!this.stopped) {
      try {
        if (needsList || this.relistRequested) {
          this.relistRequested = false;
          await this.list();
          needsList = false;
          this.listed = true;
          this.listWaiters.splice(0).forEach((resolve) => resolve());
        }
        await this.watch();
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        if (this.relistRequested) continue;
        if (error instanceof RelistError || isStatus(error, 410)) {
          this.logger.info('resourceVersion expired (410 Gone); relisting', { resourceVersion: this.resourceVersion });
          needsList = true;
          continue;
        }
        failures += 1;
        this.options.onError?.(error);
        // The server's own Retry-After (429, 503) wins over the backoff when it asks for longer.
        const delay = Math.max(Math.min(backoff.initialMs * 2 ** (failures - 1), backoff.maxMs), error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0);
        // 429: the API server's priority and fairness asked us to slow down; expected in bursts.
        const throttled = isStatus(error, 429);
        (throttled ? this.logger.info : this.logger.warn)(throttled ? 'throttled by the API server; retrying' : 'list/watch failed; retrying', { error, failures, delayMs: delay });
        await this.sleep(delay);
      }
    }
  }

  /** Lists every page, replaces the store, and tells handlers what changed. */
  private async list(): Promise<void> {
    const { api, pageSize = 500, metrics } = this.options;
    metrics.informerRelists.inc({ resource: this.resourceName });
    const fresh = new Map<string, T>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await api.list<KubernetesObject>(collectionPath(this.type), { limit: pageSize, continue: token });
      for (const item of page.items) fresh.set(objectKey(item), this.prepare(item));
      token = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
      // A reconfigure during a paged list: the pages so far are of the old version or transform.
      if (this.relistRequested) throw new RelistError('reconfigured while listing');
    } while (token);

    for (const key of this.store.keys()) {
      if (!fresh.has(key)) this.applyEvent('DELETED', this.store.get(key)!);
    }
    for (const object of fresh.values()) this.applyEvent('ADDED', object);
    this.resourceVersion = resourceVersion;
    this.logger.debug('listed', { objects: fresh.size, resourceVersion });
  }

  private async watch(): Promise<void> {
    const { api, watchTimeoutSeconds = randomWatchTimeoutSeconds() } = this.options;
    this.abort = new AbortController();
    if (this.stopped || this.relistRequested) return;
    let received = 0;
    const opened = Date.now();
    await api.watch(
      collectionPath(this.type),
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(watchTimeoutSeconds) },
      ({ type: phase, object }) => {
        received += 1;
        if (phase === 'ERROR') throw object.code === 410 ? new RelistError(object.message) : new ApiError(object.code ?? 500, 'WatchError', object.message ?? 'watch error');
        if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
        if (phase !== 'BOOKMARK') this.applyEvent(phase, this.prepare(object));
      },
      this.abort.signal,
      // The server ends every watch after timeoutSeconds; silence well beyond that means a dead connection.
      (watchTimeoutSeconds + 30) * 1000,
    );
    // A watch that ends at once with nothing (a proxy answering 200 and closing) would be
    // re-opened at once, forever: back off instead. (A quiet watch ending at its timeout is normal.)
    if (received === 0 && !this.stopped && !this.relistRequested && Date.now() - opened < Math.min(1000, watchTimeoutSeconds * 1000)) {
      throw new Error('the watch ended at once without any event');
    }
  }

  /** List items come without apiVersion and kind; the cache stores them complete, then transformed. */
  private prepare(object: KubernetesObject): T {
    const complete = { ...object, apiVersion: object.apiVersion ?? apiVersionOf(this.type), kind: object.kind ?? this.type.kind };
    return this.transform ? this.transform(complete) : (complete as T);
  }

  private applyEvent(phase: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void {
    if (phase === 'DELETED') {
      const previous = this.store.remove(object);
      if (previous) this.handlers.forEach((h) => h.onDelete?.(previous));
      return;
    }
    const previous = this.store.upsert(object);
    if (!previous) this.handlers.forEach((h) => h.onAdd?.(object));
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.handlers.forEach((h) => h.onUpdate?.(previous, object));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }

  private wake(): void {
    if (!this.sleeping) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.wake();
  }
}
