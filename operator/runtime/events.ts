/**
 * Kubernetes Events about objects, like client-go's recorder: an event
 * repeated for the same object, reason and message within ten minutes
 * increments the existing Event's count instead of creating another.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { HttpMethod } from '@kubernetes/client-node';
import type { ApiClient } from './api-client';
import type { Logger } from './log';

const AGGREGATION_WINDOW_MS = 10 * 60_000;

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(
    private readonly api: ApiClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly logger: Logger,
  ) {}

  /** Records an event; failures are logged, never thrown (events are best effort). */
  async record(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = object.metadata?.namespace ?? 'default';
    const key = `${object.metadata?.uid}|${reason}|${message}`;
    const now = new Date();
    if (this.recent.size > 1000) {
      for (const [k, entry] of this.recent) if (now.getTime() - entry.at >= AGGREGATION_WINDOW_MS) this.recent.delete(k);
    }
    const previous = this.recent.get(key);
    try {
      if (previous && now.getTime() - previous.at < AGGREGATION_WINDOW_MS) {
        previous.count += 1;
        previous.at = now.getTime();
        await this.api.request(HttpMethod.PATCH, `/api/v1/namespaces/${previous.namespace}/events/${previous.name}`, {
          body: { count: previous.count, lastTimestamp: now.toISOString() },
          contentType: 'application/merge-patch+json',
        });
        return;
      }
      const name = `${object.metadata?.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
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
        firstTimestamp: now.toISOString(),
        lastTimestamp: now.toISOString(),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
      } as KubernetesObject);
      this.recent.set(key, { name, namespace, count: 1, at: now.getTime() });
    } catch (error) {
      this.logger.warn('could not record event', { error, reason });
    }
  }
}
