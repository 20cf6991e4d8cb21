/**
 * Kubernetes Events about objects, like client-go's recorder and broadcaster:
 *
 * - `record()` never blocks a reconcile: events are queued and sent in the
 *   background by one sender, as client-go's broadcaster does, paced at 10 a
 *   second after a burst of 25, so that a mass correction (a new policy over
 *   10,000 objects) does not double the API server's write load: etcd keeps
 *   every Event for an hour, and the policy's status counts every correction.
 *   Past 1000 queued, further events are dropped and counted (log and metric),
 *   never the work; a queued event keeps only the reference to its object;
 * - an event repeated for the same object, reason and message within ten
 *   minutes increments the existing Event's count instead of creating another
 *   (the last 4096 are remembered, in an LRU: constant work per event).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { HttpMethod } from '@kubernetes/client-node';
import type { ApiClient } from './api-client';
import { ConcurrencyLimit } from './concurrency';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';
import { TokenBucketRateLimiter } from './rate-limiter';

const AGGREGATION_WINDOW_MS = 10 * 60_000;
/** Events remembered for aggregation, least recently seen forgotten first (client-go's LRU holds 4096). */
const MAX_REMEMBERED = 4096;
/** client-go's broadcaster buffers 1000 events. */
const MAX_QUEUED = 1000;
/** Events sent per second, after a burst of (client-go's per-object spam filter allows bursts of 25). */
const EVENTS_PER_SECOND = 10;
const EVENT_BURST = 25;

/** What an Event says about its object (`involvedObject`): not the object, which may be large. */
interface ObjectReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

interface PendingEvent {
  readonly object: ObjectReference;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly at: Date;
}

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();
  private readonly sender = new ConcurrencyLimit(1);
  private readonly inFlight = new Set<Promise<void>>();
  /** Events dropped because the queue was full (for tests and diagnostics). */
  dropped = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly metrics?: OperatorMetrics,
    private readonly pace = new TokenBucketRateLimiter(EVENTS_PER_SECOND, EVENT_BURST),
  ) {}

  /** Queues an event; returns at once. Failures are logged: events are best effort. */
  record(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.inFlight.size >= MAX_QUEUED) {
      this.dropped += 1;
      this.metrics?.eventsDropped.inc({ reason });
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.warn('event queue full; dropping events', { dropped: this.dropped, reason });
      return;
    }
    const { apiVersion, kind, metadata = {} } = object;
    const reference = { apiVersion, kind, name: metadata.name, namespace: metadata.namespace, uid: metadata.uid, resourceVersion: metadata.resourceVersion };
    const sending = this.sender.run(async () => {
      const wait = this.pace.when();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await this.send({ object: reference, type, reason, message, at: new Date() });
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Resolves when every queued event has been sent (or has failed), or after `timeoutMs`: shutdown must not hang on events. */
  async flush(timeoutMs = 5000): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    const drained = (async () => {
      while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    })();
    await Promise.race([drained, deadline]);
  }

  private async send({ object, type, reason, message, at }: PendingEvent): Promise<void> {
    const namespace = object.namespace ?? 'default';
    const key = `${object.uid}|${reason}|${message}`;
    const previous = this.recent.get(key);
    // Delete and set again: a Map iterates in insertion order, so its first key is the least recently seen.
    this.recent.delete(key);
    try {
      if (previous && at.getTime() - previous.at < AGGREGATION_WINDOW_MS) {
        previous.count += 1;
        previous.at = at.getTime();
        this.recent.set(key, previous);
        await this.api.request(HttpMethod.PATCH, `/api/v1/namespaces/${previous.namespace}/events/${previous.name}`, {
          body: { count: previous.count, lastTimestamp: at.toISOString() },
          contentType: 'application/merge-patch+json',
        });
        return;
      }
      const name = `${object.name}.${at.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
      await this.api.create(`/api/v1/namespaces/${namespace}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: object,
        type,
        reason,
        message,
        count: 1,
        firstTimestamp: at.toISOString(),
        lastTimestamp: at.toISOString(),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
      } as KubernetesObject);
      this.recent.set(key, { name, namespace, count: 1, at: at.getTime() });
      if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
    } catch (error) {
      this.logger.warn('could not record event', { error, reason });
    }
  }
}
