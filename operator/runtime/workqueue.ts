/**
 * A work queue with client-go's contract: a key added many times while it
 * waits is processed once; a key being processed is never handed to a second
 * worker, and if it is added meanwhile it is processed again afterwards;
 * delayed and rate-limited adds; a shutdown that lets in-flight work finish.
 */
import type { OperatorMetrics } from './metrics';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter';

export interface WorkQueueOptions {
  readonly name: string;
  /** @default defaultControllerRateLimiter() */
  readonly rateLimiter?: RateLimiter;
  /** @default - none */
  readonly metrics?: OperatorMetrics;
}

/** First in, first out, with O(1) take (an array's `shift` moves every element). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    // Drop the consumed prefix once it is most of the array: amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Removes and returns everything. */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class WorkQueue {
  private readonly queue = new Fifo<string>();
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly waiters = new Fifo<(key: string | undefined) => void>();
  private readonly drained: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter;
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.options.metrics?.queueAdds.inc({ name: this.options.name });
    if (this.processing.has(key)) return; // re-queued by done()
    this.enqueue(key);
  }

  /** Adds `key` after `delayMs`. A key already waiting keeps the sooner of its two times (as in client-go). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = Date.now() + delayMs;
    const waiting = this.timers.get(key);
    if (waiting && waiting.due <= due) return;
    clearTimeout(waiting?.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { timer, due });
  }

  /** Adds `key` after its rate limiter's delay: a retry after a failure. */
  addRateLimited(key: string): void {
    this.options.metrics?.queueRetries.inc({ name: this.options.name });
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Forgets `key`'s failures; call after it was processed successfully. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process; waits for one; `undefined` once shut down and empty. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
    else if (this.dirty.has(key)) this.dirty.delete(key);
    this.reportDepth();
    if (this.shuttingDown && this.processing.size === 0) this.drained.splice(0).forEach((resolve) => resolve());
  }

  get length(): number {
    return this.queue.length;
  }

  /** Stops accepting keys, releases waiting workers, and resolves when in-flight keys are done. */
  shutDownWithDrain(): Promise<void> {
    this.shuttingDown = true;
    this.timers.forEach(({ timer }) => clearTimeout(timer));
    this.timers.clear();
    this.queue.drain().forEach((key) => this.dirty.delete(key));
    this.waiters.drain().forEach((resolve) => resolve(undefined));
    this.reportDepth();
    return this.processing.size === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }

  private enqueue(key: string): void {
    this.addedAt.set(key, Date.now());
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else this.queue.push(key);
    this.reportDepth();
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    // The worker reconciles the key from the current state, and its result schedules the next
    // run: a delayed re-add still waiting (a resync, a retry, a batch) is moot. Dropped here, a
    // deleted object's resync timer does not outlive it by a whole resync period.
    const waiting = this.timers.get(key);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.timers.delete(key);
    }
    const added = this.addedAt.get(key);
    if (added !== undefined) this.options.metrics?.queueLatency.observe({ name: this.options.name }, (Date.now() - added) / 1000);
    this.addedAt.delete(key);
    this.reportDepth();
    return key;
  }

  private reportDepth(): void {
    this.options.metrics?.queueDepth.set({ name: this.options.name }, this.queue.length);
  }
}
