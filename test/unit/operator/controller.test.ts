/**
 * The controller (R-O3), with fake timers: the worker contract (concurrency
 * without running one key twice, retries with backoff, terminal errors,
 * requeue-after, a stop that lets in-flight reconciles finish) and the
 * wiring (watches mapped to keys through predicates, a start that waits for
 * its sources and is told of what they hold).
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CachedKind } from '../../../operator/runtime/cache';
import { Controller, generationChanged, labelsChanged, ownKey, TerminalError, type Reconciler } from '../../../operator/runtime/controller';
import type { InformerHandler } from '../../../operator/runtime/informer';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ExponentialBackoffRateLimiter } from '../../../operator/runtime/rate-limiter';
import { Store } from '../../../operator/runtime/store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = createLogger({ level: 'error', write: () => undefined });

function controller(reconciler: Reconciler, concurrency = 4) {
  const metrics = new OperatorMetrics();
  const c = new Controller({ name: 'test', reconciler, logger: quiet, metrics, concurrency, rateLimiter: new ExponentialBackoffRateLimiter(10, 1000) });
  const count = async (result: string) => (await metrics.registry.getSingleMetric('controller_runtime_reconcile_total')!.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { c, metrics, count };
}

/** A cached kind the test drives: objects stored, handlers told, synced when the test says. */
class DrivenKind implements CachedKind<KubernetesObject> {
  readonly groupKind = 'example.io/Widget';
  readonly type = { group: 'example.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
  readonly store = new Store<KubernetesObject>();
  state: CachedKind<KubernetesObject>['state'] = 'syncing';
  private readonly handlers = new Set<InformerHandler<KubernetesObject>>();
  private markSynced!: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.markSynced = resolve));
  addHandler(handler: InformerHandler<KubernetesObject>) {
    this.handlers.add(handler);
    for (const object of this.store.list()) handler.onAdd?.(object);
    return () => void this.handlers.delete(handler);
  }
  synced() {
    return this.syncedPromise;
  }
  sync() {
    this.state = 'synced';
    this.markSynced();
  }
  put(object: KubernetesObject) {
    const previous = this.store.upsert(object);
    this.handlers.forEach((h) => (previous ? h.onUpdate?.(previous, object) : h.onAdd?.(object)));
  }
  remove(object: KubernetesObject) {
    const previous = this.store.remove(object);
    if (previous) this.handlers.forEach((h) => h.onDelete?.(previous));
  }
}
const widget = (name: string, generation = 1, labels: Record<string, string> = {}): KubernetesObject => ({ metadata: { name, namespace: 'shop', generation, labels, resourceVersion: `${Math.random()}` } });

beforeEach(() => void jest.useFakeTimers());
afterEach(() => void jest.useRealTimers());

describe('Controller workers (R-O3)', () => {
  test('R-O3 keys run in parallel up to the concurrency, but one key never twice at once', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let overlapped = false;
    const { c } = controller({
      async reconcile(key) {
        running += 1;
        peak = Math.max(peak, running);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        if (perKey.get(key)! > 1) overlapped = true;
        await sleep(20);
        perKey.set(key, perKey.get(key)! - 1);
        running -= 1;
      },
    }, 3);
    await c.start();
    for (let round = 0; round < 3; round++) for (const key of ['a', 'b', 'c', 'd', 'e']) c.enqueue(key);
    await jest.advanceTimersByTimeAsync(200);
    await c.stop();
    expect(peak).toBe(3);
    expect(overlapped).toBe(false);
  });

  test('R-O3 an error is retried with backoff (10, 20, 40 ms) until it succeeds; the failure count is then forgotten', async () => {
    const attempts: number[] = [];
    const { c, count } = controller({
      async reconcile() {
        attempts.push(Date.now());
        if (attempts.length < 4) throw new Error('API unavailable');
      },
    });
    await c.start();
    c.enqueue('a');
    await jest.advanceTimersByTimeAsync(100);
    await c.stop();
    expect(attempts.slice(1).map((at, i) => at - attempts[i])).toEqual([10, 20, 40]);
    expect(await count('error')).toBe(3);
    expect(await count('success')).toBe(1);
    expect(c.queue.numRequeues('a')).toBe(0);
  });

  test('R-O3 a TerminalError is not retried', async () => {
    let attempts = 0;
    const { c, count } = controller({
      async reconcile() {
        attempts += 1;
        throw new TerminalError('bad input');
      },
    });
    await c.start();
    c.enqueue('a');
    await jest.advanceTimersByTimeAsync(10_000);
    await c.stop();
    expect(attempts).toBe(1);
    expect(await count('error')).toBe(1);
  });

  test('R-O3 requeueAfter processes the key again after the delay', async () => {
    let attempts = 0;
    const { c, count } = controller({
      async reconcile() {
        attempts += 1;
        return { requeueAfterMs: 20 };
      },
    });
    await c.start();
    c.enqueue('a');
    await jest.advanceTimersByTimeAsync(59);
    await c.stop();
    expect(attempts).toBe(3);
    expect(await count('requeue_after')).toBe(3);
  });

  test('R-O3 stop() waits for in-flight reconciles to finish and starts no new ones', async () => {
    const finished: string[] = [];
    const { c } = controller({
      async reconcile(key) {
        await sleep(40);
        finished.push(key);
      },
    }, 1);
    await c.start();
    c.enqueue('first');
    c.enqueue('second');
    await jest.advanceTimersByTimeAsync(5);
    const stopped = c.stop();
    await jest.advanceTimersByTimeAsync(100);
    await stopped;
    expect(finished).toEqual(['first']);
  });

  test('R-O3 concurrency must be a whole number of at least 1', () => {
    expect(() => controller({ reconcile: async () => undefined }, 0)).toThrow('controller test: concurrency 0 must be a whole number >= 1');
  });
});

describe('Controller watches (R-O3, issue 10)', () => {
  function watching(...setup: ((c: Controller, kind: DrivenKind) => void)[]) {
    const reconciled: string[] = [];
    const { c } = controller({ reconcile: async (key) => void reconciled.push(key) }, 1);
    const kind = new DrivenKind();
    setup.forEach((watch) => watch(c, kind));
    return { c, kind, reconciled };
  }

  test('R-O3 the controller starts once its sources have synced, and is told of every object they hold', async () => {
    const { c, kind, reconciled } = watching((c, kind) => c.watch(kind, ownKey));
    kind.put(widget('a'));
    let started = false;
    const starting = c.start().then(() => (started = true));
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toBe(false);
    expect(reconciled).toEqual([]);
    kind.put(widget('b'));
    kind.sync();
    await starting;
    await jest.advanceTimersByTimeAsync(0);
    expect(reconciled.sort()).toEqual(['shop/a', 'shop/b']);
    await c.stop();
  });

  test('R-O3 generationChanged passes spec changes, adds and deletes, not status writes', async () => {
    const { c, kind, reconciled } = watching((c, kind) => c.watch(kind, ownKey, generationChanged));
    kind.sync();
    await c.start();
    kind.put(widget('a', 1));
    await jest.advanceTimersByTimeAsync(0);
    kind.put(widget('a', 1)); // a status write: same generation
    await jest.advanceTimersByTimeAsync(0);
    kind.put(widget('a', 2));
    await jest.advanceTimersByTimeAsync(0);
    kind.remove(widget('a'));
    await jest.advanceTimersByTimeAsync(0);
    expect(reconciled).toEqual(['shop/a', 'shop/a', 'shop/a']);
    await c.stop();
  });

  test('R-O3 labelsChanged and a custom predicate; mapToKeys fans one change out to many keys', async () => {
    const onlyShop = ({ object }: { object: KubernetesObject }) => object.metadata?.namespace === 'shop';
    const { c, kind, reconciled } = watching((c, kind) => c.watch(kind, (o) => [`${o.metadata!.name}-1`, `${o.metadata!.name}-2`], labelsChanged, onlyShop));
    kind.sync();
    await c.start();
    kind.put(widget('a', 1, { tier: 'gold' }));
    await jest.advanceTimersByTimeAsync(0);
    kind.put(widget('a', 2, { tier: 'gold' }));
    await jest.advanceTimersByTimeAsync(0);
    kind.put(widget('a', 2, { tier: 'silver' }));
    kind.put({ metadata: { name: 'elsewhere', namespace: 'lab', resourceVersion: '1' } });
    await jest.advanceTimersByTimeAsync(0);
    expect(reconciled).toEqual(['a-1', 'a-2', 'a-1', 'a-2']);
    await c.stop();
  });

  test('R-O3 watchBatched: a burst of changes to a key is one reconcile, delayMs after the first', async () => {
    const { c, kind, reconciled } = watching((c, kind) => c.watchBatched(1000, kind, ownKey));
    kind.sync();
    await c.start();
    kind.put(widget('a', 1));
    await jest.advanceTimersByTimeAsync(400);
    kind.put(widget('a', 1));
    kind.put(widget('b', 1));
    await jest.advanceTimersByTimeAsync(599);
    expect(reconciled).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(reconciled).toEqual(['shop/a']);
    kind.put(widget('a', 2)); // a change after the reconcile starts a new batch
    await jest.advanceTimersByTimeAsync(400);
    expect(reconciled).toEqual(['shop/a', 'shop/b']);
    await jest.advanceTimersByTimeAsync(600);
    expect(reconciled).toEqual(['shop/a', 'shop/b', 'shop/a']);
    await c.stop();
  });

  test('R-O3 stop() ends a start still waiting for a source that never syncs; no worker runs', async () => {
    const { c, kind, reconciled } = watching((c, kind) => c.watch(kind, ownKey));
    kind.put(widget('a'));
    const starting = c.start();
    await jest.advanceTimersByTimeAsync(1000);
    await c.stop();
    await starting;
    kind.sync();
    await jest.advanceTimersByTimeAsync(1000);
    expect(reconciled).toEqual([]);
  });

  test('R-O3 a watch added while running (a kind discovered later) takes effect at once; a stopped controller detaches', async () => {
    const { c, reconciled } = watching();
    await c.start();
    const late = new DrivenKind();
    late.put(widget('x'));
    c.watch(late, ownKey);
    await jest.advanceTimersByTimeAsync(0);
    expect(reconciled).toEqual(['shop/x']);
    await c.stop();
    expect((late as any).handlers.size).toBe(0);
  });
});
