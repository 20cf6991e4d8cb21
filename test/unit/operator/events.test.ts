/**
 * The Event recorder (R-O3), with fake timers and a recording client:
 * repeats within ten minutes raise a count instead of creating Events, a
 * full queue drops events (never blocks the reconcile), and a flush does not
 * outlast its timeout when the API server does not answer.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ApiClient } from '../../../operator/runtime/api-client';
import { EventRecorder } from '../../../operator/runtime/events';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { TokenBucketRateLimiter } from '../../../operator/runtime/rate-limiter';

const logger = createLogger({ level: 'error', write: () => undefined });
/** No pacing, for tests about something else. */
const unpaced = () => new TokenBucketRateLimiter(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const sg: KubernetesObject = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: 'web', namespace: 'shop', uid: 'u-1' } };

/** Records `POST <path>` and `PATCH <path> count=<n>`; `hang` makes every call wait forever. */
function recordingApi(hang = false): { calls: string[]; bodies: KubernetesObject[]; api: ApiClient } {
  const calls: string[] = [];
  const bodies: KubernetesObject[] = [];
  const answer = () => (hang ? new Promise<never>(() => undefined) : Promise.resolve({}));
  const api = {
    create: (path: string, body: KubernetesObject) => (calls.push(`POST ${path}`), bodies.push(body), answer()),
    request: (method: string, path: string, options: { body: { count: number } }) => (calls.push(`${method} ${path.replace(/[^/]+$/, '<event>')} count=${options.body.count}`), answer()),
  };
  return { calls, bodies, api: api as unknown as ApiClient };
}

beforeEach(() => void jest.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') }));
afterEach(() => void jest.useRealTimers());

describe('events (R-O3)', () => {
  test('R-O3 the same event again within ten minutes raises the count; after that it is a new Event', async () => {
    const { calls, api } = recordingApi();
    const events = new EventRecorder(api, 'test', 'replica-a', logger);
    events.record(sg, 'Normal', 'TagsCorrected', 'set tags A');
    await events.flush();
    events.record(sg, 'Normal', 'TagsCorrected', 'set tags A');
    await events.flush();
    events.record(sg, 'Normal', 'TagsCorrected', 'set tags B');
    await events.flush();
    jest.setSystemTime(new Date('2026-11-29T12:10:01Z'));
    events.record(sg, 'Normal', 'TagsCorrected', 'set tags A');
    await events.flush();
    expect(calls).toEqual([
      'POST /api/v1/namespaces/shop/events',
      'PATCH /api/v1/namespaces/shop/events/<event> count=2',
      'POST /api/v1/namespaces/shop/events',
      'POST /api/v1/namespaces/shop/events',
    ]);
  });

  test('R-O3 aggregation remembers the 4096 most recently seen events: an older one repeated is a new Event', async () => {
    const { calls, api } = recordingApi();
    const events = new EventRecorder(api, 'test', 'replica-a', logger, undefined, unpaced());
    const object = (i: number) => ({ ...sg, metadata: { ...sg.metadata, uid: `u-${i}` } });
    for (let i = 0; i <= 4096; i++) {
      events.record(object(i), 'Normal', 'TagsCorrected', 'x');
      await events.flush();
    }
    calls.length = 0;
    events.record(object(0), 'Normal', 'TagsCorrected', 'x');
    await events.flush();
    events.record(object(4096), 'Normal', 'TagsCorrected', 'x');
    await events.flush();
    expect(calls).toEqual(['POST /api/v1/namespaces/shop/events', 'PATCH /api/v1/namespaces/shop/events/<event> count=2']);
  });

  test('R-O3 events are paced: a burst of 25, then 10 a second, while the reconciles that record them never wait', async () => {
    const { calls, api } = recordingApi();
    const events = new EventRecorder(api, 'test', 'replica-a', logger);
    for (let i = 0; i < 40; i++) events.record({ ...sg, metadata: { ...sg.metadata, uid: `u-${i}` } }, 'Normal', 'TagsCorrected', 'x');
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(25);
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(35);
    await jest.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(40);
  });

  test('R-O3 record never waits: with the API server not answering, past 1000 queued events the rest are dropped and counted', async () => {
    const { calls, api } = recordingApi(true);
    const metrics = new OperatorMetrics();
    const events = new EventRecorder(api, 'test', 'replica-a', logger, metrics);
    for (let i = 0; i < 1005; i++) events.record({ ...sg, metadata: { ...sg.metadata, uid: `u-${i}` } }, 'Normal', 'TagsCorrected', 'x');
    expect(events.dropped).toBe(5);
    expect(await metrics.registry.getSingleMetricAsString('ack_systems_events_dropped_total')).toMatch(/^ack_systems_events_dropped_total\{reason="TagsCorrected"\} 5$/m);
    // One sender, as client-go's broadcaster: the rest wait in the queue.
    expect(calls).toHaveLength(1);
  });

  test('R-O3 an Event names its object by reference only (apiVersion, kind, name, namespace, uid, resourceVersion)', async () => {
    const { bodies, api } = recordingApi();
    const events = new EventRecorder(api, 'test', 'replica-a', logger);
    const large = { ...sg, metadata: { ...sg.metadata, resourceVersion: '42', managedFields: [{ manager: 'kubectl' }] }, spec: { description: 'x'.repeat(10_000) } };
    events.record(large, 'Normal', 'TagsCorrected', 'set tags A');
    await events.flush();
    expect((bodies[0] as unknown as { involvedObject: unknown }).involvedObject).toEqual({
      apiVersion: 'ec2.services.k8s.aws/v1alpha1',
      kind: 'SecurityGroup',
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
    });
  });

  test('R-O3 flush gives up after its timeout when the API server does not answer (shutdown must not hang)', async () => {
    const { api } = recordingApi(true);
    const events = new EventRecorder(api, 'test', 'replica-a', logger);
    events.record(sg, 'Warning', 'TagConflict', 'x');
    let flushed = false;
    void events.flush(5000).then(() => (flushed = true));
    await jest.advanceTimersByTimeAsync(4999);
    expect(flushed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(flushed).toBe(true);
  });
});
