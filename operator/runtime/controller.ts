/**
 * A controller: the kinds it watches, a work queue, and workers calling a
 * reconciler, with controller-runtime's worker contract (controller-runtime
 * `pkg/internal/controller`): on success forget the key's failures; on an
 * error retry with rate limiting, unless the error is terminal; on a requested
 * requeue forget and add after the delay. The reconciler is level-based: it
 * gets only a key and re-reads the state it needs.
 *
 * `watch(source, mapToKeys, ...predicates)` says which keys an object's
 * change concerns (controller-runtime's `Watches` with a handler and
 * predicates). Sources are kinds of the manager's shared cache; the
 * controller starts its workers once every source has synced, and is told of
 * every cached object then, so nothing that happened before it led is missed.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiError } from './api-client';
import type { CachedKind } from './cache';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';
import type { RateLimiter } from './rate-limiter';
import { objectKey } from './store';
import { WorkQueue } from './workqueue';

/** A change seen in a watched kind; `previous` is set for updates. */
export interface ObjectEvent<T extends KubernetesObject> {
  readonly type: 'add' | 'update' | 'delete';
  readonly object: T;
  readonly previous?: T;
}

/** Whether a change should enqueue anything (all of a watch's predicates must agree). */
export type Predicate<T extends KubernetesObject> = (event: ObjectEvent<T>) => boolean;

/** Updates only when `metadata.generation` changed (a spec change, not a status write); adds and deletes pass. */
export const generationChanged: Predicate<KubernetesObject> = ({ type, object, previous }) => type !== 'update' || previous?.metadata?.generation !== object.metadata?.generation;

/** Updates only when the labels changed; adds and deletes pass. */
export const labelsChanged: Predicate<KubernetesObject> = ({ type, object, previous }) =>
  type !== 'update' || !sameLabels(previous?.metadata?.labels ?? {}, object.metadata?.labels ?? {});

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The object's own key, `namespace/name` (controller-runtime's `EnqueueRequestForObject`). */
export const ownKey = (object: KubernetesObject): string[] => [objectKey(object)];

interface Watch<T extends KubernetesObject> {
  readonly source: CachedKind<T>;
  readonly mapToKeys: (object: T) => Iterable<string>;
  readonly predicates: readonly Predicate<T>[];
  /** Keys join the queue after this delay (see `watchBatched`). */
  readonly delayMs?: number;
  remove?: () => void;
}

export interface ReconcileResult {
  /** Process the key again after this many milliseconds (periodic re-checks). */
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | void>;
}

/** A failure that retrying cannot fix (bad input): logged and counted, never retried. */
export class TerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}

export interface ControllerOptions {
  readonly name: string;
  readonly reconciler: Reconciler;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  /** Keys reconciled in parallel (never the same key twice at once). @default 1 */
  readonly concurrency?: number;
  /** @default defaultControllerRateLimiter() */
  readonly rateLimiter?: RateLimiter;
}

export class Controller {
  readonly queue: WorkQueue;
  readonly name: string;
  private readonly workers: Promise<void>[] = [];
  private readonly logger: Logger;
  private readonly watches: Watch<KubernetesObject>[] = [];
  private state: 'idle' | 'starting' | 'running' | 'stopped' = 'idle';
  private markStopped!: () => void;
  /** Resolves at stop(): a start still waiting for its sources ends then. */
  private readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(private readonly options: ControllerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`controller ${options.name}: concurrency ${concurrency} must be a whole number >= 1`);
    this.name = options.name;
    this.logger = options.logger.child({ controller: options.name });
    this.queue = new WorkQueue({ name: options.name, rateLimiter: options.rateLimiter, metrics: options.metrics });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Enqueues `mapToKeys(object)` for each change of `source` that every
   * predicate lets through. A watch added while running starts at once (a
   * kind discovered later); its source's existing objects are enqueued.
   */
  watch<T extends KubernetesObject>(source: CachedKind<T>, mapToKeys: (object: T) => Iterable<string>, ...predicates: Predicate<T>[]): void {
    this.addWatch({ source, mapToKeys, predicates });
  }

  /**
   * As `watch`, but each key joins the queue `delayMs` after the first change
   * that concerns it: a burst of changes (a reconciler's own status writes
   * among them) is one reconcile per key per `delayMs`.
   */
  watchBatched<T extends KubernetesObject>(delayMs: number, source: CachedKind<T>, mapToKeys: (object: T) => Iterable<string>, ...predicates: Predicate<T>[]): void {
    this.addWatch({ source, mapToKeys, predicates, delayMs });
  }

  private addWatch<T extends KubernetesObject>(watch: Watch<T>): void {
    this.watches.push(watch as unknown as Watch<KubernetesObject>);
    if (this.state === 'running') this.attach(watch);
  }

  /** Waits for every source to sync, then enqueues what they hold and starts the workers. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    await Promise.race([Promise.all(this.watches.map((watch) => watch.source.synced())), this.stopped]);
    if (this.state !== 'starting') return;
    this.watches.forEach((watch) => this.attach(watch));
    this.state = 'running';
    for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.workers.push(this.work());
    this.logger.info('controller started', { workers: this.workers.length, sources: this.watches.map((watch) => watch.source.groupKind) });
  }

  /** Stops taking keys and waits for in-flight reconciliations to finish. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.markStopped();
    this.watches.forEach((watch) => watch.remove?.());
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    this.logger.info('controller stopped');
  }

  private attach<T extends KubernetesObject>(watch: Watch<T>): void {
    const { source, mapToKeys, predicates, delayMs = 0 } = watch;
    const handle = (event: ObjectEvent<T>) => {
      if (!predicates.every((passes) => passes(event))) return;
      for (const key of mapToKeys(event.object)) this.queue.addAfter(key, delayMs);
    };
    watch.remove = source.addHandler({
      onAdd: (object) => handle({ type: 'add', object }),
      onUpdate: (previous, object) => handle({ type: 'update', object, previous }),
      onDelete: (object) => handle({ type: 'delete', object }),
    });
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { metrics, name, reconciler } = this.options;
    const timer = metrics.reconcileDuration.startTimer({ controller: name });
    try {
      const result = await reconciler.reconcile(key);
      this.queue.forget(key);
      // controller-runtime logs each success at debug level too: how to follow one object.
      this.logger.debug('reconciled', { key, ...(result?.requeueAfterMs ? { requeueAfterMs: result.requeueAfterMs } : {}) });
      if (result?.requeueAfterMs) {
        this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconcileTotal.inc({ controller: name, result: 'requeue_after' });
      } else {
        metrics.reconcileTotal.inc({ controller: name, result: 'success' });
      }
    } catch (error) {
      metrics.reconcileErrors.inc({ controller: name });
      metrics.reconcileTotal.inc({ controller: name, result: 'error' });
      if (error instanceof TerminalError) {
        this.queue.forget(key);
        this.logger.error('reconcile failed terminally; not retried', { key, error });
      } else if (error instanceof ApiError && error.retryAfterMs !== undefined) {
        // The API server said when to come back (429, 503): that, not the backoff.
        this.queue.addAfter(key, error.retryAfterMs);
        this.logger.info('the API server asked to wait; retrying then', { key, retryAfterMs: error.retryAfterMs });
      } else {
        this.queue.addRateLimited(key);
        this.logger.warn('reconcile failed; retrying', { key, error, retries: this.queue.numRequeues(key) });
      }
    } finally {
      timer();
      this.queue.done(key);
    }
  }
}
