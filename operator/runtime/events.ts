/**
 * Kubernetes Events about objects, like client-go's recorder and broadcaster:
 *
 * - `record()` never blocks a reconcile: events are queued and sent in the
 *   background, a few at a time; when the API server falls behind, the queue
 *   is capped and further events are dropped (and counted), never the work;
 * - an event repeated for the same object, reason and message within ten
 *   minutes increments the existing Event's count instead of creating another.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { HttpMethod } from '@kubernetes/client-node';
import type { ApiClient } from './api-client';
import { ConcurrencyLimit } from './concurrency';
import type { Logger } from './log';

const AGGREGATION_WINDOW_MS = 10 * 60_000;
/** Past this many remembered events, those older than the window are forgotten. */
const MAX_REMEMBERED = 1000;
/** client-go's broadcaster buffers 1000 events. */
const MAX_QUEUED = 1000;
const SENDERS = 2;

interface PendingEvent {
  readonly object: KubernetesObject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly at: Date;
}

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();
  private readonly senders = new ConcurrencyLimit(SENDERS);
  private readonly inFlight = new Set<Promise<void>>();
  /** Events dropped because the queue was full (for tests and diagnostics). */
  dropped = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly logger: Logger,
  ) {}

  /** Queues an event; returns at once. Failures are logged: events are best effort. */
  record(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.inFlight.size >= MAX_QUEUED) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.warn('event queue full; dropping events', { dropped: this.dropped, reason });
      return;
    }
    const sending = this.senders.run(() => this.send({ object, type, reason, message, at: new Date() }));
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
    const namespace = object.metadata?.namespace ?? 'default';
    const key = `${object.metadata?.uid}|${reason}|${message}`;
    if (this.recent.size > MAX_REMEMBERED) {
      for (const [k, entry] of this.recent) if (at.getTime() - entry.at >= AGGREGATION_WINDOW_MS) this.recent.delete(k);
    }
    const previous = this.recent.get(key);
    try {
      if (previous && at.getTime() - previous.at < AGGREGATION_WINDOW_MS) {
        previous.count += 1;
        previous.at = at.getTime();
        await this.api.request(HttpMethod.PATCH, `/api/v1/namespaces/${previous.namespace}/events/${previous.name}`, {
          body: { count: previous.count, lastTimestamp: at.toISOString() },
          contentType: 'application/merge-patch+json',
        });
        return;
      }
      const name = `${object.metadata?.name}.${at.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
      await this.api.create(`/api/v1/namespaces/${namespace}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata?.name,
          namespace: object.metadata?.namespace,
          uid: object.metadata?.uid,
          resourceVersion: object.metadata?.resourceVersion,
        },
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
    } catch (error) {
      this.logger.warn('could not record event', { error, reason });
    }
  }
}
