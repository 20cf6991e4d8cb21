/**
 * A controller: a work queue and workers calling a reconciler, with
 * controller-runtime's worker contract (controller-runtime
 * `pkg/internal/controller`): on success forget the key's failures; on an
 * error retry with rate limiting, unless the error is terminal; on a requested
 * requeue forget and add after the delay. The reconciler is level-based: it
 * gets only a key and re-reads the state it needs.
 */
import { ApiError } from './api-client';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';
import type { RateLimiter } from './rate-limiter';
import { WorkQueue } from './workqueue';

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

  start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.workers.push(this.work());
    this.logger.info('controller started', { workers: this.workers.length });
  }

  /** Stops taking keys and waits for in-flight reconciliations to finish. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    this.logger.info('controller stopped');
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
