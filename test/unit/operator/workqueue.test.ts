/**
 * The work queue's client-go contract (R-O3): de-duplication, one worker per
 * key, re-processing of keys added while in flight, delays, shutdown drain.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ExponentialBackoffRateLimiter } from '../../../operator/runtime/rate-limiter';
import { WorkQueue } from '../../../operator/runtime/workqueue';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue (R-O3)', () => {
  test('R-O3 a key added many times while it waits is handed out once', async () => {
    const queue = new WorkQueue({ name: 'test' });
    for (const key of ['a', 'b', 'a', 'a', 'b', 'c']) queue.add(key);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
  });

  test('R-O3 a key being processed is not handed to a second worker; added meanwhile, it comes back after done()', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('b');
    let next: string | undefined;
    void queue.get().then((key) => (next = key));
    await sleep(5);
    expect(next).toBeUndefined();
    queue.done('a');
    await sleep(0);
    expect(next).toBe('a');
  });

  test('R-O3 a waiting worker gets the next key added', async () => {
    const queue = new WorkQueue({ name: 'test' });
    const waiting = queue.get();
    queue.add('x');
    expect(await waiting).toBe('x');
  });

  test('R-O3 addAfter delays a key; the sooner of two delays wins', async () => {
    jest.useFakeTimers();
    try {
      const queue = new WorkQueue({ name: 'test' });
      queue.addAfter('late', 10_000);
      queue.addAfter('late', 20);
      queue.addAfter('soon', 20);
      queue.addAfter('soon', 10_000);
      await jest.advanceTimersByTimeAsync(19);
      expect(queue.length).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(queue.length).toBe(2);
      await queue.shutDownWithDrain();
    } finally {
      jest.useRealTimers();
    }
  });

  test('R-O3 a key handed to a worker drops its delayed re-add (the reconcile schedules the next), so a deleted object leaves no timer; a delay added while it is processed is kept', async () => {
    jest.useFakeTimers();
    try {
      const queue = new WorkQueue({ name: 'test' });
      queue.addAfter('gone', 60_000); // a resync
      queue.add('gone'); // the delete event
      expect(await queue.get()).toBe('gone');
      queue.done('gone');
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(queue.length).toBe(0);
      queue.add('kept');
      expect(await queue.get()).toBe('kept');
      queue.addAfter('kept', 20);
      queue.done('kept');
      await jest.advanceTimersByTimeAsync(20);
      expect(queue.length).toBe(1);
      await queue.shutDownWithDrain();
    } finally {
      jest.useRealTimers();
    }
  });

  test('R-O3 addRateLimited counts retries per key; forget() resets them', async () => {
    const queue = new WorkQueue({ name: 'test', rateLimiter: new ExponentialBackoffRateLimiter(10_000, 60_000) });
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(2);
    expect(queue.length).toBe(0);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    await queue.shutDownWithDrain();
  });

  test('R-O3 shutdown releases idle workers, drops waiting keys, and resolves only when in-flight keys are done', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('in-flight');
    queue.add('waiting');
    expect(await queue.get()).toBe('in-flight');
    const idle = new WorkQueue({ name: 'idle' });
    const idleWorker = idle.get();
    let drained = false;
    const drain = queue.shutDownWithDrain().then(() => (drained = true));
    await idle.shutDownWithDrain();
    expect(await idleWorker).toBeUndefined();
    await sleep(5);
    expect(drained).toBe(false);
    expect(await queue.get()).toBeUndefined();
    queue.add('after-shutdown');
    expect(queue.length).toBe(0);
    queue.done('in-flight');
    await drain;
    expect(drained).toBe(true);
  });

  test('R-O3 depth, adds and queue latency are exported as metrics', async () => {
    const metrics = new OperatorMetrics();
    const queue = new WorkQueue({ name: 'm', metrics });
    queue.add('a');
    queue.add('b');
    const value = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.name === 'm')?.value;
    expect(await value('workqueue_depth')).toBe(2);
    expect(await value('workqueue_adds_total')).toBe(2);
    await queue.get();
    expect(await value('workqueue_depth')).toBe(1);
    const latency = (await metrics.registry.getSingleMetric('workqueue_queue_duration_seconds')!.get()).values.find((v) => (v as { metricName?: string }).metricName === 'workqueue_queue_duration_seconds_count');
    expect(latency?.value).toBe(1);
  });
});

describe('work queue storage (issue 10)', () => {
  test('R-O3 keys keep their order across the compaction of consumed slots (O(1) take)', async () => {
    const queue = new WorkQueue({ name: 'fifo' });
    const taken: string[] = [];
    const take = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const key = (await queue.get())!;
        taken.push(key);
        queue.done(key);
      }
    };
    for (let i = 0; i < 3000; i++) queue.add(`k${i}`);
    await take(2500);
    for (let i = 3000; i < 3500; i++) queue.add(`k${i}`);
    expect(queue.length).toBe(1000);
    await take(1000);
    expect(taken).toEqual(Array.from({ length: 3500 }, (_, i) => `k${i}`));
    expect(queue.length).toBe(0);
  });
});
