/**
 * The informer (R-O3) against a scripted list/watch source, with fake timers:
 * list then watch, every change between a 410 and the relist handled,
 * backoff that grows and honours Retry-After, no hot loop on watches that end
 * at once, a handler added late told of the store, and a move to another
 * version that changes nothing for handlers.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiError, type ResourceType } from '../../../operator/runtime/api-client';
import { Informer, type InformerHandler } from '../../../operator/runtime/informer';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ScriptedListWatch } from '../../support/scripted-list-watch';

const WIDGETS: ResourceType = { group: 'example.io', version: 'v1alpha1', plural: 'widgets', kind: 'Widget', namespaced: true };
const COLLECTION = 'example.io/widgets';
const logger = createLogger({ level: 'error', write: () => undefined });
const widget = (name: string, size = 1): KubernetesObject & { spec: { size: number } } => ({ apiVersion: 'example.io/v1alpha1', kind: 'Widget', metadata: { name, namespace: 'shop' }, spec: { size } });

/** Records handler calls as `add shop/a` lines. */
function recorder(): { events: string[]; handler: InformerHandler<KubernetesObject> } {
  const events: string[] = [];
  const name = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return {
    events,
    handler: {
      onAdd: (o) => events.push(`add ${name(o)}`),
      onUpdate: (_, o) => events.push(`update ${name(o)}`),
      onDelete: (o) => events.push(`delete ${name(o)}`),
    },
  };
}

let source: ScriptedListWatch;
let informer: Informer<KubernetesObject> | undefined;
const informerOf = (options: Partial<ConstructorParameters<typeof Informer>[0]> = {}) =>
  (informer = new Informer({ api: source, type: WIDGETS, logger, metrics: new OperatorMetrics(), backoff: { initialMs: 500, maxMs: 4000 }, ...options }));
/** Lets pending promises run (fake timers do not). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

beforeEach(() => {
  jest.useFakeTimers();
  source = new ScriptedListWatch();
});
afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  jest.useRealTimers();
});

describe('informer (R-O3)', () => {
  test('R-O3 lists into the store, then tells handlers of each change the watch brings', async () => {
    source.put(COLLECTION, widget('a'));
    const { events, handler } = recorder();
    const informer = informerOf();
    informer.addHandler(handler);
    await informer.start();
    expect(informer.store.keys()).toEqual(['shop/a']);
    await settle();
    source.put(COLLECTION, widget('b'));
    source.put(COLLECTION, widget('a', 2));
    source.remove(COLLECTION, 'shop/b');
    expect(events).toEqual(['add shop/a', 'add shop/b', 'update shop/a', 'delete shop/b']);
    expect(source.calls).toEqual(['LIST /apis/example.io/v1alpha1/widgets', 'WATCH /apis/example.io/v1alpha1/widgets']);
  });

  test('R-O3 a handler added after the first list is told of every stored object', async () => {
    source.put(COLLECTION, widget('a'));
    source.put(COLLECTION, widget('b'));
    const informer = informerOf();
    await informer.start();
    const { events, handler } = recorder();
    const remove = informer.addHandler(handler);
    expect(events.sort()).toEqual(['add shop/a', 'add shop/b']);
    remove();
    await settle();
    source.put(COLLECTION, widget('c'));
    expect(events).toHaveLength(2);
  });

  test('R-O3 after 410 Gone it relists and handlers see exactly what changed unseen: adds, updates, deletes', async () => {
    source.put(COLLECTION, widget('kept'));
    source.put(COLLECTION, widget('changed'));
    source.put(COLLECTION, widget('deleted'));
    const { events, handler } = recorder();
    const informer = informerOf();
    await informer.start();
    await settle();
    informer.addHandler(handler);
    events.length = 0;
    source.putUnseen(COLLECTION, widget('changed', 2));
    source.putUnseen(COLLECTION, widget('new'));
    source.removeUnseen(COLLECTION, 'shop/deleted');
    source.expire(COLLECTION);
    await settle();
    expect(events.sort()).toEqual(['add shop/new', 'delete shop/deleted', 'update shop/changed']);
    expect(source.calls.filter((call) => call.startsWith('LIST'))).toHaveLength(2);
  });

  test('R-O3 failures back off, doubling to the ceiling; the server\'s Retry-After wins when longer', async () => {
    const failure = new ApiError(500, 'InternalError', 'etcd leader changed');
    source.failNext(COLLECTION, failure, failure, failure, new ApiError(429, 'TooManyRequests', 'slow down', 10_000));
    const informer = informerOf();
    void informer.start();
    const lists = () => source.calls.filter((call) => call.startsWith('LIST')).length;
    await settle();
    expect(lists()).toBe(1);
    for (const [waitMs, expected] of [[499, 1], [1, 2], [999, 2], [1, 3], [1999, 3], [1, 4], [9999, 4], [1, 5]] as const) {
      await jest.advanceTimersByTimeAsync(waitMs);
      expect({ after: waitMs, lists: lists() }).toEqual({ after: waitMs, lists: expected });
    }
    expect(informer.hasSynced).toBe(true);
  });

  test('R-O3 a watch that ends at once without events is re-opened after a backoff, not in a hot loop', async () => {
    source.endWatchesAtOnce = true;
    const informer = informerOf();
    await informer.start();
    await jest.advanceTimersByTimeAsync(10_000);
    const watches = source.calls.filter((call) => call.startsWith('WATCH')).length;
    // 500 + 1000 + 2000 + 4000 ms of backoff fit in 10 s: a handful of watches, not thousands.
    expect(watches).toBeGreaterThanOrEqual(4);
    expect(watches).toBeLessThanOrEqual(6);
  });

  test('R-O3 each watch asks the server to end it after a random 5 to 10 minutes (client-go\'s reflector), with bookmarks', async () => {
    source.endWatchesAtOnce = true;
    const random = jest.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.999);
    try {
      const informer = informerOf();
      await informer.start();
      await jest.advanceTimersByTimeAsync(600);
      expect(source.watchQueries.slice(0, 2).map((query) => [query.timeoutSeconds, query.allowWatchBookmarks])).toEqual([
        ['300', 'true'],
        ['599', 'true'],
      ]);
    } finally {
      random.mockRestore();
    }
  });

  test('R-O3 reconfigure to another version relists into the same store: handlers see nothing for the same objects', async () => {
    source.put(COLLECTION, widget('a'));
    const { events, handler } = recorder();
    const informer = informerOf();
    informer.addHandler(handler);
    await informer.start();
    events.length = 0;
    source.serve(COLLECTION, ['v1']);
    await informer.reconfigure({ type: { ...WIDGETS, version: 'v1' } });
    expect(events).toEqual([]);
    expect(source.calls.slice(-2)).toEqual(['LIST /apis/example.io/v1/widgets', 'WATCH /apis/example.io/v1/widgets']);
    await settle();
    source.put(COLLECTION, widget('b'));
    expect(events).toEqual(['add shop/b']);
  });

  test('R-O3 a wider transform takes effect by a relist, without events for unchanged objects', async () => {
    source.put(COLLECTION, widget('a', 7));
    const informer = informerOf({ transform: ({ apiVersion, kind, metadata }) => ({ apiVersion, kind, metadata }) });
    const { events, handler } = recorder();
    informer.addHandler(handler);
    await informer.start();
    expect((informer.store.get('shop/a') as any).spec).toBeUndefined();
    events.length = 0;
    await informer.reconfigure({ transform: (object) => object });
    expect((informer.store.get('shop/a') as any).spec).toEqual({ size: 7 });
    expect(events).toEqual([]);
  });

  test('R-O3 stop during the first list resolves start (a shutdown during sync must not hang)', async () => {
    source.failNext(COLLECTION, new Error('connection refused'));
    const informer = informerOf();
    const started = informer.start();
    await settle();
    await informer.stop();
    await expect(started).resolves.toBeUndefined();
    expect(informer.hasSynced).toBe(false);
  });

  test('R-O3 clear() tells handlers of every object as deleted', async () => {
    source.put(COLLECTION, widget('a'));
    const { events, handler } = recorder();
    const informer = informerOf();
    informer.addHandler(handler);
    await informer.start();
    await informer.stop();
    informer.clear();
    expect(events).toEqual(['add shop/a', 'delete shop/a']);
    expect(informer.store.size).toBe(0);
  });
});
